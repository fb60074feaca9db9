// The metric set reported for each task (the names the contract promises), computed from model outputs.

import type { Task } from "../records.js";
import { averagePrecision, brierScore } from "./curves.js";
import {
  accuracy, balancedAccuracy, f1, f1Macro, logLoss, mae, mape, multiLogLoss, precision, r2, recall, rmse, rocAuc, rocAucOvrMacro,
} from "./metrics.js";

/**
 * Metrics of predictions against truth. Classification: `y` holds class indices and `proba` is row-major
 * n x k probabilities (binary: k = 2, class 1 positive, threshold 0.5). Regression: `proba` holds values.
 * A metric that is undefined on these rows (ROC-AUC with one class present) is left out, never NaN. Besides the
 * contract's metrics: pr_auc, brier and balanced_accuracy (binary), balanced_accuracy (multiclass), mape.
 */
export function taskMetrics(task: Task, y: ArrayLike<number>, out: ArrayLike<number>, k: number): Record<string, number> {
  const n = y.length;
  if (n === 0) return {};
  const m: Record<string, number> = {};
  if (task === "regression") {
    m.rmse = rmse(y, out);
    m.mae = mae(y, out);
    m.r2 = r2(y, out);
    m.mape = mape(y, out);
    return m;
  }
  const pred = new Int32Array(n);
  if (task === "binary") {
    const p1 = new Float64Array(n);
    for (let i = 0; i < n; i++) (p1[i] = out[i * 2 + 1]), (pred[i] = p1[i] >= 0.5 ? 1 : 0);
    m.accuracy = accuracy(y, pred);
    m.precision = precision(y, pred);
    m.recall = recall(y, pred);
    m.f1 = f1(y, pred);
    const auc = rocAuc(y, p1);
    if (!Number.isNaN(auc)) (m.roc_auc = auc), (m.pr_auc = averagePrecision(y, p1));
    m.log_loss = logLoss(y, p1);
    m.brier = brierScore(y, p1);
    m.balanced_accuracy = balancedAccuracy(y, pred, 2);
    return m;
  }
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (out[i * k + c] > out[i * k + best]) best = c;
    pred[i] = best;
  }
  m.accuracy = accuracy(y, pred);
  m.balanced_accuracy = balancedAccuracy(y, pred, k);
  m.f1_macro = f1Macro(y, pred, k);
  const auc = rocAucOvrMacro(y, out, k);
  if (!Number.isNaN(auc)) m.roc_auc = auc;
  m.log_loss = multiLogLoss(y, out, k);
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
