// The server's failure log (pino, JSON lines on stderr): every 5xx and timeout with its route, so none passes silently.
import { pino, type Logger } from "pino";
import { describeError, MillraceError } from "../errors.js";

export type { Logger } from "pino";

/** JSON lines to stderr (stdout stays free for `--json` output); level from MILLRACE_LOG_LEVEL, default info. */
export function serveLogger(): Logger {
  return pino({ name: "millrace-serve", level: process.env.MILLRACE_LOG_LEVEL ?? "info" }, pino.destination({ fd: 2, sync: true }));
}

/** The route of a request as `METHOD /path` (the query string left out: it may carry data). */
export function routeOf(req: Request | null): string | null {
  if (!req) return null;
  try {
    return `${req.method} ${new URL(req.url).pathname}`;
  } catch {
    return req.method;
  }
}

/** Logs one failed request: the route, the status, the error's code and message (and the stack of unexpected errors). */
export function logFailure(log: Logger, e: unknown, route: string | null, status: number): void {
  const err = e instanceof MillraceError ? { code: e.code, message: e.message } : e instanceof Error ? { message: e.message, stack: e.stack } : { message: describeError(e) };
  // "error", not pino's "err" key, whose serializer expects an Error and would blank these fields.
  log.error({ route, status, error: err }, `${route ?? "request"} answered ${status}: ${err.message}`);
}
