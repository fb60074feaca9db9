// The HTTP core of `millrace serve` on Web Request/Response (Hono): every route, limits, token, CORS; testable without a socket.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { Registry } from "prom-client";
import { Authenticator, type ApiToken, type Guard } from "./auth.js";
import { readJsonBody, readJsonBodyText } from "./body.js";
import { checkFeedbackFields, FEEDBACK_BODY_HINT } from "./feedback-body.js";
import type { HostCheck } from "./host-check.js";
import { errorResponse, MethodNotAllowedError, RequestTimeoutError, statusOf } from "./http-errors.js";
import { logFailure, routeOf, serveLogger } from "./log.js";
import { serveMetrics, type ServeMetrics } from "./metrics.js";
import { fastPredictHandler } from "./node-fast.js";
import { openApiDocument } from "./openapi.js";
import { answerPredict, NO_MODEL_HINT, routeFor, type PredictCore } from "./predict.js";
import { answerWithFeatures } from "./feature-lookup.js";
import { explainRoute } from "./explain.js";
import { cachedProvenanceHeaders, PROVENANCE_HEADERS } from "./provenance.js";
import { mountV2 } from "./routes-v2.js";
import type { ServedList } from "../monitor/served-lists.js";
import { mountRecommend } from "./recommend.js";
import type { OutcomeWatch } from "./slo.js";
import type { FeedbackHandler, ModelSource, PredictionSink } from "./types.js";
import type { ExtraFields } from "./validate.js";

/** Routes that take fixed methods, with their Allow header: another method is a 405, not a 404. */
const ONE_METHOD_ROUTES: ReadonlyArray<[string, string]> = [
  ["/predict", "POST"],
  ["/feedback", "POST"],
  ["/reload", "POST"],
  ["/v2/models/:name/infer", "POST"],
  ["/v2/models/:name/versions/:version/infer", "POST"],
  ["/recommend", "GET, POST"],
];

export type { FeedbackHandler, ModelSource, PredictionSink, Route, ServedModel } from "./types.js";
export { NO_MODEL_HINT, noModel } from "./predict.js";

export interface AppOptions {
  models: ModelSource;
  sink?: PredictionSink;
  /** Largest accepted request body; default 8 MiB. */
  maxBodyBytes?: number;
  /** Largest accepted number of records in one request; default 10,000. */
  maxRecords?: number;
  /** Registry for /metrics; a private one by default. */
  metrics?: Registry;
  /** Fields the signature does not declare: rejected with a 400 by default (see validate.ts). */
  extraFields?: ExtraFields;
  /** Where every 5xx and timeout is reported; a pino logger on stderr by default. */
  onError?: (e: unknown, req: Request | null) => void;
  /** Header that pins a caller to the champion or the canary; default x-millrace-key. */
  stickyHeader?: string;
  /** Bearer token with every scope, required by every mutating endpoint (reload, feedback, and whatever `mount` guards). */
  token?: string;
  /** Named tokens with scopes (alongside `token`); when one has the predict scope, /predict needs a token too. */
  tokens?: ApiToken[];
  /** Host header allow-list (DNS rebinding); every Host is accepted when absent. */
  hostCheck?: HostCheck;
  /** Refuse (400) values outside what training saw instead of flagging them. */
  strictRanges?: boolean;
  /** Allowed CORS origins ("*" for any); CORS is off when absent. */
  corsOrigins?: string[] | "*";
  /** Longest time a request may take before a 503 (the node fast path relies on the server's requestTimeout). */
  requestTimeoutMs?: number;
  /** POST /reload: re-resolve the served alias now. */
  reload?: () => Promise<unknown>;
  /** POST /feedback: join labels to prediction ids. */
  feedback?: FeedbackHandler;
  /** Each answered /recommend list (served-list monitoring). */
  recommendations?: (l: ServedList) => void;
  /** Adds routes (promote, ingest, ...) to the same app; `guard(scope)` enforces a token with that scope. */
  mount?: (app: Hono, guard: Guard, auth: Authenticator) => void;
  /** Records every answer's outcome per model version (see OutcomeWatch.snapshot for alert signals). */
  watch?: OutcomeWatch;
  /** Name and version reported by GET /v2. */
  server?: { name: string; version: string };
}

