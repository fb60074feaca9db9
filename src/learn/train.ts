// The learning engine's entry point: train one candidate on a frame (CV on train rows, fit, test), load a model.

import type { Frame, Task } from "../records.js";
import { loadModel, type TrainedModel } from "./model.js";
import { modelKind } from "./models.js";
import { fitOptionParams, splitParams, TrainingSession } from "./session.js";
import type { StrictMode } from "./signature.js";
import { holdoutSplit } from "./split.js";
import { summarizeFolds } from "./task-metrics.js";
import type { AutoSelection } from "./auto/auto.js";

export { holdoutSplit, loadModel };
export type { TrainedModel };
export type { Frame, Task, Predictor, Signature, PredictionOutput } from "../records.js";

export interface CandidateSpec {
  name: string;
  /** "logistic_regression" | "gbdt" | "ridge" | "linear_regression" */
  model: string;
  /**
   * The learner's hyperparameters (snake_case, e.g. n_estimators), plus feature options: `strict_categories`
   * (true | false | "auto"), `target_encoding` (min categories of a text column to encode by out-of-fold target
   * means; 0 = off) and `interactions` (pairwise products of numeric inputs).
   */
  params?: Record<string, unknown>;
}

export interface TrainRequest {
  /** Every row of the dataset table: feature columns + the target column. */
  frame: Frame;
  target: string;
  /** Input column names (a subset of the frame's columns). */
  features: string[];
  task: Task;
  /** Binary: the label that is class 1 (string form of the target value). */
  positive?: string;
  /** Row indices held out for test; the rest is train. */
  testRows: Uint32Array;
  /** k-fold CV on the train rows (0 or 1 = no CV). */
  cvFolds: number;
  /** CV fold of each frame row, stable by row identity (the dataset step's hash split); else seeded folds. */
  foldOf?: Int32Array;
  seed: number;
  candidate: CandidateSpec;
  /** Whether string inputs reject unseen categories at serving time; "auto" (default): when <= 50 categories. */
  strictCategories?: StrictMode;
  /** A numeric column of per-row sample weights (>= 0), not a feature. */
  weight?: string;
  onProgress?: (p: { stage: string; done: number; total: number }) => void;
}

export interface TrainResult {
  model: TrainedModel;
  /** Resolved hyperparameters (defaults filled in). */
  params: Record<string, unknown>;
  testMetrics: Record<string, number>;
  /** "<metric>_mean" and "<metric>_std" over folds. */
  cvMetrics: Record<string, number>;
  cvFoldMetrics: Record<string, number>[];
  /** Learner fit on all train rows (feature pipeline excluded, as the peers' timings exclude encoding). */
  trainSeconds: number;
  /** Predicting the test rows, feature pipeline included. */
  predictSeconds: number;
  /** Fitting and applying the feature pipeline for the final fit. */
  prepSeconds?: number;
  /** Importance per input column (gain for trees), when the learner has a notion of it. */
  importance?: Record<string, number>;
  /** model "auto": every candidate tried (CV on the train rows) and the one chosen. */
  selection?: AutoSelection;
}

/** Trains one candidate; async (the learners may use worker threads). */
export async function trainCandidate(req: TrainRequest): Promise<TrainResult> {
  const session = new TrainingSession(req);
  const kind = modelKind(req.candidate.model, req.task);
  const { options, learnerParams } = splitParams(req);
  // Every fit gets a fresh clone of one checked estimator (the scikit-learn contract: params in, fitted model out).
  const base = kind.create(learnerParams);
  const resolved = base.getParams();
  const cvFoldMetrics: Record<string, number>[] = [];
  if (req.cvFolds >= 2) {
    const folds = session.folds(req.cvFolds);
    for (const [i, fold] of folds.entries()) {
      const { model } = await session.fit(kind, base.clone(), fold.train, `cv ${i + 1}/${folds.length}`, options);
      cvFoldMetrics.push(session.evaluate(model, fold.test));
    }
  }
  const final = await session.fit(kind, base.clone(), session.trainRows, "fit", options);
  const t0 = performance.now();
  const testMetrics = session.testRows.length > 0 ? session.evaluate(final.model, session.testRows) : {};
  const predictSeconds = (performance.now() - t0) / 1000;
  return {
    model: final.model,
    params: { ...resolved, ...fitOptionParams(options) },
    testMetrics,
    cvMetrics: summarizeFolds(cvFoldMetrics),
    cvFoldMetrics,
    trainSeconds: final.fit,
    predictSeconds,
    prepSeconds: final.prep,
    ...(final.model.estimator.importance ? { importance: final.model.estimator.importance() } : {}),
    ...("selection" in final.model.estimator ? { selection: final.model.estimator.selection as AutoSelection } : {}),
  };
}
