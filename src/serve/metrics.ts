// The serving layer's Prometheus metrics (names used verbatim by the Grafana dashboard), registered once per registry.
import { Counter, Gauge, Histogram, Registry, type Metric } from "prom-client";

/** Latency buckets in seconds: fine below 5 ms, where a healthy /predict lives. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const VALUE_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1];

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
  return {
    registry,
    requests: once(registry, "millrace_http_requests_total", () =>
      new Counter({ name: "millrace_http_requests_total", help: "HTTP requests by route, method and status", labelNames: ["route", "method", "status"], registers: r }),
    ),
    latency: once(registry, "millrace_predict_duration_seconds", () =>
      new Histogram({
        name: "millrace_predict_duration_seconds",
        help: "Time to answer a prediction request (parse, validate, score, log), by model and version",
        labelNames: ["model", "version"],
        buckets: LATENCY_BUCKETS,
        registers: r,
      }),
    ),
    predictions: once(registry, "millrace_predictions_total", () =>
      new Counter({ name: "millrace_predictions_total", help: "Records scored, by model and version", labelNames: ["model", "version"], registers: r }),
    ),
    predictionValue: once(registry, "millrace_prediction_value", () =>
      new Histogram({
        name: "millrace_prediction_value",
        help: "Distribution of predicted values (positive-class probability, or the regression value); batches over 100 records are sampled",
        labelNames: ["model", "version"],
        buckets: VALUE_BUCKETS,
        registers: r,
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
}

type LabelledHistogram = ReturnType<Histogram<"model" | "version">["labels"]>;
type LabelledCounter = ReturnType<Counter<string>["labels"]>;

/** A model version's labelled metrics. */
export interface VersionMetrics {
  latency: LabelledHistogram;
  predictions: LabelledCounter;
  predictionValue: LabelledHistogram;
}

// prom-client hashes the label values on every labels() call; a server asks for the same few children on every
// request, so they are made once per (metrics, provenance object) and per /predict status.
const byVersion = new WeakMap<ServeMetrics, WeakMap<object, VersionMetrics>>();
const byStatus = new WeakMap<ServeMetrics, Map<number, LabelledCounter>>();

export function versionMetrics(metrics: ServeMetrics, provenance: { model: string; version: number }): VersionMetrics {
  let forMetrics = byVersion.get(metrics);
  if (!forMetrics) byVersion.set(metrics, (forMetrics = new WeakMap()));
  let m = forMetrics.get(provenance);
  if (!m) {
    const version = String(provenance.version);
    m = {
      latency: metrics.latency.labels(provenance.model, version),
      predictions: metrics.predictions.labels(provenance.model, version),
      predictionValue: metrics.predictionValue.labels(provenance.model, version),
    };
    forMetrics.set(provenance, m);
  }
  return m;
}

/** The request counter of POST /predict for one status code. */
export function predictRequests(metrics: ServeMetrics, status: number): LabelledCounter {
  let forMetrics = byStatus.get(metrics);
  if (!forMetrics) byStatus.set(metrics, (forMetrics = new Map()));
  let c = forMetrics.get(status);
  if (!c) forMetrics.set(status, (c = metrics.requests.labels("/predict", "POST", String(status))));
  return c;
}
