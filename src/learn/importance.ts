// Model-agnostic importance and feature selection: permutation importance on held-out rows, selection by
// importance and by recursive elimination.

import { ValidationError } from "../errors.js";
import { findColumn } from "../features/pipeline.js";
import type { Column, Frame } from "../records.js";
import type { Model } from "./model.js";
import { defaultMetric, metricSign } from "./metric-registry.js";
import { explainingLearners } from "./model-specs.js";
import { modelKind } from "./models.js";
import { Rng } from "./rng.js";
import { DEFAULT_FIT_OPTIONS, splitParams, TrainingSession, type SessionRequest } from "./session.js";

/**
 * Drop of `metric` when one feature's values are shuffled among `rows` (mean over repeats; positive = the model
 * relies on the feature). Higher-is-better and lower-is-better metrics both report a positive drop.
 */
export function permutationImportance(model: Model, frame: Frame, rows: Uint32Array, target: string, metric: string, repeats = 3, seed = 0): Record<string, number> {
  const base = model.evaluate(frame, rows, target)[metric];
  if (base === undefined) throw new ValidationError(`metric "${metric}" is not computed for this model`, { path: "metric" });
  const sign = metricSign(metric);
  const rng = new Rng(seed);
  const out: Record<string, number> = {};
  for (const name of model.pipeline.featureNames) {
    const col = findColumn(frame, name);
    let drop = 0;
    for (let r = 0; r < repeats; r++) {
      const perm = rng.shuffle(Uint32Array.from(rows));
      const shuffled = permuteColumn(col, rows, perm);
      const f2: Frame = { rowCount: frame.rowCount, columns: frame.columns.map((c) => (c.name === name ? shuffled : c)) };
      drop += sign * (base - model.evaluate(f2, rows, target)[metric]);
    }
    out[name] = drop / repeats;
  }
  return out;
}

/**
 * What a run says instead of mean |SHAP| when its model cannot explain its predictions (knn, naive_bayes, stacking,
 * pca): silence read as "no column matters". Permutation importance on train rows is not put in its place: it is a
 * metric drop, not the raw score's scale the shap/<column> metrics share, and a knn model finds each train row
 * itself; a registered version's evaluation already ranks every learner's columns by permutation on its test rows.
 */
export function noImportanceNote(model: string): string {
  return `no importance for ${model}: it cannot explain its predictions, so no mean |SHAP| per column (${explainingLearners()}); a registered version's evaluation ranks its columns by permutation importance on test rows`;
}

function permuteColumn(col: Column, rows: Uint32Array, perm: Uint32Array): Column {
  if (col.kind === "numeric") {
    const v = col.values.slice();
    rows.forEach((r, j) => (v[r] = col.values[perm[j]]));
    return { name: col.name, kind: "numeric", values: v };
  }
  const v = col.values.slice();
  rows.forEach((r, j) => (v[r] = col.values[perm[j]]));
  return { name: col.name, kind: "categorical", values: v };
}

export interface SelectRequest extends SessionRequest {
  candidate: { name: string; model: string; params?: Record<string, unknown> };
  /** "importance": rank once; "rfe": drop the weakest `step` features and refit until `keep` remain. */
  method: "importance" | "rfe";
  keep: number;
  step?: number;
  metric?: string;
}

/**
 * Ranks features by permutation importance on a validation slice of the train rows (test rows are never
 * looked at) and keeps the best `keep`.
 */
export async function selectFeatures(req: SelectRequest): Promise<{ selected: string[]; importance: Record<string, number> }> {
  if (!Number.isInteger(req.keep) || req.keep < 1 || req.keep > req.features.length) {
    throw new ValidationError(`keep must be between 1 and ${req.features.length}, got ${req.keep}`, { path: "keep" });
  }
  const metric = req.metric ?? defaultMetric(req.task);
  let features = [...req.features];
  let importance: Record<string, number> = {};
  const { learnerParams } = splitParams(req);
  const kind = modelKind(req.candidate.model, req.task);
  const base = kind.create(learnerParams);
  for (;;) {
    const session = new TrainingSession({ ...req, features });
    const [fold] = session.folds(5);
    const { model } = await session.fit(kind, base.clone(), fold.train, "select", DEFAULT_FIT_OPTIONS);
    importance = permutationImportance(model, req.frame, fold.test, req.target, metric, 3, req.seed);
    const ranked = [...features].sort((a, b) => importance[b] - importance[a]);
    if (req.method === "importance" || features.length <= req.keep) return { selected: ranked.slice(0, req.keep), importance };
    features = ranked.slice(0, Math.max(req.keep, features.length - (req.step ?? 1)));
  }
}
