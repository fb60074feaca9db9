// Binds an app to a TCP port: the node fast path for /predict, Hono for the rest; close() drains in-flight requests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";

export interface StartOptions {
  port: number;
  host?: string;
  /** How long close() waits for in-flight requests before cutting connections; default 10 s. */
  drainMs?: number;
  /** A request whose headers and body have not arrived within this time gets a 408; default 30 s. */
  requestTimeoutMs?: number;
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
  const general = getRequestListener((req: Request) => app.fetch(req));
  const fast = app.node?.bind(app);
  const server = createServer((req, res) => {
    if (fast && fast(req, res)) return;
    void general(req, res);
  });
  // Keep-alive connections outlive a load balancer's idle timeout by default; match common proxies instead.
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = opts.requestTimeoutMs ?? 30_000;
  server.headersTimeout = Math.min(server.requestTimeout, 20_000);
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
