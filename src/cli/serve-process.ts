// One serving process as millrace.yaml describes it: the served alias (and canary / shadow) loaded from the registry
// and hot-swapped when aliases move, the prediction log and feedback joins as sinks, limits, tokens, Host check and CORS.
import { ProcessMetricsRegistry as MetricsRegistry } from "../serve/process-metrics.js";
import { describeError, MillraceError } from "../errors.js";
import { Workspace, type WorkspaceStores } from "../app/workspace.js";
import { FeedbackJoiner, type FeedbackItem, type FeedbackResult } from "../monitor/feedback.js";
import { servedRecommender, ServedListMonitor } from "../monitor/served-lists.js";
import { answerPeers, askPeers } from "../serve/cluster-peers.js";
import { PredictionLog } from "../monitor/prediction-log.js";
import { fanOut } from "../monitor/sinks.js";
import type { Project } from "../project/load-project.js";
import { createApp, type App } from "../serve/app.js";
import { HostCheck, isLoopback } from "../serve/host-check.js";
import { statusOf } from "../serve/http-errors.js";
import { logFailure, routeOf, serveLogger } from "../serve/log.js";
import { ReloadingSource } from "../serve/reload.js";
import { TrafficRouter } from "../serve/router.js";
import { startServer, type RunningServer } from "../serve/server.js";
import { OutcomeWatch } from "../serve/slo.js";
import type { ModelSource, RollbackDecision } from "../serve/types.js";
import { defaultUiDir, uiRoutes } from "../ui-api/index.js";
import { annotationWriteRoutes } from "../ui-api/annotations.js";
import { pipelineControlRoutes } from "../ui-api/pipeline.js";
import { pushableSources } from "../app/ingest.js";
import { ingestRoute } from "./ingest-route.js";
import { mountRegistryRoutes } from "./registry-routes.js";
import { registryResolver } from "./registry-model-source.js";
import { resolveServeTokens } from "./serve-tokens.js";
import { FeatureServing } from "../featurestore/serving.js";

export interface ServeProcess {
  server: RunningServer;
  app: App;
  /** The process's one workspace: the routes, the dashboard API and the monitor take their stores from it. */
  workspace: Workspace;
  /** Its stores, opened at the start (the served alias is read from the registry). */
  resources: WorkspaceStores;
  metrics: MetricsRegistry;
  /** The champion's source (what /health and `millrace serve --json` report). */
  primary: ReloadingSource;
  canary: ReloadingSource | null;
  watch: OutcomeWatch;
  feedback: FeedbackJoiner;
  /** What the start-up banner must shout (serving without a token where others can reach it). */
  warnings: string[];
  close(): Promise<void>;
}

export interface ServeProcessOptions {
  port?: number;
  host?: string;
  alias?: string;
  log?: (line: string) => void;
}