export interface App {
  fetch(req: Request): Promise<Response>;
  /** The lean node:http path for POST /predict; false when the request is left to fetch(). */
  node(req: IncomingMessage, res: ServerResponse): boolean;
  /** While draining, readiness is false so load balancers stop sending new requests. */
  setDraining(on: boolean): void;
  ready(): boolean;
  readonly metrics: ServeMetrics;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

export function json(body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeoutError(`request took longer than ${ms} ms`, { hint: "retry, or send fewer records" })), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Failures go to a pino logger made on the first one (a server that never fails never opens it). */
function defaultOnError(): (e: unknown, req: Request | null) => void {
  let log: ReturnType<typeof serveLogger> | undefined;
  return (e, req) => logFailure((log ??= serveLogger()), e, routeOf(req), statusOf(e));
}

const isPredictToken = (t: ApiToken | null) => t !== null && (t.scopes === "all" || t.scopes.has("predict"));
/** Stands in for the request in fast-path failure logs (that path has no Web Request). */
const fastRequest = new Request("http://fast-path/predict", { method: "POST" });

export function createApp(opts: AppOptions): App {
  const registry = opts.metrics ?? new Registry();
  const servedList = () => {
    const cur = opts.models.current();
    return opts.models.list?.() ?? (cur ? [{ served: cur, role: "primary" as const, percent: 100 }] : []);
  };
  const metrics = serveMetrics(registry, opts.sink?.dropped ? () => opts.sink!.dropped!() : undefined, () =>
    servedList().map((m) => ({ ...m.served.provenance, role: m.role })),
  );
  const maxBodyBytes = opts.maxBodyBytes ?? 8 * 1024 * 1024;
  const stickyHeader = (opts.stickyHeader ?? "x-millrace-key").toLowerCase();
  const timeoutMs = opts.requestTimeoutMs ?? 30_000;
  const onError = opts.onError ?? defaultOnError();
  const core: PredictCore = {
    models: opts.models,
    sink: opts.sink,
    metrics,
    vopts: { maxRecords: opts.maxRecords ?? 10_000, extraFields: opts.extraFields ?? "reject" },
    onShadowError: (e) => onError(e, null),
    watch: opts.watch,
    strictRanges: opts.strictRanges === true,
  };
  const auth = new Authenticator([...(opts.token !== undefined ? [{ name: null, token: opts.token, scopes: "all" as const }] : []), ...(opts.tokens ?? [])]);
  const hostCheck = opts.hostCheck;
  let draining = false;
  const ready = () => !draining && opts.models.current() !== null;
  const app = new Hono();

  const guard = auth.guard;

  app.use(async (c, next) => {
    await next();
    metrics.requests.labels(c.req.routePath === "/*" ? "unmatched" : c.req.routePath, c.req.method, String(c.res.status)).inc();
  });
  if (hostCheck) {
    app.use(async (c, next) => {
      hostCheck.check(c.req.header("host"));
      await next();
    });
  }
  if (opts.corsOrigins) {
    const withCors = cors({ origin: opts.corsOrigins === "*" ? "*" : opts.corsOrigins, allowHeaders: ["content-type", "authorization", stickyHeader], exposeHeaders: PROVENANCE_HEADERS });
    // Never for the dashboard API: its pages are same-origin, and CORS there would let other sites read table rows.
    app.use((c, next) => (c.req.path === "/api" || c.req.path.startsWith("/api/") ? next() : withCors(c, next)));
  }

  if (auth.predictNeedsToken) {
    // Scoring is open unless a named token carries the predict scope; then every scoring request needs one.
    const g = guard("predict");
    for (const p of ["/predict", "/v2/models/:name/infer", "/v2/models/:name/versions/:version/infer"]) app.use(p, g);
  }
  app.post("/predict", explainRoute(core, stickyHeader, maxBodyBytes));
  app.post("/predict", async (c) => {
    const t0 = performance.now();
    // One route (one model object) for the whole request: a swap mid-request cannot mix answers and provenance.
    const route = routeFor(opts.models, c.req.header(stickyHeader) ?? null);
    const body = await readJsonBodyText(c.req.raw, maxBodyBytes);
    const answer = route.served?.features ? await answerWithFeatures(core, route, body.value, t0) : answerPredict(core, route, body.value, t0, body);
    return new Response(answer.text, { status: 200, headers: { ...JSON_HEADERS, ...answer.headers } });
  });

  app.get("/health", () => {
    const served = opts.models.current();
    if (!served) return json({ status: "no_model", ready: false, model: null, hint: NO_MODEL_HINT }, 503);
    return json({ status: draining ? "draining" : "ok", ready: ready(), model: served.provenance }, 200, cachedProvenanceHeaders(served.provenance));
  });
  app.get("/ready", () => json({ ready: ready(), draining }, ready() ? 200 : 503));

  app.get("/metrics", async () => new Response(await registry.metrics(), { status: 200, headers: { "content-type": registry.contentType } }));

  app.get("/models", () => {
    const list = servedList();
    return json({
      models: list.map((m) => ({ role: m.role, percent: m.percent ?? null, provenance: m.served.provenance, signature: m.served.predictor.signature })),
    });
  });
  app.get("/openapi.json", () => json(openApiDocument(opts.models.current()?.predictor.signature ?? null, { stickyHeader })));

  app.post("/reload", guard("promote"), async () => {
    if (!opts.reload) return json({ error: "not_supported", message: "this server has no reload source", path: null }, 404);
    const result = await opts.reload();
    const served = opts.models.current();
    return json({ reloaded: true, result: result ?? null, model: served?.provenance ?? null });
  });
  app.post("/feedback", guard("ingest"), async (c) => {
    if (!opts.feedback) return json({ error: "not_supported", message: "this server does not collect feedback", path: null }, 404);
    const body = await readJsonBody(c.req.raw, maxBodyBytes, FEEDBACK_BODY_HINT);
    checkFeedbackFields(body);
    return json(await opts.feedback(body));
  });

  mountV2(app, { core, ready, maxBodyBytes, server: opts.server ?? { name: "millrace", version: "0" }, stickyHeader });
  mountRecommend(app, opts.models, maxBodyBytes, auth.predictNeedsToken ? guard("predict") : null, opts.recommendations);
  opts.mount?.(app, guard, auth);

  // A known path asked with a method it does not take: 405 with Allow, not a 404 that says the path is not there.
  for (const [path, allow] of ONE_METHOD_ROUTES) app.all(path, (c) => errorResponse(new MethodNotAllowedError(`${c.req.method} ${new URL(c.req.url).pathname} is not served: use ${allow}`, { path: "method", hint: `Allow: ${allow}` }), { allow }));
  app.notFound((c) => json({ error: "not_found", message: `no route ${c.req.method} ${new URL(c.req.url).pathname}`, path: null, hint: "see GET /openapi.json" }, 404));
  app.onError((e, c: Context) => {
    if (statusOf(e) >= 500) onError(e, c.req.raw);
    return errorResponse(e);
  });

  // The fast path leaves to the app whatever it must refuse (a foreign Host, a missing token), so it stays lean.
  const admit =
    hostCheck || auth.predictNeedsToken
      ? (req: IncomingMessage) =>
          (!hostCheck || hostCheck.allows(req.headers.host)) && (!auth.predictNeedsToken || isPredictToken(auth.identify(req.headers.authorization)))
      : undefined;
  const fast = fastPredictHandler(core, { maxBodyBytes, stickyHeader, onError: (e) => onError(e, fastRequest), ...(admit ? { admit } : {}) });
  return {
    metrics,
    node: (req, res) => (opts.corsOrigins ? false : fast(req, res)),
    setDraining: (on) => void (draining = on),
    ready,
    async fetch(req: Request): Promise<Response> {
      try {
        return await withTimeout(Promise.resolve(app.fetch(req)), timeoutMs);
      } catch (e) {
        // Hono answers route errors itself; this catches the timeout and anything thrown around routing.
        if (statusOf(e) >= 500) onError(e, req);
        return errorResponse(e);
      }
    },
  };
}
