// Binds an app to a TCP port: the node fast path for /predict, Hono for the rest; close() drains in-flight requests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setFlagsFromString } from "node:v8";
import { getRequestListener } from "@hono/node-server";

export interface StartOptions {
  port: number;
  host?: string;
  /** How long close() waits for in-flight requests before cutting connections; default 10 s. */
  drainMs?: number;
  /** A request whose headers and body have not arrived within this time gets a 408; default 30 s. */
  requestTimeoutMs?: number;
  /** Told of every such 408 (node answers it before any route sees the request), so timeouts are logged too. */
  onRequestTimeout?: (e: Error) => void;
  /**
   * Young-generation collections on V8's helper threads (V8's default) instead of on the serving thread alone. Off by
   * default: under load every core is busy (the clients, cluster workers) and a scavenge waits for helpers that are
   * not scheduled, so its pause went bimodal (0.7 vs 4–9 ms) and set the p99; bench/RESULTS.md, "Serving round 9".
   * The setting is the process's (a V8 flag), applied when a server starts; unset, a `--[no-]parallel-scavenge` given
   * to node (command line or NODE_OPTIONS) is left as it is.
   */
  parallelScavenge?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** What startServer needs: fetch, and optionally the lean node path and the drain switch of createApp's App. */
export interface Servable {
  fetch(req: Request): Promise<Response>;
  node?(req: IncomingMessage, res: ServerResponse): boolean;
  setDraining?(on: boolean): void;
}

export function startServer(app: Servable, opts: StartOptions): Promise<RunningServer> {
  const host = opts.host ?? "127.0.0.1";
  setScavenge(opts.parallelScavenge);
  const general = getRequestListener((req: Request) => app.fetch(req));
  const fast = app.node?.bind(app);
  const requestTimeout = opts.requestTimeoutMs ?? 30_000;
  // node looks for timed-out requests every 30 s by default, so a 30 s timeout could take a minute to fire.
  const connectionsCheckingInterval = Math.max(50, Math.min(30_000, Math.floor(requestTimeout / 4)));
  const server = createServer({ connectionsCheckingInterval }, (req, res) => {
    if (fast && fast(req, res)) return;
    void general(req, res);
  });
  // Keep-alive connections outlive a load balancer's idle timeout by default; match common proxies instead.
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = requestTimeout;
  server.headersTimeout = Math.min(server.requestTimeout, 20_000);
  const onTimeout = opts.onRequestTimeout;
  if (onTimeout) server.on("clientError", (e: NodeJS.ErrnoException, socket: Socket) => clientError(e, socket, onTimeout));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      server.off("error", reject);
      const addr = server.address() as AddressInfo;
      const shownHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
      resolve({
        url: `http://${shownHost}:${addr.port}`,
        port: addr.port,
        server,
        close: () => {
          app.setDraining?.(true);
          return closeServer(server, opts.drainMs ?? 10_000);
        },
      });
    });
  });
}

const SCAVENGE_FLAG = /^--(no-)?parallel[-_]scavenge(=|$)/;

/** The V8 flag startServer sets for `parallelScavenge` (null: node was started with an explicit choice, kept). */
export function scavengeFlag(parallel: boolean | undefined, execArgv: readonly string[], nodeOptions = ""): string | null {
  if (parallel === undefined && [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => SCAVENGE_FLAG.test(a))) return null;
  return parallel ? "--parallel-scavenge" : "--no-parallel-scavenge";
}

function setScavenge(parallel: boolean | undefined): void {
  const flag = scavengeFlag(parallel, process.execArgv, process.env.NODE_OPTIONS);
  if (flag !== null) setFlagsFromString(flag);
}

/** Stops accepting, lets in-flight requests finish (idle keep-alive sockets close now), then force-closes after drainMs. */
function closeServer(server: Server, drainMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), drainMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

// node's own answers to a request it could not read, as it sends them when no clientError listener exists.
const CLIENT_ERROR_ANSWERS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n",
  HPE_CHUNK_EXTENSIONS_OVERFLOW: "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n",
  ERR_HTTP_REQUEST_TIMEOUT: "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n",
};

/** Reports a request timeout, then answers exactly as node does by default (a listener replaces that default). */
function clientError(e: NodeJS.ErrnoException, socket: Socket, onTimeout: (e: Error) => void): void {
  if (e.code === "ERR_HTTP_REQUEST_TIMEOUT") onTimeout(e);
  if (socket.writable && socket.bytesWritten === 0) socket.write(CLIENT_ERROR_ANSWERS[e.code ?? ""] ?? "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  socket.destroy(e);
}
