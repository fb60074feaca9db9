// The monitoring page's data: serving health read from this server's own GET /metrics (requests, errors, latency
// percentiles, per-version counts, live metrics from feedback, alerts fired), rates from successive scrapes kept here,
// the prediction log's volume on disk per version, and drift per served version (the drift page's computation).
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Hono } from "hono";
import { driftOfVersion, referencesOf } from "../app/drift.js";
import { servingAlias } from "../app/workspace.js";
import { describeError, NotFoundError } from "../errors.js";
import { versionDir } from "../monitor/prediction-log.js";
import type { ModelVersion } from "../records.js";
import type { UiData } from "./data.js";
import { handle } from "./http.js";
import { bucketDelta, bucketsOf, parseExposition, quantile, requestCounts, total, type PromSample } from "./monitoring-metrics.js";
import type { MonitoringResponse, MonitoringPoint, VersionHealth } from "./types.js";

const LATENCY = "millrace_predict_duration_seconds";
/** Scrapes kept for the charts (one per second at most: 10 minutes of a page polling every 2 s). */
const MAX_SAMPLES = 300;
const MIN_GAP_MS = 1000;
/** Drift is recomputed at most this often per version (it reads the log window and compares every column). */
const DRIFT_TTL_MS = 30_000;

interface Scrape {
  at: number;
  counts: ReturnType<typeof requestCounts>;
  predictions: number;
  latency: Map<number, number>;
}

const ms = (s: number | null) => (s === null ? null : s * 1000);

/** A point per pair of successive scrapes: request rate, 5xx share, latency percentiles of the requests between them. */
export function pointsOf(scrapes: Scrape[]): MonitoringPoint[] {
  const out: MonitoringPoint[] = [];
  for (let i = 1; i < scrapes.length; i++) {
    const [a, b] = [scrapes[i - 1], scrapes[i]];
    const secs = (b.at - a.at) / 1000;
    // A restarted server's counters start again from 0: that window says nothing.
    if (secs <= 0 || b.counts.requests < a.counts.requests) continue;
    const requests = b.counts.requests - a.counts.requests;
    const window = bucketDelta(b.latency, a.latency);
    out.push({
      at: new Date(b.at).toISOString(),
      requestsPerSecond: requests / secs,
      predictionsPerSecond: Math.max(0, b.predictions - a.predictions) / secs,
      errorRate: requests ? (b.counts.errors - a.counts.errors) / requests : null,
      p50Ms: ms(quantile(0.5, window)),
      p99Ms: ms(quantile(0.99, window)),
    });
  }
  return out;
}

/** Per served or counted version: records scored, /predict latency, live metrics from feedback beside training's. */
export function versionsOf(samples: PromSample[]): Omit<VersionHealth, "trainingMetrics" | "log" | "drift">[] {
  const keys = new Map<string, { model: string; version: number }>();
  for (const s of samples) {
    if ((s.name === "millrace_model_info" && s.value > 0) || s.name === "millrace_predictions_total" || s.name === `${LATENCY}_count` || s.name === "millrace_live_metric") {
      if (s.labels.model && s.labels.version) keys.set(`${s.labels.model}@${s.labels.version}`, { model: s.labels.model, version: Number(s.labels.version) });
    }
  }
  return [...keys.values()].map(({ model, version }) => {
    const mine = (l: Record<string, string>) => l.model === model && l.version === String(version);
    const info = samples.filter((s) => s.name === "millrace_model_info" && s.value > 0 && mine(s.labels));
    const latency = bucketsOf(samples, LATENCY, mine);
    const metricOf = (name: string) => Object.fromEntries(samples.filter((s) => s.name === name && mine(s.labels)).map((s) => [s.labels.metric, s.value]));
    return {
      model,
      version,
      roles: info.map((s) => ({ role: s.labels.role ?? "", alias: s.labels.alias || null })),
      predictions: total(samples, "millrace_predictions_total", mine),
      requests: total(samples, `${LATENCY}_count`, mine),
      p50Ms: ms(quantile(0.5, latency)),
      p99Ms: ms(quantile(0.99, latency)),
      liveMetrics: metricOf("millrace_live_metric"),
      decay: metricOf("millrace_metric_decay"),
      outOfRange: total(samples, "millrace_predict_out_of_range_total", mine),
    };
  });
}

