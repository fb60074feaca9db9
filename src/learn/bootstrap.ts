// Paired bootstrap of a metric difference between two models scored on the same rows: the same resample (a count
// per row) weighs both models' rows, so the interval reflects the difference, not each model's own noise.
import type { Task } from "../records.js";
import { Rng } from "./rng.js";
import { taskMetrics } from "./task-metrics.js";

/** One model's answers on the comparison rows: class indices (or values) and row-major outputs, as taskMetrics takes. */
export interface ScoredRows {
  y: Float64Array;
  out: Float64Array;
  /** Classes of the output (0 for regression). */
  k: number;
}

export interface PairedBootstrapResult {
  rows: number;
  resamples: number;
  /** The metric of each model on all comparison rows. */
  a: number;
  b: number;
  /** b − a in the metric's units, and the percentile interval of the resampled differences. */
  diff: number;
  lo: number;
  hi: number;
  level: number;
}

/** A metric over rows weighted by counts (a bootstrap resample), or null to fall back to recomputing on a copy. */
type Weighted = (w: Float64Array) => number;

const EPS = 1e-15;

/**
 * Resamples the rows `resamples` times (fewer when rows × resamples would pass 2e8 row visits, at least 200), and
 * returns the `level` percentile interval of metric(b) − metric(a).
 */
export function pairedBootstrap(
  task: Task, metric: string, a: ScoredRows, b: ScoredRows, opts: { resamples: number; seed: number; level?: number },
): PairedBootstrapResult {
  const n = a.y.length;
  const level = opts.level ?? 0.95;
  const scoreA = taskMetrics(task, a.y, a.out, a.k)[metric] ?? NaN;
  const scoreB = taskMetrics(task, b.y, b.out, b.k)[metric] ?? NaN;
  const resamples = n === 0 ? 0 : Math.max(200, Math.min(opts.resamples, Math.floor(2e8 / n)));
  const fa = resampledMetric(task, metric, a, "weighted");
  const fb = resampledMetric(task, metric, b, "weighted");
  const rng = new Rng(opts.seed ^ 0x0b00);
  const w = new Float64Array(n);
  const diffs: number[] = [];
  for (let r = 0; r < resamples; r++) {
    w.fill(0);
    for (let j = 0; j < n; j++) w[Math.floor(rng.next() * n)]++;
    const d = fb(w) - fa(w);
    if (Number.isFinite(d)) diffs.push(d);
  }
  diffs.sort((x, y) => x - y);
  const q = (p: number) => (diffs.length ? diffs[Math.min(diffs.length - 1, Math.max(0, Math.floor(p * diffs.length)))] : NaN);
  return { rows: n, resamples, a: scoreA, b: scoreB, diff: scoreB - scoreA, lo: q((1 - level) / 2), hi: q(1 - (1 - level) / 2), level };
}

/** A metric of resampled rows: by weights where the metric has that form ("weighted", the fast path), or on copies. */
export function resampledMetric(task: Task, metric: string, s: ScoredRows, mode: "weighted" | "copies"): (w: Float64Array) => number {
  return (mode === "weighted" ? weighted(task, metric, s) : null) ?? recompute(task, metric, s);
}

/** Fallback for metrics without a weighted form: expand the resample into a copy and compute it as usual. */
function recompute(task: Task, metric: string, s: ScoredRows): Weighted {
  const k = Math.max(1, s.k);
  return (w) => {
    let m = 0;
    for (let i = 0; i < w.length; i++) m += w[i];
    const y = new Float64Array(m);
    const out = new Float64Array(m * k);
    let j = 0;
    for (let i = 0; i < w.length; i++) {
      for (let c = 0; c < w[i]; c++, j++) {
        y[j] = s.y[i];
        for (let t = 0; t < k; t++) out[j * k + t] = s.out[i * k + t];
      }
    }
    return taskMetrics(task, y, out, s.k)[metric] ?? NaN;
  };
}

/** Mean of per-row values under the weights. */
function weightedMean(values: Float64Array): Weighted {
  return (w) => {
    let s = 0;
    let m = 0;
    for (let i = 0; i < values.length; i++) (s += w[i] * values[i]), (m += w[i]);
    return m === 0 ? NaN : s / m;
  };
}