export async function startServeProcess(project: Project, opts: ServeProcessOptions = {}): Promise<ServeProcess> {
  const cfg = project.config;
  const log = opts.log ?? (() => undefined);
  // Token mistakes (an empty MILLRACE_API_TOKEN) stop the start before anything is opened.
  const auth = resolveServeTokens(cfg.serve);
  const host = opts.host ?? cfg.serve.host;
  const port = opts.port ?? cfg.serve.port;
  // On loopback only this machine connects, but any web page can, through DNS rebinding: the Host check stops that.
  const loopback = isLoopback(host);
  const hostCheck = loopback || cfg.serve.allowed_hosts.length > 0 ? new HostCheck(cfg.serve.allowed_hosts, port) : undefined;
  const warnings: string[] = [];
  if (auth.token === undefined && auth.tokens.length === 0 && !loopback) {
    warnings.push(
      `serving on ${host} WITHOUT AN API TOKEN: anyone who reaches this address can read the dashboard API (table rows included); set serve.token or serve.tokens, or bind serve.host: 127.0.0.1`,
    );
  }
  const workspace = new Workspace(project);
  const resources = await workspace.meta().catch(async (e: unknown) => {
    await workspace.close();
    throw e;
  });
  const name = cfg.registry.model;
  const alias = opts.alias ?? cfg.serve.alias ?? cfg.registry.alias;
  const featureServing = FeatureServing.of(project, () => workspace.lake());
  // Start-up lines (which model each alias loaded) wait for the port: a server that cannot listen says only why.
  let held: string[] | null = [];
  const say = (line: string) => (held ? held.push(line) : log(line));
  const source = (a: string) =>
    new ReloadingSource(registryResolver(resources.registry, name, a, featureServing ? (served, mv) => featureServing.decorate(served, mv, resources.meta) : undefined), {
      intervalMs: cfg.serve.reload_s * 1000,
      onSwap: (from, to) => say(`serving ${to.provenance.model} v${to.provenance.version} as ${a}${from ? ` (was v${from.provenance.version})` : ""}`),
      onError: (e) => say(`loading ${name}@${a} failed, keeping the current model: ${describeError(e)}`),
    });
  const primary = source(alias);
  const canary = cfg.serve.canary ? source(cfg.serve.canary.alias) : null;
  const shadow = cfg.serve.shadow ? source(cfg.serve.shadow.alias) : null;
  await Promise.all([primary.start(), canary?.start(), shadow?.start()]);

  const onRollback = (d: RollbackDecision) => {
    log(`canary ${d.model} v${d.version} breached its SLO (${d.reason}): traffic back to the champion`);
    // Removing the alias tells every replica (they poll it) and leaves an audited transition.
    void resources.registry
      .removeAlias(name, cfg.serve.canary!.alias, { actor: "serve:slo", reason: `SLO breach: ${d.reason} (error rate ${(d.errorRate * 100).toFixed(2)}%, p99 ${d.p99Ms.toFixed(1)} ms over ${d.requests} requests)` })
      .catch((e: unknown) => log(`could not remove the canary alias: ${describeError(e)}`));
  };
  const slo = cfg.serve.canary?.slo;
  const models: ModelSource =
    canary || shadow
      ? new TrafficRouter({
          primary,
          ...(canary ? { canary, canaryPercent: cfg.serve.canary!.percent } : {}),
          ...(shadow ? { shadow } : {}),
          ...(slo
            ? {
                slo: {
                  ...(slo.max_error_rate !== undefined ? { maxErrorRate: slo.max_error_rate } : {}),
                  ...(slo.max_p99_ms !== undefined ? { maxP99Ms: slo.max_p99_ms } : {}),
                  windowMs: slo.window_s * 1000,
                  minRequests: slo.min_requests,
                },
                onRollback,
              }
            : {}),
        })
      : primary;

  const metrics = new MetricsRegistry();
  featureServing?.registerMetrics(metrics);
  const predictionLog = new PredictionLog({ dir: project.paths.predictions, sampleRate: cfg.monitor.sample_rate });
  // Decay is measured against each version's test metrics from training.
  const references = new Map<number, { metrics: Record<string, number>; positive?: string }>();
  const feedback = new FeedbackJoiner({
    registry: metrics,
    reference: (_model, version) => references.get(version),
    targets: () => [primary, canary].flatMap((s) => s?.current()?.predictor.signature.output ?? []),
  });
  answerPeers("feedback", (items) => feedback.join(items as FeedbackItem[]).unknown);
  const servedLists = new ServedListMonitor({ log: predictionLog, registry: metrics, psiThreshold: cfg.monitor.drift.psi_threshold, model: (_m, v) => servedRecommender([primary, canary, shadow], v) });
  const listTimer = setInterval(() => servedLists.publish(), Math.max(cfg.monitor.check_every_s, 1) * 1000);
  listTimer.unref();
  const remember = () => {
    for (const s of [primary, canary, shadow]) {
      const served = s?.current();
      if (served && !references.has(served.provenance.version)) {
        void resources.registry.get(name, served.provenance.version).then((mv) => references.set(mv.version, { metrics: mv.metrics, ...(mv.signature.output.positive ? { positive: mv.signature.output.positive } : {}) }));
      }
    }
  };
  remember();
  const refTimer = setInterval(remember, 5000);
  refTimer.unref();

  const watch = new OutcomeWatch();
  // One failure log for the process: every 5xx and timeout, from a route or from node's own request timeout.
  const failures = serveLogger();
  // The dashboard: GET /ui (static, public) and its read-only /api (a token with the read scope, when there are tokens).
  const dashboard = uiRoutes(workspace, { uiDir: defaultUiDir(), log });
  const ingest = ingestRoute(workspace, { maxBodyBytes: cfg.serve.max_body_bytes, sources: pushableSources(project) });
  const app = createApp({
    models,
    sink: fanOut(predictionLog, feedback),
    maxBodyBytes: cfg.serve.max_body_bytes,
    maxRecords: cfg.serve.max_records,
    metrics,
    extraFields: cfg.serve.extra_fields,
    requestTimeoutMs: cfg.serve.request_timeout_ms,
    onError: (e, req) => logFailure(failures, e, routeOf(req), statusOf(e)),
    ...(auth.token !== undefined ? { token: auth.token } : {}),
    tokens: auth.tokens,
    ...(hostCheck ? { hostCheck } : {}),
    strictRanges: cfg.serve.strict_ranges,
    ...(cfg.serve.cors ? { corsOrigins: cfg.serve.cors } : {}),
    reload: () => Promise.all([primary.reload(), canary?.reload(), shadow?.reload()]),
    feedback: (body) => (ServedListMonitor.isListFeedback(body) ? servedLists.handle(body) : joinAcrossWorkers(feedback, body)),
    recommendations: (l) => servedLists.record(l),
    watch,
    mount: (hono, guard, authenticator) => {
      hono.get("/", (c) => c.redirect("/ui/"));
      hono.get("/monitor/recommendations", guard("read"), (c) => (servedLists.publish(), c.json({ versions: servedLists.report() })));
      if (authenticator.configured) hono.use("/api/*", guard("read"));
      // The dashboard's predict form scores as /predict does: when scoring needs the predict scope, so does the form.
      if (authenticator.predictNeedsToken) hono.use("/api/models/:name/:ref/predict", guard("predict"));
      featureServing?.mount(hono, guard, authenticator.configured);
      pipelineControlRoutes(hono, guard, workspace, authenticator.configured, log);
      annotationWriteRoutes(hono, guard, workspace, log);
      dashboard.mount(hono);
      ingest.mount(hono, guard);
      mountRegistryRoutes(hono, guard, resources.registry, () => Promise.all([primary.reload(), canary?.reload(), shadow?.reload()]));
    },
    server: { name: "millrace", version: (await import("../version.js")).VERSION },
  });
  const server = await startServer(app, {
    port,
    host,
    requestTimeoutMs: cfg.serve.request_timeout_ms,
    onRequestTimeout: (e) => logFailure(failures, e, null, 408),
  }).catch(async (e: unknown) => {
    clearInterval(refTimer);
    clearInterval(listTimer);
    for (const s of [primary, canary, shadow]) s?.stop();
    await Promise.allSettled([predictionLog.close(), ingest.close(), dashboard.close(), featureServing?.close(), workspace.close()]);
    throw listenError(e, host, port);
  });
  hostCheck?.setPort(server.port);
  for (const line of held) log(line);
  held = null;
  return {
    server,
    app,
    workspace,
    resources,
    metrics,
    primary,
    canary,
    watch,
    feedback,
    warnings,
    async close() {
      clearInterval(refTimer);
      clearInterval(listTimer);
      for (const s of [primary, canary, shadow]) s?.stop();
      await server.close();
      await predictionLog.close();
      await ingest.close();
      await dashboard.close();
      await featureServing?.close();
      await workspace.close();
    },
  };
}

