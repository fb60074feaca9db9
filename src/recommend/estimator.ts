// The recommender contract, src/learn's estimator shape on interactions: constructor options are the
// hyperparameters (getParams / setParams / clone), fit() returns a separate FittedRecommender.

import type { Params } from "../learn/params.js";
import type { RecTrainingData } from "./interactions.js";

export interface Recommender {
  readonly name: string;
  getParams(): Params;
  setParams(partial: Record<string, unknown>): Recommender;
  clone(): Recommender;
  fit(data: RecTrainingData): FittedRecommender;
}

export interface FittedRecommender {
  readonly name: string;
  /** True when predict() estimates ratings (RMSE / MAE mean something); false for implicit scores (als). */
  readonly rates: boolean;
  /** Estimates for (user, item) code pairs; a code of -1 is a user or item unseen in training. */
  predict(users: Int32Array, items: Int32Array): Float64Array;
  /** Scores of every item for one known user, written into out (length nItems); higher = recommend first. */
  scoreItems(user: number, out: Float64Array): void;
  /** Everything needed to rebuild the fitted model: plain values and typed arrays only. */
  state(): Record<string, unknown>;
}
