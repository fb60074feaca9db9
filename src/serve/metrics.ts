// The serving layer's Prometheus metrics (names used verbatim by the Grafana dashboard), registered once per registry.
import { Counter, Gauge, Histogram, Registry, type Metric } from "prom-client";

/** Latency buckets in seconds: fine below 5 ms, where a healthy /predict lives. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const VALUE_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1];

// The per-request metrics (latency, predictions, prediction values, /predict requests) are counted in plain fields on
// the request path and moved into prom-client when the registry is read: prom-client hashes and validates labels on
// every observe, which cost ~5% of a single-record request. Every metric of the registry flushes all of them first.
const flushers = new WeakMap<Registry, Set<() => void>>();

function flushAll(registry: Registry): void {
  const set = flushers.get(registry);
  if (set) for (const f of set) f();
}

/** Reuses a metric already registered under this name (two apps may share one registry). */
function once<M extends Metric<string>>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export interface ServeMetrics {
  registry: Registry;
  requests: Counter<"route" | "method" | "status">;
  latency: Histogram<"model" | "version">;
  predictions: Counter<"model" | "version">;
  predictionValue: Histogram<"model" | "version">;
  logDropped: Counter<string>;
  outOfRange: Counter<"model" | "version" | "field" | "reason">;
  modelInfo: Gauge<"model" | "version" | "alias" | "run_id" | "role">;
}

export interface ServedInfo {
  model: string;
  version: number;
  alias: string | null;
  runId: string;
  role: string;
}

/** Creates (or finds) the serving metrics in `registry`; `logDrops` and `served` are read at scrape time. */
export function serveMetrics(registry: Registry, logDrops?: () => number, served?: () => ServedInfo[]): ServeMetrics {
  const r = [registry];
  let seenDrops = 0;
  const flush = () => flushAll(registry);
  const metrics: ServeMetrics = {
    registry,
    requests: once(registry, "millrace_http_requests_total", () =>
      new Counter({
        name: "millrace_http_requests_total",
        help: "HTTP requests by route, method and status",
        labelNames: ["route", "method", "status"],
        registers: r,
        collect: flush,
      }),
    ),
    latency: once(registry, "millrace_predict_duration_seconds", () =>
      new Histogram({
        name: "millrace_predict_duration_seconds",
        help: "Time to answer a prediction request (parse, validate, score, log), by model and version",
        labelNames: ["model", "version"],
        buckets: LATENCY_BUCKETS,
        registers: r,
        collect: flush,
      }),
    ),
    predictions: once(registry, "millrace_predictions_total", () =>
      new Counter({ name: "millrace_predictions_total", help: "Records scored, by model and version", labelNames: ["model", "version"], registers: r, collect: flush }),
    ),
    predictionValue: once(registry, "millrace_prediction_value", () =>
      new Histogram({
        name: "millrace_prediction_value",
        help: "Distribution of predicted values (positive-class probability, or the regression value); batches over 100 records are sampled",
        labelNames: ["model", "version"],
        buckets: VALUE_BUCKETS,
        registers: r,
        collect: flush,
      }),
    ),
    outOfRange: once(registry, "millrace_predict_out_of_range_total", () =>
      new Counter({
        name: "millrace_predict_out_of_range_total",
        help: "Input values outside what training saw (numeric range, unseen category), scored and flagged, by field",
        labelNames: ["model", "version", "field", "reason"],
        registers: r,
      }),
    ),
    logDropped: once(registry, "millrace_prediction_log_dropped_total", () =>
      new Counter({
        name: "millrace_prediction_log_dropped_total",
        help: "Prediction log entries dropped because the log queue was full",
        registers: r,
        collect() {
          // The log counts its own drops; bring the counter up to date at scrape time.
          const now = logDrops ? logDrops() : 0;
          if (now > seenDrops) this.inc(now - seenDrops);
          seenDrops = now;
        },
      }),
    ),
    modelInfo: once(registry, "millrace_model_info", () =>
      new Gauge({
        name: "millrace_model_info",
        aggregator: "max",
        help: "1 for each model version this server answers with (role: primary | canary | shadow)",
        labelNames: ["model", "version", "alias", "run_id", "role"],
        registers: r,
        collect() {
          // Read at every collection (a worker's own /metrics or the cluster primary's), so a hot swap shows at once.
          if (!served) return;
          this.reset();
          for (const m of served()) this.labels(m.model, String(m.version), m.alias ?? "", m.runId, m.role).set(1);
        },
      }),
    ),
  };
  let set = flushers.get(registry);
  if (!set) flushers.set(registry, (set = new Set()));
  set.add(() => flushPending(metrics));
  return metrics;
}

