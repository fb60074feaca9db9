// The learning engine's entry point: train one candidate on a frame (CV on train rows, fit, test), load a model.

import type { Frame, Task } from "../records.js";
import { loadModel, type Model, type TrainedModel } from "./model.js";
import { modelKind } from "./models.js";
import { fitOptionParams, splitParams, TrainingSession, type FitOptions } from "./session.js";
import type { Estimator } from "./estimator.js";
import type { ModelKind } from "./model-kind.js";
import type { StrictMode } from "./signature.js";
import { holdoutSplit } from "./split.js";
import { summarizeFolds } from "./task-metrics.js";
import type { AutoSelection } from "./auto/auto.js";
import { ValidationError } from "../errors.js";
import type { Explanation } from "./explain/tree-shap.js";
import { noImportanceNote } from "./importance.js";

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
  /** Record the final fit's loss per boosting round (TrainResult.learningCurve); a 2,000-row sample per round. */
  learningCurve?: boolean;
}

/** Per key, the value at each step (boosting round): what a tracked run stores as its metric history. */
export type Curves = Record<string, { step: number; value: number }[]>;

export interface TrainResult {
  model: TrainedModel;
  /** Resolved hyperparameters (defaults filled in). */
  params: Record<string, unknown>;
  testMetrics: Record<string, number>;
  /** "<metric>_mean" and "<metric>_std" over folds. */
  cvMetrics: Record<string, number>;
  cvFoldMetrics: Record<string, number>[];
  /** Wall seconds of the CV fold fits and their scoring (0 without CV): with trainSeconds, what training took. */
  cvSeconds?: number;
  /** Learner fit on all train rows (feature pipeline excluded, as the peers' timings exclude encoding). */
  trainSeconds: number;
  /** CPU seconds (every thread of the process) of that fit. */
  trainCpuSeconds: number;
  /** Predicting the test rows, feature pipeline included. */
  predictSeconds: number;
  /** Fitting and applying the feature pipeline for the final fit. */
  prepSeconds?: number;
  /** Importance per input column (gain for trees), when the learner has a notion of it. */
  importance?: Record<string, number>;
  /**
   * Mean |contribution| per feature column over up to 200 train rows (TreeSHAP / coefficient × value), for learners
   * that explain their predictions; multiclass sums the classes' contributions.
   */
  shapImportance?: Record<string, number>;
  /** Why mean |SHAP| was computed on fewer rows, or not at all (a model too dear to explain row by row). */
  shapNote?: string;
  /** The final fit's loss per round, when asked for (learners that fit in rounds). */
  learningCurve?: Curves;
  /** model "auto": every candidate tried (CV on the train rows) and the one chosen. */
  selection?: AutoSelection;
  /** model "auto" with CV (cvFolds >= 2): the search auto made inside each CV fold, in fold order. */
  cvFoldSelections?: AutoSelection[];
}

// Rows of the mean |SHAP| sample. Exact TreeSHAP costs ~0.4 ms a row for the churn example's 300-tree gbdt, so 500
// rows added ~0.2 s to every candidate's training (the spine's +11%, 2026-12-05); on wa_churn 200 rows give the same
// 8 leading columns as 500 (two near-ties swap; contract 0.782 vs 0.754, tenure 0.481 vs 0.432).
const SHAP_ROWS = 200;
// Fewer rows when a row is dear (deep forests: seconds a row on diamonds), within this much estimated time; below
// SHAP_MIN_ROWS the mean would be noise, so none is computed and the result says why.
const SHAP_BUDGET_NS = 1.5e9;
const SHAP_MIN_ROWS = 30;

