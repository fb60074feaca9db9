// The metrics Millrace measures, one value each (name, direction, computation per task): every consumer (task
// metrics, search, gate, decay, importance, config checks) asks this registry, so a metric is added in one place.

import { ValidationError } from "../errors.js";
import type { Task } from "../records.js";
import { averagePrecision, brierScore } from "./curves.js";
import {
  accuracy, balancedAccuracy, f1, f1Macro, logLoss, mae, mape, multiLogLoss, precision, r2, recall, rmse, rocAuc, rocAucOvrMacro,
} from "./metrics.js";

/** Model outputs prepared once per evaluation, shared by every metric of the task. */
export interface ScoredRows {
  /** Class index (classification) or true value (regression). */
  y: ArrayLike<number>;
  /** Regression: predicted values. Classification: row-major n x k probabilities. */
  out: ArrayLike<number>;
  k: number;
  /** Classification: the predicted class (binary: threshold 0.5 on class 1; multiclass: argmax). */
  pred: Int32Array;
  /** Binary: the probability of class 1. */
  p1: Float64Array;
}

/** A metric's value on some rows; undefined when it is not defined there (ROC-AUC with one class): left out. */
export type MetricFn = (s: ScoredRows) => number | undefined;

export interface MetricDef {
  name: string;
  /** True when a larger value is a better model (accuracy); false for errors and losses (rmse, brier). */
  higherIsBetter: boolean;
  /** How each task that reports the metric computes it; a task absent here does not measure it. */
  compute: Partial<Record<Task, MetricFn>>;
  /** When compute can leave it out (undefined on some rows), why: what `train` prints for it. */
  undefinedWhen?: string;
}

const defined = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);

/** Both classes present in 0/1 labels: the threshold-free binary metrics need them. */
function twoClasses(y: ArrayLike<number>): boolean {
  let pos = false;
  let neg = false;
  for (let i = 0; i < y.length && !(pos && neg); i++) (y[i] === 1 ? (pos = true) : (neg = true));
  return pos && neg;
}

function mse(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - pred[i]) ** 2;
  return s / y.length;
}

// Order here is the order a task's metrics are reported in.
const DEFINITIONS: readonly MetricDef[] = [
  { name: "accuracy", higherIsBetter: true, compute: { binary: (s) => accuracy(s.y, s.pred), multiclass: (s) => accuracy(s.y, s.pred) } },
  { name: "precision", higherIsBetter: true, compute: { binary: (s) => precision(s.y, s.pred) } },
  { name: "recall", higherIsBetter: true, compute: { binary: (s) => recall(s.y, s.pred) } },
  { name: "f1", higherIsBetter: true, compute: { binary: (s) => f1(s.y, s.pred) } },
  { name: "f1_macro", higherIsBetter: true, compute: { multiclass: (s) => f1Macro(s.y, s.pred, s.k) } },
  {
    name: "balanced_accuracy",
    higherIsBetter: true,
    compute: { binary: (s) => balancedAccuracy(s.y, s.pred, 2), multiclass: (s) => balancedAccuracy(s.y, s.pred, s.k) },
  },
  { name: "roc_auc", higherIsBetter: true, compute: { binary: (s) => defined(rocAuc(s.y, s.p1)), multiclass: (s) => defined(rocAucOvrMacro(s.y, s.out, s.k)) }, undefinedWhen: "the test rows hold only one class" },
  { name: "pr_auc", higherIsBetter: true, compute: { binary: (s) => (twoClasses(s.y) ? averagePrecision(s.y, s.p1) : undefined) }, undefinedWhen: "the test rows hold only one class" },
  { name: "log_loss", higherIsBetter: false, compute: { binary: (s) => logLoss(s.y, s.p1), multiclass: (s) => multiLogLoss(s.y, s.out, s.k) } },
  { name: "brier", higherIsBetter: false, compute: { binary: (s) => brierScore(s.y, s.p1) } },
  { name: "rmse", higherIsBetter: false, compute: { regression: (s) => rmse(s.y, s.out) } },
  { name: "mse", higherIsBetter: false, compute: { regression: (s) => mse(s.y, s.out) } },
  { name: "mae", higherIsBetter: false, compute: { regression: (s) => mae(s.y, s.out) } },
  { name: "r2", higherIsBetter: true, compute: { regression: (s) => defined(r2(s.y, s.out)) }, undefinedWhen: "it needs 2 or more test rows" }, // NaN (sklearn): left out
  // Undefined (left out) when a true value is 0: it divides by a 2.2e-16 floor there and prints 1.6e15 (sklearn does too).
  { name: "mape", higherIsBetter: false, compute: { regression: (s) => (hasZero(s.y) ? undefined : mape(s.y, s.out)) }, undefinedWhen: "the target is 0 in some test rows" },
  // Recommendation (top-10 lists per user): computed by src/recommend/metrics.ts on ranked lists, not on scored rows,
  // so no tabular task computes them; registered for their direction (the gate, decay, runs sorting).
  { name: "precision_at_10", higherIsBetter: true, compute: {} },
  { name: "recall_at_10", higherIsBetter: true, compute: {} },
  { name: "ndcg_at_10", higherIsBetter: true, compute: {} },
  { name: "map_at_10", higherIsBetter: true, compute: {} },
  { name: "hit_rate_at_10", higherIsBetter: true, compute: {} },
  { name: "coverage_at_10", higherIsBetter: true, compute: {} },
];

export const METRICS: ReadonlyMap<string, MetricDef> = new Map(DEFINITIONS.map((d) => [d.name, d]));

/** The metrics a task reports, in report order. */
export function metricsOfTask(task: Task): string[] {
  return DEFINITIONS.filter((d) => d.compute[task] !== undefined).map((d) => d.name);
}

/** The metric a task ranks candidates by when train.metric is not set. */
export function defaultMetric(task: Task | "recommendation"): string {
  return task === "regression" ? "rmse" : task === "recommendation" ? "ndcg_at_10" : "roc_auc";
}

/** A registered metric; an unknown name is an error listing the known ones (`path` names the config field). */
export function metricDef(name: string, path = "metric"): MetricDef {
  const def = METRICS.get(name) ?? rankingAtK(name);
  if (!def) throw new ValidationError(`unknown metric "${name}"`, { path, hint: `known metrics: ${[...METRICS.keys()].join(", ")}` });
  return def;
}

/** Ranking metrics at any K (dataset.k of a recommendation project: ndcg_at_5, precision_at_20, …): higher is better. */
function rankingAtK(name: string): MetricDef | undefined {
  return /^(precision|recall|ndcg|map|hit_rate|coverage)_at_[1-9][0-9]*$/.test(name) ? { name, higherIsBetter: true, compute: {} } : undefined;
}

export function higherIsBetter(metric: string): boolean {
  return metricDef(metric).higherIsBetter;
}

/** +1 when higher is better, -1 when lower is: multiply a metric by it and "larger" means "better". */
export function metricSign(metric: string): 1 | -1 {
  return higherIsBetter(metric) ? 1 : -1;
}

/** How much worse `now` is than `before` in the metric's own units (positive = worse), whatever its direction. */
export function metricDecay(metric: string, before: number, now: number): number {
  return higherIsBetter(metric) ? before - now : now - before;
}

function hasZero(y: ArrayLike<number>): boolean {
  for (let i = 0; i < y.length; i++) if (y[i] === 0) return true;
  return false;
}
