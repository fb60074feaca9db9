// The shape of a model version's evaluation report (src/app/evaluation.ts computes it), apart from the code that
// computes it so the dashboard's browser build reads the type without the learners behind it.
import type { Task } from "../records.js";

export interface EvaluationReport {
  format: number;
  model: string;
  version: number;
  runId: string;
  datasetId: string;
  task: Task;
  /** Test rows scored: rows of the dataset this version was registered with that it did not train on. */
  testRows: number;
  trainRows: number;
  classes: string[] | null;
  /** Metrics recomputed on those rows (equal to the version's registered test metrics). */
  metrics: Record<string, number>;
  binary: BinaryEvaluation | null;
  multiclass: { confusion: number[][] } | null;
  regression: RegressionEvaluation | null;
  /** Permutation importance on the test rows: how much `metric` worsens when one feature's values are shuffled. */
  importance: { metric: string; higherIsBetter: boolean; repeats: number; features: { feature: string; drop: number }[] };
  /**
   * Mean |SHAP value| per feature over (a sample of) the test rows, for the output explained (the positive class, or
   * the value): TreeSHAP for tree models, coefficient × value for linear ones; null when the learner cannot explain.
   */
  shap: { output: string; scale: string; rows: number; features: { feature: string; meanAbs: number }[] } | null;
  computedAt: string;
  computeMs: number;
}

export interface BinaryEvaluation {
  positive: string;
  negative: string;
  positives: number;
  negatives: number;
  roc: { fpr: number[]; tpr: number[]; thresholds: number[]; auc: number | null };
  pr: { precision: number[]; recall: number[]; thresholds: number[]; averagePrecision: number | null };
  /** Confusion counts when "positive" means p >= threshold, at thresholds 0, 0.01, …, 1. */
  byThreshold: { threshold: number[]; tp: number[]; fp: number[]; fn: number[]; tn: number[] };
  calibration: { predicted: number[]; observed: number[]; count: number[] };
}

export interface RegressionEvaluation {
  /** An even sample of the test rows: truth, prediction and residual (truth − prediction). */
  actual: number[];
  predicted: number[];
  residual: number[];
  /** Residual histogram: equal-width bins between edges[0] and edges[last]. */
  histogram: { edges: number[]; counts: number[] };
}
