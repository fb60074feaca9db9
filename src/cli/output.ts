// Terminal output: aligned tables, numbers people can read, JSON for scripts, errors without stack traces.
import { describeError, isMillraceError } from "../errors.js";

export const color = {
  enabled: process.stdout.isTTY === true && !process.env.NO_COLOR,
  wrap(code: number, s: string) {
    return this.enabled ? `\x1b[${code}m${s}\x1b[0m` : s;
  },
  green: (s: string) => color.wrap(32, s),
  red: (s: string) => color.wrap(31, s),
  yellow: (s: string) => color.wrap(33, s),
  dim: (s: string) => color.wrap(2, s),
  bold: (s: string) => color.wrap(1, s),
};

const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "").length;

/** Renders rows as an aligned text table with a header. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? "" : typeof c === "number" ? fmtNumber(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => visible(r[i] ?? ""))));
  const line = (r: string[]) => r.map((c, i) => c + " ".repeat(widths[i] - visible(c))).join("  ").trimEnd();
  return [color.bold(line(headers)), ...cells.map(line)].join("\n");
}

export function fmtNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString("en-US");
  // A small non-zero value keeps its magnitude (1e-9 printed as 0.0000 reads as zero).
  if (Math.abs(n) < 1e-3) return n.toExponential(3);
  return Math.abs(n) >= 100 ? n.toFixed(1) : n.toFixed(4);
}

export function fmtMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? Number(v) : v), 2) + "\n");
}

/** Prints an error the way a user can act on it and returns the exit code. */
export function reportError(e: unknown, json: boolean): number {
  if (json) {
    const body = isMillraceError(e) ? e.toJSON() : { error: "error", message: describeError(e) };
    process.stdout.write(JSON.stringify(body, null, 2) + "\n");
  } else {
    process.stderr.write(`${color.red("error:")} ${describeError(e)}\n`);
  }
  if (!isMillraceError(e) && process.env.MILLRACE_DEBUG) console.error(e);
  return isMillraceError(e) ? 1 : 2;
}
