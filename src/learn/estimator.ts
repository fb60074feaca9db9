// The learner contract: an Estimator holds hyperparameters; fit() returns a separate FittedEstimator.

import type { FeatureMatrix } from "../features/matrix.js";
import type { Explanation } from "./explain/tree-shap.js";
import type { Params } from "./params.js";

export interface TrainingData {
  X: FeatureMatrix;
  /** Class index (0..nClasses-1) for classification, the value for regression. */
  y: Float64Array;
  /** 0 for regression; 2 for binary. */
  nClasses: number;
  weights?: Float64Array;
  /** Held-out rows for early stopping (learners that support it). */
  valid?: { X: FeatureMatrix; y: Float64Array; weights?: Float64Array };
  seed: number;
  onProgress?: (done: number, total: number) => void;
  /** Learners that fit in rounds report their loss curve here (round = 1, 2, …; keys like "train_binary_logloss"). */
  onRound?: (round: number, values: Record<string, number>) => void;
}

export interface Estimator {
  readonly name: string;
  getParams(): Params;
  setParams(partial: Record<string, unknown>): Estimator;
  clone(): Estimator;
  fit(data: TrainingData): FittedEstimator | Promise<FittedEstimator>;
}

export interface FittedEstimator {
  readonly name: string;
  /** Classification: row-major n x nClasses probabilities. Regression: n values. */
  predict(X: FeatureMatrix): Float64Array;
  /** predict(X) written into `out` (at least as long as predict's answer) instead of a new array: the serving path. */
  predictInto?(X: FeatureMatrix, out: Float64Array): void;
  /** Everything needed to rebuild the fitted model: plain values and typed arrays only. */
  state(): Record<string, unknown>;
  /** Importance per input column (by name), when the learner has a notion of it. */
  importance?(kind?: string): Record<string, number>;
  /**
   * Per-row additive contributions of each column to the raw score (TreeSHAP for trees, coefficient × value for
   * linear models); each row's contributions plus its expected value equal `explainRaw`'s score.
   */
  explain?(X: FeatureMatrix): Explanation;
  /** Estimated nanoseconds `explain` spends per row (absent: cheap, as for linear models). */
  explainNanosPerRow?(): number;
}