export function monitoringRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  const scrapes: Scrape[] = [];
  const drifts = new Map<string, { at: number; value: Promise<VersionHealth["drift"]> }>();

  const scrape = async (url: string): Promise<{ samples: PromSample[] | null; error: string | null }> => {
    try {
      const res = await fetch(new URL("/metrics", url), { signal: AbortSignal.timeout(3000) });
      if (!res.ok) return { samples: null, error: `GET /metrics answered ${res.status}` };
      const samples = parseExposition(await res.text());
      const now = Date.now();
      const last = scrapes[scrapes.length - 1];
      if (!last || now - last.at >= MIN_GAP_MS) {
        scrapes.push({ at: now, counts: requestCounts(samples), predictions: total(samples, "millrace_predictions_total"), latency: bucketsOf(samples, LATENCY) });
        if (scrapes.length > MAX_SAMPLES) scrapes.shift();
      }
      return { samples, error: null };
    } catch (e) {
      return { samples: null, error: `this server's GET /metrics could not be read: ${describeError(e)}` };
    }
  };

  const driftOf = (mv: ModelVersion): Promise<VersionHealth["drift"]> => {
    const key = `${mv.name}@${mv.version}`;
    const hit = drifts.get(key);
    if (hit && Date.now() - hit.at < DRIFT_TTL_MS) return hit.value;
    const value = (async (): Promise<VersionHealth["drift"]> => {
      try {
        const { drift } = await driftOfVersion(data.project, mv, { reference: referencesOf(data), limit: data.project.config.monitor.window_rows });
        const r = drift.report;
        return {
          status: !drift.enoughRows ? "no verdict" : r.datasetDrift ? "drift" : "stable",
          drifted: r.driftedColumns,
          columns: r.columns.length,
          rows: r.currentRows,
          minRows: drift.minRows,
          message: null,
        };
      } catch (e) {
        if (e instanceof NotFoundError) return { status: "no traffic", drifted: 0, columns: 0, rows: 0, minRows: data.project.config.monitor.min_rows, message: e.message };
        throw e;
      }
    })();
    value.catch(() => drifts.delete(key));
    drifts.set(key, { at: Date.now(), value });
    return value;
  };

  api.get(
    "/monitoring",
    handle(async (c): Promise<MonitoringResponse> => {
      const cfg = data.project.config;
      const { meta } = await data.meta();
      const { samples, error } = await scrape(c.req.url);
      const counted = samples ? versionsOf(samples) : [];
      // The versions to show: those the server reports; without its metrics, the one the serving alias names.
      const all = await meta.listModelVersions();
      const find = (model: string, version: number) => all.find((v) => v.name === model && v.version === version);
      let versions = counted.filter((v) => find(v.model, v.version));
      if (!samples) {
        const served = all.find((v) => v.name === cfg.registry.model && v.aliases.includes(servingAlias(data.project)));
        versions = served ? [{ model: served.name, version: served.version, roles: [{ role: "primary", alias: servingAlias(data.project) }], predictions: 0, requests: 0, p50Ms: null, p99Ms: null, liveMetrics: {}, decay: {}, outOfRange: 0 }] : [];
      }
      const health = await Promise.all(
        versions.map(async (v): Promise<VersionHealth> => {
          const mv = find(v.model, v.version)!;
          return { ...v, trainingMetrics: mv.metrics, log: await logVolume(data.project.paths.predictions, mv.name, mv.version), drift: await driftOf(mv) };
        }),
      );
      const last = samples ? requestCounts(samples) : null;
      const latency = samples ? bucketsOf(samples, LATENCY) : null;
      return {
        serving: samples
          ? {
              scrapedAt: new Date().toISOString(),
              requests: last!.requests,
              errors: last!.errors,
              clientErrors: last!.clientErrors,
              p50Ms: ms(quantile(0.5, latency!)),
              p99Ms: ms(quantile(0.99, latency!)),
              logDropped: total(samples, "millrace_prediction_log_dropped_total"),
              feedback: Object.fromEntries(samples.filter((s) => s.name === "millrace_feedback_total").map((s) => [s.labels.outcome, s.value])),
              alerts: samples.filter((s) => s.name === "millrace_alerts_total" && s.value > 0).map((s) => ({ rule: s.labels.rule ?? "", kind: s.labels.kind ?? "", model: s.labels.model ?? "", count: s.value })),
              series: pointsOf(scrapes),
            }
          : null,
        servingError: error,
        versions: health,
        registry: { model: cfg.registry.model, alias: servingAlias(data.project), versions: all.filter((v) => v.name === cfg.registry.model).length },
        predictionLog: data.project.paths.predictions,
      };
    }, log),
  );
}

/** Files, bytes and the newest write of a version's prediction log (closed NDJSON, Parquet parts and the active file). */
async function logVolume(root: string, model: string, version: number): Promise<VersionHealth["log"]> {
  const dir = versionDir(root, model, version);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { files: 0, bytes: 0, newest: null, dir };
  }
  let bytes = 0;
  let newest = 0;
  let files = 0;
  for (const n of names) {
    if (n.endsWith(".tmp")) continue;
    try {
      const s = await stat(join(dir, n));
      if (!s.isFile()) continue;
      files++;
      bytes += s.size;
      newest = Math.max(newest, s.mtimeMs);
    } catch {
      // compacted or rotated between the listing and the stat
    }
  }
  return { files, bytes, newest: newest ? new Date(newest).toISOString() : null, dir };
}