/** A counter child counted in a field; flush() adds the count to prom-client. */
export class PendingCounter {
  private n = 0;
  constructor(private readonly counter: Counter<string>, private readonly labels: Record<string, string>) {}
  inc(by = 1): void {
    this.n += by;
  }
  flush(): void {
    if (this.n === 0) return;
    const n = this.n;
    this.n = 0;
    this.counter.inc(this.labels, n);
  }
}

/** prom-client's stored values of one labelled histogram child (per-bucket counts keyed by upper bound). */
interface HistogramEntry {
  labels: Record<string, string>;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

/** A histogram child counted in a typed array; flush() adds the counts to prom-client's entry for these labels. */
export class PendingHistogram {
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;
  constructor(
    private readonly histogram: Histogram<string>,
    private readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(v: number): void {
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]) {
        this.counts[i]++;
        break;
      }
    }
    this.sum += v;
    this.count++;
  }
  flush(): void {
    if (this.count === 0) return;
    const entry = this.entry();
    for (let i = 0; i < this.bounds.length; i++) {
      entry.bucketValues[this.bounds[i]] += this.counts[i];
      this.counts[i] = 0;
    }
    entry.sum += this.sum;
    entry.count += this.count;
    this.sum = 0;
    this.count = 0;
  }
  /** prom-client has no batch observe: its entry is found by labels (zero() makes it), a shape held since v11. */
  private entry(): HistogramEntry {
    const map = (this.histogram as unknown as { hashMap: Record<string, HistogramEntry> }).hashMap;
    const find = () => Object.values(map).find((e) => Object.keys(this.labels).every((k) => e.labels[k] === this.labels[k]));
    let e = find();
    if (!e) {
      this.histogram.zero(this.labels);
      e = find();
    }
    if (!e) throw new Error("prom-client histogram internals changed: no entry after zero()");
    return e;
  }
}

/** A model version's metrics, counted on the request path and flushed when the registry is read. */
export interface VersionMetrics {
  latency: PendingHistogram;
  predictions: PendingCounter;
  predictionValue: PendingHistogram;
}

interface Pending {
  byVersion: Map<string, VersionMetrics>;
  byProvenance: WeakMap<object, VersionMetrics>;
  byRoute: Map<string, Map<number, PendingCounter>>;
}

const pendingOf = new WeakMap<ServeMetrics, Pending>();

function pending(metrics: ServeMetrics): Pending {
  let p = pendingOf.get(metrics);
  if (!p) pendingOf.set(metrics, (p = { byVersion: new Map(), byProvenance: new WeakMap(), byRoute: new Map() }));
  return p;
}

function flushPending(metrics: ServeMetrics): void {
  const p = pendingOf.get(metrics);
  if (!p) return;
  for (const v of p.byVersion.values()) {
    v.latency.flush();
    v.predictions.flush();
    v.predictionValue.flush();
  }
  for (const byStatus of p.byRoute.values()) for (const c of byStatus.values()) c.flush();
}

/** The metrics of a model version, made once per (metrics, provenance object); one set per (model, version). */
export function versionMetrics(metrics: ServeMetrics, provenance: { model: string; version: number }): VersionMetrics {
  const p = pending(metrics);
  let m = p.byProvenance.get(provenance);
  if (!m) {
    const version = String(provenance.version);
    const key = `${provenance.model}\u0000${version}`;
    m = p.byVersion.get(key);
    if (!m) {
      const labels = { model: provenance.model, version };
      m = {
        latency: new PendingHistogram(metrics.latency, labels, LATENCY_BUCKETS),
        predictions: new PendingCounter(metrics.predictions, labels),
        predictionValue: new PendingHistogram(metrics.predictionValue, labels, VALUE_BUCKETS),
      };
      p.byVersion.set(key, m);
    }
    p.byProvenance.set(provenance, m);
  }
  return m;
}

/** The request counter of a POST scoring route (its Hono route path: /predict, /v2/models/:name/infer, ...) for one status. */
export function predictRequests(metrics: ServeMetrics, status: number, route = "/predict"): PendingCounter {
  const p = pending(metrics);
  let byStatus = p.byRoute.get(route);
  if (!byStatus) p.byRoute.set(route, (byStatus = new Map()));
  let c = byStatus.get(status);
  if (!c) byStatus.set(status, (c = new PendingCounter(metrics.requests, { route, method: "POST", status: String(status) })));
  return c;
}
