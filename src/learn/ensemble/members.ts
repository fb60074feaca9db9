// Ensemble members: parsing the member list, fitting each on the input its family needs, predicting.

import { ValidationError } from "../../errors.js";
import { applyMatrixPrep, fitMatrixPrep, type MatrixPrepState } from "../../features/matrix-prep.js";
import { takeRows, type FeatureMatrix } from "../../features/matrix.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import type { ModelKind } from "../model-kind.js";
import { checkSpecParams, type SpecLookup } from "../model-spec.js";

export type KindLookup = (name: string) => ModelKind;

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

/** "gbdt,logistic_regression" plus optional JSON per-member params: the names, checked, and their params. */
export function parseMembers(members: string, memberParams: string, lookup: SpecLookup, self: string): { name: string; params: Record<string, unknown> }[] {
  const names = members.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length < 2) throw new ValidationError(`${self} needs at least two members, got "${members}"`, { path: "params.members", hint: 'e.g. "gbdt,logistic_regression"' });
  let extra: Record<string, Record<string, unknown>> = {};
  if (memberParams) {
    try {
      extra = JSON.parse(memberParams);
    } catch {
      throw new ValidationError(`member_params of ${self} is not valid JSON`, { path: "params.member_params", hint: '{"gbdt": {"n_estimators": 100}}' });
    }
  }
  for (const n of names) {
    if (n === "voting" || n === "stacking") throw new ValidationError(`${self} cannot contain another ensemble (${n})`, { path: "params.members" });
    lookup(n);
  }
  return names.map((name) => ({ name, params: extra[name] ?? {} }));
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
  if (typeof params.final === "string" && params.final !== "auto") {
    try {
      lookup(params.final);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      throw new ValidationError(`final learner of ${self}: ${e.message}`, { path: "params.final", hint: e.hint });
    }
  }
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
