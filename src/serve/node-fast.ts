// A lean node:http path for POST /predict and the V2 infer routes that skips Web Request/Response objects; same answers
// as the Hono routes (a Hono request costs 2.7× the server CPU of this path: bench/RESULTS.md, "Serving vs the bare
// endpoint").
import type { IncomingMessage, ServerResponse } from "node:http";
import { DRAIN_LIMIT_BYTES, explainBodyError, parseJsonBytes, requireJson, tooLarge, V2_BODY_HINT } from "./body.js";
import { errorBody, statusOf } from "./http-errors.js";
import { predictRequests } from "./metrics.js";
import { answerPredict, answerPredictBytes, routeFor, type Answer, type PredictCore } from "./predict.js";
import { answerWithFeatures } from "./feature-lookup.js";
import type { Route, ServedModel } from "./types.js";
import { answerV2, answerV2Bytes, v2Route } from "./v2-infer.js";
import { answerV2WithFeatures } from "./v2-features.js";

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

/** Counts the route's status and writes the JSON answer with an explicit length (else node sends it chunked through writev). */
function send(core: PredictCore, route: string, res: ServerResponse, status: number, text: string, headers?: Record<string, string>, ascii?: boolean): void {
  predictRequests(core.metrics, status, route).inc();
  // An ASCII text's length is its byte count (Buffer.byteLength would flatten the answer's pieces a first time).
  const length = String(ascii === true ? text.length : Buffer.byteLength(text));
  if (headers && status === 200 && !res.hasHeader("connection")) {
    const list = headerList(headers);
    list[list.length - 1] = length;
    res.writeHead(status, list);
  } else {
    res.writeHead(status, headers ? { "content-type": JSON_CT, "content-length": length, ...headers } : { "content-type": JSON_CT, "content-length": length });
  }
  res.end(text);
}

function fail(core: PredictCore, opts: FastPathOptions, route: string, res: ServerResponse, e: unknown): void {
  const status = statusOf(e);
  if (status >= 500) opts.onError(e);
  send(core, route, res, status, JSON.stringify(errorBody(e)));
}

// A rejected request is answered after its body is read and discarded (up to DRAIN_LIMIT_BYTES): a client
// still writing when the server closes sees a broken pipe instead of the 4xx. Beyond that, cut it off.
function rejectAfterDrain(core: PredictCore, opts: FastPathOptions, route: string, req: IncomingMessage, res: ServerResponse, e: unknown, received: number): void {
  const declared = Number(req.headers["content-length"]);
  res.setHeader("connection", "close");
  if ((Number.isFinite(declared) ? declared : received) > DRAIN_LIMIT_BYTES) {
    fail(core, opts, route, res, e);
    req.resume();
    return;
  }
  let drained = received;
  req.removeAllListeners("data");
  req.on("data", (c: Buffer) => {
    drained += c.length;
    if (drained > DRAIN_LIMIT_BYTES && !res.headersSent) fail(core, opts, route, res, e);
  });
  req.on("end", () => {
    if (!res.headersSent) fail(core, opts, route, res, e);
  });
  req.on("error", ignore);
  req.resume();
}

const V2_PREFIX = "/v2/models/";
const V2_SUFFIX = "/infer";
const V2_ROUTE = "/v2/models/:name/infer";
const V2_VERSION_ROUTE = "/v2/models/:name/versions/:version/infer";

/** `/v2/models/{name}[/versions/{v}]/infer` → [name, version]; null for anything Hono should match (escapes, queries). */
export function v2Target(url: string): [string, string | undefined] | null {
  if (!url.startsWith(V2_PREFIX) || !url.endsWith(V2_SUFFIX) || url.includes("%") || url.includes("?")) return null;
  const parts = url.slice(V2_PREFIX.length, url.length - V2_SUFFIX.length).split("/");
  if (parts.length === 1 && parts[0] !== "") return [parts[0], undefined];
  if (parts.length === 3 && parts[0] !== "" && parts[1] === "versions" && parts[2] !== "") return [parts[0], parts[2]];
  return null;
}

/** Returns a handler that answers POST /predict and V2 infer itself (true) or leaves the request to the general app (false). */
export function fastPredictHandler(core: PredictCore, opts: FastPathOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    // CORS requests take the full app path, which adds the CORS headers.
    if (req.method !== "POST" || req.headers.origin !== undefined) return false;
    const url = req.url ?? "";
    const v2 = url === "/predict" ? null : v2Target(url);
    if (url !== "/predict" && v2 === null) return false;
    if (opts.admit && !opts.admit(req)) return false;
    const t0 = performance.now();
    const route = v2 === null ? "/predict" : v2[1] === undefined ? V2_ROUTE : V2_VERSION_ROUTE;
    const key = req.headers[opts.stickyHeader];
    const sticky = typeof key === "string" ? key : null;
    let target: { route: Route; served: ServedModel } | null = null;
    try {
      // The V2 model is resolved first, as the Hono route does: an unknown model is a 404 whatever the body.
      if (v2 !== null) target = v2Route(core, v2[0], v2[1], sticky);
      requireJson(req.headers["content-type"]);
      const declared = Number(req.headers["content-length"]);
      if (declared > opts.maxBodyBytes) throw tooLarge(declared, opts.maxBodyBytes);
    } catch (e) {
      rejectAfterDrain(core, opts, route, req, res, e, 0);
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
        rejectAfterDrain(core, opts, route, req, res, tooLarge(null, opts.maxBodyBytes), size);
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
        const bytes = chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0));
        const routed = target ? null : routeFor(core.models, sticky);
        // A single-record body laid out as the last one is read from its bytes (body-template.ts), unparsed.
        const quick = target ? answerV2Bytes(core, target, bytes, t0) : routed!.served?.features ? null : answerPredictBytes(core, routed!, bytes, t0);
        if (quick) return void send(core, route, res, 200, quick.text, quick.headers, quick.ascii);
        const body = parseJsonBytes(bytes);
        // A feature-service model looks its features up (async): same answer, off the synchronous path (/predict and V2).
        if ((routed ?? target!).served?.features) {
          const looked = routed ? answerWithFeatures(core, routed, body.value, t0) : answerV2WithFeatures(core, target!, body.value, t0);
          return void looked.then((a) => send(core, route, res, 200, a.text, a.headers), (e: unknown) => fail(core, opts, route, res, e));
        }
        const answer: Answer = target ? answerV2(core, target, body.value, t0, body.bytes) : answerPredict(core, routed!, body.value, t0, body);
        send(core, route, res, 200, answer.text, answer.headers, answer.ascii);
      } catch (e) {
        fail(core, opts, route, res, explainBodyError(e, req.headers["content-encoding"], target ? V2_BODY_HINT : undefined));
      }
    });
    return true;
  };
}
