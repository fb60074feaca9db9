// What one learner of the zoo declares (the value learn/models.ts registers), apart from the registry so that
// ensembles can take a kind lookup without importing the registry.
import type { PipelineOptions } from "../features/pipeline.js";
import type { Task } from "../records.js";
import type { Estimator, FittedEstimator } from "./estimator.js";
import type { ParamSchema, Params } from "./params.js";

/** One learner of the zoo: everything Millrace needs to know about it, registered in one place. */
export interface ModelKind {
  name: string;
  tasks: readonly Task[];
  /** The hyperparameters (names, types, ranges, defaults), checked when millrace.yaml loads and when built. */
  params: ParamSchema;
  pipeline: PipelineOptions;
  /** Checks beyond the schema that need no data (an ensemble's members); throws a ValidationError. */
  check?(params: Params): void;
  create(params: Record<string, unknown>): Estimator;
  restore(state: Record<string, unknown>): FittedEstimator;
}