/** node's listen failures (a busy or privileged port) as a message saying what to do, not "listen EADDRINUSE …". */
export function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === "EADDRINUSE") return new MillraceError("port_in_use", `port ${port} is in use on ${host}; pass --port N or stop the other server`, { hint: "--port 0 picks any free port" });
  if (code === "EACCES") return new MillraceError("port_denied", `port ${port} on ${host} needs more privileges than this process has`, { hint: "pass --port N with N ≥ 1024" });
  if (code === "EADDRNOTAVAIL") return new MillraceError("host_unavailable", `${host} is not an address of this machine`, { hint: "pass --host 127.0.0.1 or 0.0.0.0, or fix serve.host in millrace.yaml" });
  return e;
}

/**
 * Joins labels here first; ids this worker never served are asked of the sibling workers (with serve.workers > 1 a
 * label rarely arrives at the process that made the prediction). Each answers with the ids it does not hold.
 */
async function joinAcrossWorkers(feedback: FeedbackJoiner, body: unknown): Promise<FeedbackResult> {
  const items = feedback.parse(body);
  const result = feedback.join(items);
  if (result.unknown.length > 0) {
    const missing = new Set(result.unknown);
    const askFor = items.filter((it) => missing.has(it.id));
    const answers = await askPeers("feedback", askFor);
    if (answers.length > 0) {
      // Unknown everywhere = unknown to this worker and to every sibling that answered.
      const unknownTo = answers.filter((a): a is string[] => Array.isArray(a)).map((a) => new Set(a));
      const stillUnknown = result.unknown.filter((id) => unknownTo.every((ids) => ids.has(id)));
      result.joined += result.unknown.length - stillUnknown.length;
      result.unknown = stillUnknown;
    }
  }
  feedback.countUnknown(result.unknown.length);
  return result;
}
