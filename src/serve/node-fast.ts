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

/** Returns a handler that answers POST /predict itself (true) or leaves the request to the general app (false). */
export function fastPredictHandler(core: PredictCore, opts: FastPathOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    // CORS requests take the full app path, which adds the CORS headers.
    if (req.method !== "POST" || req.url !== "/predict" || req.headers.origin !== undefined) return false;
    if (opts.admit && !opts.admit(req)) return false;
    const t0 = performance.now();
    const send = (status: number, text: string, headers?: Record<string, string>) => {
      predictRequests(core.metrics, status).inc();
      // An explicit length: without it node sends the body chunked, as several buffers through writev.
      const length = String(Buffer.byteLength(text));
      res.writeHead(status, headers ? { "content-type": JSON_CT, "content-length": length, ...headers } : { "content-type": JSON_CT, "content-length": length });
      res.end(text);
    };
    const fail = (e: unknown) => {
      const status = statusOf(e);
      if (status >= 500) opts.onError(e);
      send(status, JSON.stringify(errorBody(e)));
    };
    // A rejected request is answered after its body is read and discarded (up to DRAIN_LIMIT_BYTES): a client
    // still writing when the server closes sees a broken pipe instead of the 4xx. Beyond that, cut it off.
    const rejectAfterDrain = (e: unknown, received: number) => {
      const declared = Number(req.headers["content-length"]);
      res.setHeader("connection", "close");
      if ((Number.isFinite(declared) ? declared : received) > DRAIN_LIMIT_BYTES) {
        fail(e);
        req.resume();
        return;
      }
      let drained = received;
      req.removeAllListeners("data");
      req.on("data", (c: Buffer) => {
        drained += c.length;
        if (drained > DRAIN_LIMIT_BYTES && !res.headersSent) fail(e);
      });
      req.on("end", () => { if (!res.headersSent) fail(e); });
      req.on("error", () => undefined);
      req.resume();
    };
    try {
      requireJson(req.headers["content-type"]);
      const declared = Number(req.headers["content-length"]);
      if (declared > opts.maxBodyBytes) throw tooLarge(declared, opts.maxBodyBytes);
    } catch (e) {
      rejectAfterDrain(e, 0);
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > opts.maxBodyBytes) {
        over = true;
        chunks.length = 0;
        rejectAfterDrain(tooLarge(null, opts.maxBodyBytes), size);
        return;
      }
      chunks.push(c);
    });
    req.on("error", () => undefined);
    req.on("end", () => {
      if (over) return;
      try {
        const body = parseJsonBytes(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
        const key = req.headers[opts.stickyHeader];
        const answer = answerPredict(core, routeFor(core.models, typeof key === "string" ? key : null), body.value, t0, body);
        send(200, answer.text, answer.headers);
      } catch (e) {
        fail(e);
      }
    });
    return true;
  };
}
