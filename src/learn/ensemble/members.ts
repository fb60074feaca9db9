// Ensemble members: parsing the member list, fitting each on the input its family needs, predicting.

import { ValidationError } from "../../errors.js";
import { applyMatrixPrep, fitMatrixPrep, type MatrixPrepState } from "../../features/matrix-prep.js";
import { takeRows, type FeatureMatrix } from "../../features/matrix.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import type { Task } from "../../records.js";
import type { ModelKind } from "../model-kind.js";
import { checkSpecParams, type ModelSpec, type SpecLookup } from "../model-spec.js";
import { autoInner } from "../param-schemas.js";

/** A learner kind by name; `all` lists every kind (errors that list the learners that fit; absent in tests' stand-ins). */
export interface KindLookup {
  (name: string): ModelKind;
  all?: () => readonly ModelKind[];
}

export interface MemberState {
  name: string;
  prep: MatrixPrepState | null;
  state: Record<string, unknown>;
}

export interface FittedMember {
  name: string;
  prep: MatrixPrepState | null;
  fitted: FittedEstimator;
}

/** The task of a fit's data: 0 classes is regression, 2 binary, more multiclass. */
export function taskOfClasses(nClasses: number): Task {
  return nClasses === 0 ? "regression" : nClasses === 2 ? "binary" : "multiclass";
}

/** Where a composite learner names an inner one: its own name, the parameter, and the learners it cannot hold. */
export interface InnerSlot {
  owner: string;
  param: string;
  refused: readonly string[];
}

/**
 * The learner a composite names in one of its parameters (voting's and stacking's `members`, stacking's `final`,
 * bagging's `base`, pca's `then`), checked as `-m` is: a known name, one the composite can hold, and, once the data's
 * task is known (null before), a learner that does that task: a regressor inside a classifier gave AUC 0.38 and
 * log_loss NaN, a classifier inside a regressor r2 NaN. Errors name the parameter and list the learners that fit.
 */
export function innerLearner(lookup: SpecLookup, slot: InnerSlot, name: string, task: Task | null): ModelSpec {
  const path = `params.${slot.param}`;
  const fitting = (): string => {
    const all = lookup.all?.();
    if (!all) return "";
    const names = all.filter((s) => s.name !== slot.owner && !slot.refused.includes(s.name) && (task === null || s.tasks.includes(task))).map((s) => s.name);
    return `${slot.param} of ${slot.owner}${task ? ` for ${task}` : ""} can be: ${names.join(", ")}`;
  };
  if (name === slot.owner || slot.refused.includes(name)) {
    throw new ValidationError(`${slot.param} of ${slot.owner}: ${slot.owner} cannot hold ${name}`, { path, hint: fitting() || "a single learner, e.g. gbdt" });
  }
  let spec: ModelSpec;
  try {
    spec = lookup(name);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new ValidationError(`${slot.param} of ${slot.owner}: ${e.message}`, { path, hint: fitting() || e.hint });
  }
  if (task !== null && !spec.tasks.includes(task)) {
    throw new ValidationError(`${slot.param} of ${slot.owner}: model "${name}" does not do ${task}`, { path, hint: fitting() || `models for ${task} only` });
  }
  return spec;
}

/** What voting and stacking cannot hold as members. */
const MEMBER_SLOT = { param: "members", refused: ["voting", "stacking"] } as const;

/**
 * "gbdt,logistic_regression" (or "auto": param-schemas' AUTO_INNER for the task) plus optional JSON per-member
 * params: the names, each checked by innerLearner (for the data's task once nClasses is known), and their params.
 */
export function parseMembers(members: string, memberParams: string, lookup: SpecLookup, self: string, nClasses: number | null = null): { name: string; params: Record<string, unknown> }[] {
  // Before the data is seen, "auto" is checked as the classification list (every name in either list exists).
  const list = members === "auto" ? autoInner("members", nClasses ?? 2) : members;
  const names = list.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length < 2) throw new ValidationError(`${self} needs at least two members, got "${members}"`, { path: "params.members", hint: 'e.g. "gbdt,logistic_regression"' });
  let extra: Record<string, Record<string, unknown>> = {};
  if (memberParams) {
    try {
      extra = JSON.parse(memberParams);
    } catch {
      throw new ValidationError(`member_params of ${self} is not valid JSON`, { path: "params.member_params", hint: '{"gbdt": {"n_estimators": 100}}' });
    }
  }
  const task = nClasses === null ? null : taskOfClasses(nClasses);
  for (const n of names) innerLearner(lookup, { owner: self, ...MEMBER_SLOT }, n, task);
  return names.map((name) => ({ name, params: extra[name] ?? {} }));
}

/** Stacking's final learner ("auto": AUTO_INNER's single learner for the task), checked as members are. */
export function stackingFinal(final: string, lookup: SpecLookup, nClasses: number | null): string {
  const name = final === "auto" ? autoInner("single", nClasses ?? 2) : final;
  innerLearner(lookup, { owner: "stacking", param: "final", refused: MEMBER_SLOT.refused }, name, nClasses === null ? null : taskOfClasses(nClasses));
  return name;
}

/**
 * Checks an ensemble's members without fitting: names, the member_params JSON, each member's parameters and the
 * stacking `final` learner, so millrace.yaml can refuse a typo inside member_params when it loads.
 */
export function checkMembers(params: Record<string, unknown>, lookup: SpecLookup, self: string): void {
  for (const m of parseMembers(params.members as string, params.member_params as string, lookup, self)) {
    try {
      checkSpecParams(lookup(m.name), m.params);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      throw new ValidationError(`member_params of ${self}, member ${m.name}: ${e.message}`, { path: "params.member_params", hint: e.hint });
    }
  }
  if (typeof params.final === "string") stackingFinal(params.final, lookup, null);
}

/** Members from the linear family get the matrix imputed and scaled first; tree members take it as it is. */
export async function fitMember(lookup: KindLookup, name: string, params: Record<string, unknown>, data: TrainingData): Promise<FittedMember> {
  const kind = lookup(name);
  const linear = kind.pipeline.scale !== "none";
  const prep = linear ? fitMatrixPrep(data.X) : null;
  const X = prep ? applyMatrixPrep(prep, data.X) : data.X;
  const fitted = await kind.create(params).fit({ ...data, X, valid: undefined, onProgress: undefined });
  return { name, prep, fitted };
}

export function predictMember(m: FittedMember, X: FeatureMatrix): Float64Array {
  return m.fitted.predict(m.prep ? applyMatrixPrep(m.prep, X) : X);
}

export function memberState(m: FittedMember): MemberState {
  return { name: m.name, prep: m.prep, state: m.fitted.state() };
}

export function restoreMember(lookup: KindLookup, s: MemberState): FittedMember {
  return { name: s.name, prep: s.prep, fitted: lookup(s.name).restore(s.state) };
}

/** The training data of some rows (repeats allowed: a bootstrap sample), for fits inside CV or bagging. */
export function subsetData(data: TrainingData, rows: Uint32Array, seed = data.seed): TrainingData {
  return {
    X: takeRows(data.X, rows),
    y: Float64Array.from(rows, (r) => data.y[r]),
    nClasses: data.nClasses,
    seed,
    ...(data.weights ? { weights: Float64Array.from(rows, (r) => data.weights![r]) } : {}),
  };
}
