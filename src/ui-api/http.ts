// Request helpers of the dashboard API: handlers return JSON-able values, errors become JSON with a status
// (typed errors → 4xx with their hint), and query parameters are parsed with errors that name the parameter.
import type { Context } from "hono";
import { describeError, MillraceError, NotFoundError, ValidationError } from "../errors.js";
import { statusOf } from "../serve/http-errors.js";

export type Handler = (c: Context) => Promise<unknown>;

/** Wraps a handler: its value as JSON, or its error as `{error, message, hint}` with a 4xx (5xx only for bugs). */
export function handle(fn: Handler, log: (line: string) => void) {
  return async (c: Context): Promise<Response> => {
    try {
      const body = await fn(c);
      return c.json(body as object, 200, { "cache-control": "no-store" });
    } catch (e) {
      return errorJson(e, log, `${c.req.method} ${c.req.path}`);
    }
  };
}

/** The error as JSON; every 5xx (a bug, or a typed failure such as a timeout) is logged with its route. */
export function errorJson(e: unknown, log: (line: string) => void = () => undefined, route?: string): Response {
  const status = statusOf(e);
  if (status >= 500) log(`dashboard API${route ? ` ${route}` : ""} answered ${status}: ${describeError(e)}`);
  const body: Record<string, unknown> =
    e instanceof MillraceError ? { path: null, ...e.toJSON() } : { error: "internal_error", message: describeError(e), path: null, hint: "see the server log" };
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });
}

/** An integer query parameter within [min, max], or `fallback` when absent. */
export function intParam(c: Context, name: string, fallback: number, min: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ValidationError(`query parameter ${name}=${raw} is not a whole number from ${min} to ${max}`, { path: name });
  }
  return n;
}

/** An optional integer query parameter (no fallback). */
export function optionalInt(c: Context, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return c.req.query(name) ? intParam(c, name, 0, min, max) : undefined;
}

/** A path parameter that must be a version number. */
export function versionParam(c: Context, name = "version"): number {
  const raw = c.req.param(name) ?? "";
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) throw new ValidationError(`"${raw}" is not a version number`, { path: name, hint: "versions count from 1" });
  return n;
}

export function choiceParam<T extends string>(c: Context, name: string, choices: readonly T[]): T | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ValidationError(`query parameter ${name}=${raw} is not one of ${choices.join(", ")}`, { path: name });
  }
  return raw as T;
}

export type MetricFilter = { key: string; op: "<" | "<=" | "=" | ">=" | ">"; value: number };

/** Parses `roc_auc>0.8` (several joined by commas) as the runs search does. */
export function parseWhere(text: string): MetricFilter[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([A-Za-z_][A-Za-z0-9_.]*)\s*(<=|>=|=|<|>)\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/.exec(part);
      if (!m) throw new ValidationError(`filter "${part}" is not metric<op>number`, { path: "where", hint: 'e.g. roc_auc>0.8, log_loss<=0.4 (ops: < <= = >= >)' });
      return { key: m[1], op: m[2] as MetricFilter["op"], value: Number(m[3]) };
    });
}

export function notFound(what: string, hint?: string): NotFoundError {
  return new NotFoundError(what, hint ? { hint } : {});
}