function weighted(task: Task, metric: string, s: ScoredRows): Weighted | null {
  const { y, out, k } = s;
  const n = y.length;
  if (task === "regression") {
    const per = (f: (e: number, yi: number) => number) => Float64Array.from(y, (yi, i) => f(out[i] - yi, yi));
    if (metric === "mae") return weightedMean(per((e) => Math.abs(e)));
    if (metric === "mape") return weightedMean(per((e, yi) => Math.abs(e) / Math.max(Math.abs(yi), 2.220446049250313e-16)));
    if (metric === "rmse" || metric === "mse") {
      const mse = weightedMean(per((e) => e * e));
      return metric === "rmse" ? (w) => Math.sqrt(mse(w)) : mse;
    }
    if (metric === "r2") {
      return (w) => {
        let m = 0;
        let mean = 0;
        for (let i = 0; i < n; i++) (m += w[i]), (mean += w[i] * y[i]);
        mean /= m;
        let res = 0;
        let tot = 0;
        for (let i = 0; i < n; i++) (res += w[i] * (y[i] - out[i]) ** 2), (tot += w[i] * (y[i] - mean) ** 2);
        return tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
      };
    }
    return null;
  }
  if (task === "binary") {
    const p = Float64Array.from({ length: n }, (_, i) => out[i * 2 + 1]);
    if (metric === "roc_auc") return weightedAuc(y, p);
    if (metric === "accuracy") return weightedMean(Float64Array.from(y, (yi, i) => ((p[i] >= 0.5 ? 1 : 0) === yi ? 1 : 0)));
    if (metric === "log_loss") return weightedMean(Float64Array.from(y, (yi, i) => -Math.log(yi === 1 ? clip(p[i]) : 1 - clip(p[i]))));
    if (metric === "brier") return weightedMean(Float64Array.from(y, (yi, i) => (p[i] - yi) ** 2));
    if (metric === "precision" || metric === "recall" || metric === "f1") {
      return (w) => {
        let tp = 0;
        let fp = 0;
        let fn = 0;
        for (let i = 0; i < n; i++) {
          const pred = p[i] >= 0.5 ? 1 : 0;
          if (pred === 1 && y[i] === 1) tp += w[i];
          else if (pred === 1) fp += w[i];
          else if (y[i] === 1) fn += w[i];
        }
        const ratio = (u: number, v: number) => (v === 0 ? 0 : u / v);
        return metric === "precision" ? ratio(tp, tp + fp) : metric === "recall" ? ratio(tp, tp + fn) : ratio(2 * tp, 2 * tp + fp + fn);
      };
    }
    return null;
  }
  if (metric === "accuracy") {
    return weightedMean(Float64Array.from(y, (yi, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (out[i * k + c] > out[i * k + best]) best = c;
      return best === yi ? 1 : 0;
    }));
  }
  if (metric === "log_loss") {
    return weightedMean(Float64Array.from(y, (yi, i) => {
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.max(out[i * k + c], EPS);
      return -Math.log(Math.max(out[i * k + yi], EPS) / sum);
    }));
  }
  return null;
}

const clip = (q: number) => Math.min(Math.max(q, EPS), 1 - EPS);

/** Weighted Mann–Whitney AUC: rows sorted by score once; each resample is one pass over the tie groups. */
function weightedAuc(y: Float64Array, score: Float64Array): Weighted {
  const n = y.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  const groupEnd = new Uint32Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    for (let t = i; t <= j; t++) groupEnd[t] = j + 1;
    i = j + 1;
  }
  return (w) => {
    let negBelow = 0;
    let num = 0;
    let pos = 0;
    for (let i = 0; i < n; ) {
      const end = groupEnd[i];
      let wp = 0;
      let wn = 0;
      for (let t = i; t < end; t++) {
        const r = order[t];
        if (y[r] === 1) wp += w[r];
        else wn += w[r];
      }
      num += wp * (negBelow + 0.5 * wn);
      negBelow += wn;
      pos += wp;
      i = end;
    }
    return pos === 0 || negBelow === 0 ? NaN : num / (pos * negBelow);
  };
}
