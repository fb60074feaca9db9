// What a learner declares without its implementation: name, tasks, hyperparameter schema and data-free checks.
// Loading millrace.yaml needs only this (learn/model-specs.ts); fitting and loading take the full ModelKind.
import type { Task } from "../records.js";
import { resolveParams, type ParamSchema, type Params } from "./params.js";

export interface ModelSpec {
  name: string;
  tasks: readonly Task[];
  /** The hyperparameters (names, types, ranges, defaults), checked when millrace.yaml loads and when built. */
  params: ParamSchema;
  /** Checks beyond the schema that need no data (an ensemble's members); throws a ValidationError. */
  check?(params: Params): void;
  /**
   * Whether its fitted models explain their predictions (additive contributions: TreeSHAP, coefficient × value):
   * true, or when (words completing "<name> …"); absent: never. The hints of `--explain` refusals list these.
   */
  explains?: true | string;
}

/** A learner's spec by name (ensembles take one to check their members without importing them). */
export interface SpecLookup {
  (name: string): ModelSpec;
  /** Every learner's spec, for errors that list the ones that fit (absent in tests' stand-in lookups). */
  all?: () => readonly ModelSpec[];
}

/** Checks parameters as building the learner would (its schema, defaults filled in); throws a ValidationError. */
export function checkSpecParams(spec: ModelSpec, given: Record<string, unknown>): Params {
  return resolveParams(spec.name, spec.params, given);
}
