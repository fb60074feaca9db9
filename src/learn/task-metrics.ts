// The metric set reported for each task (the names the contract promises), computed from model outputs.

import type { Task } from "../records.js";
import { METRICS, type ScoredRows } from "./metric-registry.js";

/**
 * Metrics of predictions against truth: every registered metric the task measures (metric-registry.ts).
 * Classification: `y` holds class indices and `out` is row-major n x k probabilities (binary: k = 2, class 1
 * positive, threshold 0.5). Regression: `out` holds values. A metric that is undefined on these rows (ROC-AUC with
 * one class present) is left out, never NaN.
 */
export function taskMetrics(task: Task, y: ArrayLike<number>, out: ArrayLike<number>, k: number): Record<string, number> {
  const n = y.length;
  if (n === 0) return {};
  const rows: ScoredRows = { y, out, k, pred: new Int32Array(0), p1: new Float64Array(0) };
  if (task === "binary") {
    rows.pred = new Int32Array(n);
    rows.p1 = new Float64Array(n);
    for (let i = 0; i < n; i++) (rows.p1[i] = out[i * 2 + 1]), (rows.pred[i] = rows.p1[i] >= 0.5 ? 1 : 0);
  } else if (task === "multiclass") {
    rows.pred = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (out[i * k + c] > out[i * k + best]) best = c;
      rows.pred[i] = best;
    }
  }
  const m: Record<string, number> = {};
  for (const def of METRICS.values()) {
    const v = def.compute[task]?.(rows);
    if (v !== undefined) m[def.name] = v;
  }
  return m;
}

/** "<metric>_mean" and "<metric>_std" (population std) over folds, for metrics present in every fold. */
export function summarizeFolds(folds: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (folds.length === 0) return out;
  for (const key of Object.keys(folds[0])) {
    if (!folds.every((f) => key in f)) continue;
    const vals = folds.map((f) => f[key]);
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
    out[`${key}_mean`] = mean;
    out[`${key}_std`] = Math.sqrt(variance);
  }
  return out;
}
