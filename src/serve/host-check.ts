// The Host header allow-list that stops DNS rebinding: a web page whose name resolves to 127.0.0.1 still sends its own
// name as Host, so a loopback server that answers only to its own names cannot be read by that page.
import { isIP } from "node:net";
import { HostNotAllowedError } from "./http-errors.js";

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1" || h === "::ffff:127.0.0.1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

/** `[::1]` stays bracketed, a bare IPv6 address gets brackets, names are lower-cased: the spelling a Host header uses. */
function hostSpelling(name: string): string {
  const n = name.trim().toLowerCase();
  return isIP(n) === 6 ? `[${n}]` : n;
}

export class HostCheck {
  private readonly names: string[];
  /** Every accepted Host value: each name alone and with the port, so a request costs one Set lookup. */
  private allowed = new Set<string>();

  constructor(extraNames: ReadonlyArray<string>, port?: number) {
    this.names = [...new Set([...LOOPBACK_NAMES, ...extraNames.map(hostSpelling)])];
    this.setPort(port);
  }

  /** Called once the server listens (port 0 becomes a real port). */
  setPort(port: number | undefined): void {
    const allowed = new Set<string>();
    for (const n of this.names) {
      allowed.add(n);
      if (port !== undefined && port > 0) allowed.add(`${n}:${port}`);
    }
    this.allowed = allowed;
  }

  /** A missing Host passes: browsers always send one, so its absence is not a rebinding page (HTTP/1.0 tools, tests). */
  allows(host: string | undefined | null): boolean {
    return host === undefined || host === null || this.allowed.has(host) || this.allowed.has(host.toLowerCase());
  }

  /** Throws the 403 naming the host and the setting that admits it. */
  check(host: string | undefined | null): void {
    if (this.allows(host)) return;
    const shown = String(host).slice(0, 100);
    throw new HostNotAllowedError(`this server does not answer to the host ${JSON.stringify(shown)}`, {
      path: "host",
      hint: `address it as ${this.names.join(", ")}, or add the name to serve.allowed_hosts in millrace.yaml`,
    });
  }
}
