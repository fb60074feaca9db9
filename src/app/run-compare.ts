// Several tracked runs side by side, for the dashboard's /compare page and `millrace runs compare`: their params (and
// which differ), their metrics (and which run holds the best value of each), their per-fold CV series.
import { ValidationError } from "../errors.js";
import { METRICS } from "../learn/metric-registry.js";
import type { MetricPoint, Run } from "../records.js";
import type { MetadataStore } from "../store/metadata-store.js";

export const MAX_COMPARE = 10;

export interface RunComparison {
  runs: Run[];
  /** Per run id: its per-fold series (`cv_<metric>`, a fold per step). */
  series: Record<string, Record<string, MetricPoint[]>>;
  metricKeys: string[];
  /** Params whose values differ between the runs. */
  differingParams: string[];
  /** Per metric whose direction is known: the ids of the runs holding its best value (absent when under two runs have it). */
  best: Record<string, string[]>;
}

/**
 * Which way a metric key is better: a registry metric (roc_auc, cv_roc_auc_mean → roc_auc) as the registry says;
 * spreads (_std) and timings (_seconds) smaller; anything else (shap/…, counts) has no best.
 */
export function metricDirection(key: string): "higher" | "lower" | null {
  if (/_std$|_seconds$/.test(key)) return "lower";
  const def = METRICS.get(key.replace(/^cv_/, "").replace(/_(mean|compared_mean)$/, ""));
  return def ? (def.higherIsBetter ? "higher" : "lower") : null;
}

/** Every metric key the runs logged, sorted. */
export function metricKeysOf(runs: Run[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
}

function bestOf(runs: Run[], keys: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k of keys) {
    const dir = metricDirection(k);
    const have = runs.filter((r) => Number.isFinite(r.metrics[k]));
    if (!dir || have.length < 2) continue;
    const values = have.map((r) => r.metrics[k]);
    const best = dir === "higher" ? Math.max(...values) : Math.min(...values);
    out[k] = have.filter((r) => r.metrics[k] === best).map((r) => r.id);
  }
  return out;
}

/** The per-fold series of a run: its `cv_` metrics logged at more than one step. */
async function foldSeries(meta: MetadataStore, run: Run): Promise<Record<string, MetricPoint[]>> {
  const out: Record<string, MetricPoint[]> = {};
  for (const key of Object.keys(run.metrics).filter((k) => k.startsWith("cv_")).sort()) {
    const points = await meta.metricHistory(run.id, key);
    if (points.length > 1) out[key] = points;
  }
  return out;
}

/** Compares 2 to MAX_COMPARE runs by id (`resolve` turns what the user typed into a run, or throws a not-found). */
export async function compareRuns(meta: MetadataStore, ids: string[], resolve: (id: string) => Promise<Run>): Promise<RunComparison> {
  const unique = [...new Set(ids)];
  if (unique.length < 2 || unique.length > MAX_COMPARE) {
    throw new ValidationError(`compare takes 2 to ${MAX_COMPARE} run ids, got ${unique.length}`, { path: "ids", hint: "name 2 or more different runs (millrace runs --all lists them)" });
  }
  const runs: Run[] = [];
  const series: RunComparison["series"] = {};
  for (const id of unique) {
    const run = await resolve(id);
    if (series[run.id]) throw new ValidationError(`run ids "${id}" and another name the same run ${run.id.slice(0, 8)}`, { path: "ids", hint: "name different runs" });
    runs.push(run);
    series[run.id] = await foldSeries(meta, run);
  }
  const paramKeys = new Set(runs.flatMap((r) => Object.keys(r.params)));
  const differingParams = [...paramKeys].filter((k) => new Set(runs.map((r) => JSON.stringify(r.params[k] ?? null))).size > 1).sort();
  const metricKeys = metricKeysOf(runs);
  return { runs, series, metricKeys, differingParams, best: bestOf(runs, metricKeys) };
}