/** Global explanation: mean |contribution| per column over an even sample of the train rows (none when not explainable). */
function shapImportance(model: TrainedModel, frame: Frame, trainRows: Uint32Array): Pick<TrainResult, "shapImportance" | "shapNote"> {
  const m = model as Model;
  if (!m.estimator.explain) return { shapNote: noImportanceNote(m.info.model) };
  if (trainRows.length === 0) return {};
  let perRow: number;
  try {
    perRow = m.estimator.explainNanosPerRow?.() ?? 0;
  } catch (err) {
    if (err instanceof ValidationError) return {}; // a model that cannot explain (no covers)
    throw err;
  }
  const affordable = perRow > 0 ? Math.floor(SHAP_BUDGET_NS / perRow) : SHAP_ROWS;
  const want = Math.min(SHAP_ROWS, trainRows.length, affordable);
  if (want < Math.min(SHAP_MIN_ROWS, trainRows.length)) {
    const ms = perRow / 1e6;
    return { shapNote: `mean |SHAP| not computed: explaining one row of this model takes ~${ms >= 100 ? Math.round(ms) : ms.toFixed(1)} ms, so ${SHAP_MIN_ROWS} rows would exceed the ${SHAP_BUDGET_NS / 1e9} s allowed; \`millrace predict --explain\` explains the rows you choose` };
  }
  const step = Math.max(1, Math.floor(trainRows.length / want));
  const rows = trainRows.filter((_, j) => j % step === 0).slice(0, want);
  let e: Explanation;
  try {
    e = m.estimator.explain(m.pipeline.transform(frame, rows));
  } catch (err) {
    if (err instanceof ValidationError) return { shapNote: err.message }; // e.g. an ensemble whose members' explanations do not add up
    throw err;
  }
  const F = e.features.length;
  const sum = new Float64Array(F);
  for (let i = 0; i < rows.length; i++) for (let k = 0; k < e.outputs; k++) for (let f = 0; f < F; f++) sum[f] += Math.abs(e.values[(i * e.outputs + k) * (F + 1) + f]);
  return {
    shapImportance: Object.fromEntries(e.features.map((name, f) => [name, sum[f] / rows.length])),
    ...(rows.length < SHAP_ROWS && rows.length < trainRows.length ? { shapNote: `mean |SHAP| over ${rows.length} train rows (not ${SHAP_ROWS}): a row of this model takes ~${(perRow / 1e6).toFixed(1)} ms to explain` } : {}),
  };
}

type FinalFit = Pick<TrainResult, "model" | "testMetrics" | "trainSeconds" | "trainCpuSeconds" | "predictSeconds" | "prepSeconds" | "learningCurve" | "importance" | "shapImportance" | "shapNote" | "selection">;

/**
 * The fit on every train row, tested once, with what is kept of it (loss per round, importance, mean |SHAP|):
 * a candidate's final fit and a search's refit of its best parameters alike.
 */
export async function fitFinal(session: TrainingSession, kind: ModelKind, estimator: Estimator, options: FitOptions, learningCurve: boolean): Promise<FinalFit> {
  const curve: Curves = {};
  const onRound = (step: number, values: Record<string, number>) => {
    for (const [k, value] of Object.entries(values)) if (Number.isFinite(value)) (curve[k] ??= []).push({ step, value });
  };
  const final = await session.fit(kind, estimator, session.trainRows, "fit", options, learningCurve ? onRound : undefined);
  const t0 = performance.now();
  const testMetrics = session.testRows.length > 0 ? session.evaluate(final.model, session.testRows) : {};
  return {
    model: final.model,
    testMetrics,
    trainSeconds: final.fit,
    trainCpuSeconds: final.fitCpu,
    ...(Object.keys(curve).length ? { learningCurve: curve } : {}),
    predictSeconds: (performance.now() - t0) / 1000,
    prepSeconds: final.prep,
    ...(final.model.estimator.importance ? { importance: final.model.estimator.importance() } : {}),
    ...shapImportance(final.model, session.req.frame, session.trainRows),
    ...("selection" in final.model.estimator ? { selection: final.model.estimator.selection as AutoSelection } : {}),
  };
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
  const cvFoldSelections: AutoSelection[] = [];
  const cv0 = performance.now();
  if (req.cvFolds >= 2) {
    const folds = session.folds(req.cvFolds);
    for (const [i, fold] of folds.entries()) {
      const { model } = await session.fit(kind, base.clone(), fold.train, `cv ${i + 1}/${folds.length}`, options);
      cvFoldMetrics.push(session.evaluate(model, fold.test));
      if ("selection" in model.estimator) cvFoldSelections.push(model.estimator.selection as AutoSelection);
    }
  }
  const cvSeconds = req.cvFolds >= 2 ? (performance.now() - cv0) / 1000 : 0;
  return {
    ...(await fitFinal(session, kind, base.clone(), options, req.learningCurve === true)),
    params: { ...resolved, ...fitOptionParams(options) },
    cvMetrics: summarizeFolds(cvFoldMetrics),
    cvFoldMetrics,
    cvSeconds,
    ...(cvFoldSelections.length ? { cvFoldSelections } : {}),
  };
}
