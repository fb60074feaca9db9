// A lean node:http path for POST /predict that skips Web Request/Response objects; same answers as the Hono route.
import type { IncomingMessage, ServerResponse } from "node:http";
import { DRAIN_LIMIT_BYTES, parseJsonBytes, requireJson, tooLarge } from "./body.js";
import { errorBody, statusOf } from "./http-errors.js";
import { predictRequests } from "./metrics.js";
import { answerPredict, routeFor, type PredictCore } from "./predict.js";

export interface FastPathOptions {
  maxBodyBytes: number;
  /** Header whose value pins a caller to the canary or the champion. */
  stickyHeader: string;
  onError: (e: unknown) => void;
  /** False leaves the request to the general app, which refuses it (foreign Host, missing token) with its 4xx. */
  admit?: (req: IncomingMessage) => boolean;
}

const JSON_CT = "application/json; charset=utf-8";
const ignore = (): void => undefined;

// The 200 answer's header list per provenance headers object (content type, provenance, then the length, whose slot
// is overwritten per answer: writeHead reads the list at once, so one list serves every request).
const answerHeaders = new WeakMap<Record<string, string>, string[]>();

function headerList(provenance: Record<string, string>): string[] {
  let list = answerHeaders.get(provenance);
  if (!list) {
    list = ["content-type", JSON_CT];
    for (const k in provenance) list.push(k, provenance[k]);
    list.push("content-length", "");
    answerHeaders.set(provenance, list);
  }
  return list;
}

/** Counts the /predict status and writes the JSON answer with an explicit length (else node sends it chunked through writev). */
function send(core: PredictCore, res: ServerResponse, status: number, text: string, headers?: Record<string, string>): void {
  predictRequests(core.metrics, status).inc();
  const length = String(Buffer.byteLength(text));
  if (headers && status === 200 && !res.hasHeader("connection")) {
    const list = headerList(headers);
    list[list.length - 1] = length;
    res.writeHead(status, list);
  } else {
    res.writeHead(status, headers ? { "content-type": JSON_CT, "content-length": length, ...headers } : { "content-type": JSON_CT, "content-length": length });
  }
  res.end(text);
}

function fail(core: PredictCore, opts: FastPathOptions, res: ServerResponse, e: unknown): void {
  const status = statusOf(e);
  if (status >= 500) opts.onError(e);
  send(core, res, status, JSON.stringify(errorBody(e)));
}

// A rejected request is answered after its body is read and discarded (up to DRAIN_LIMIT_BYTES): a client
// still writing when the server closes sees a broken pipe instead of the 4xx. Beyond that, cut it off.
function rejectAfterDrain(core: PredictCore, opts: FastPathOptions, req: IncomingMessage, res: ServerResponse, e: unknown, received: number): void {
  const declared = Number(req.headers["content-length"]);
  res.setHeader("connection", "close");
  if ((Number.isFinite(declared) ? declared : received) > DRAIN_LIMIT_BYTES) {
    fail(core, opts, res, e);
    req.resume();
    return;
  }
  let drained = received;
  req.removeAllListeners("data");
  req.on("data", (c: Buffer) => {
    drained += c.length;
    if (drained > DRAIN_LIMIT_BYTES && !res.headersSent) fail(core, opts, res, e);
  });
  req.on("end", () => {
    if (!res.headersSent) fail(core, opts, res, e);
  });
  req.on("error", ignore);
  req.resume();
}

/** Returns a handler that answers POST /predict itself (true) or leaves the request to the general app (false). */
export function fastPredictHandler(core: PredictCore, opts: FastPathOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    // CORS requests take the full app path, which adds the CORS headers.
    if (req.method !== "POST" || req.url !== "/predict" || req.headers.origin !== undefined) return false;
    if (opts.admit && !opts.admit(req)) return false;
    const t0 = performance.now();
    try {
      requireJson(req.headers["content-type"]);
      const declared = Number(req.headers["content-length"]);
      if (declared > opts.maxBodyBytes) throw tooLarge(declared, opts.maxBodyBytes);
    } catch (e) {
      rejectAfterDrain(core, opts, req, res, e, 0);
      return true;
    }
    let first: Buffer | null = null;
    let chunks: Buffer[] | null = null;
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > opts.maxBodyBytes) {
        over = true;
        first = chunks = null;
        rejectAfterDrain(core, opts, req, res, tooLarge(null, opts.maxBodyBytes), size);
        return;
      }
      // Most bodies arrive in one chunk: no array for them.
      if (first === null) first = c;
      else (chunks ??= [first]).push(c);
    });
    req.on("error", ignore);
    req.on("end", () => {
      if (over) return;
      try {
        const body = parseJsonBytes(chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0)));
        const key = req.headers[opts.stickyHeader];
        const answer = answerPredict(core, routeFor(core.models, typeof key === "string" ? key : null), body.value, t0, body);
        send(core, res, 200, answer.text, answer.headers);
      } catch (e) {
        fail(core, opts, res, e);
      }
    });
    return true;
  };
}
