// The task-kind registry: every kind a pipeline can run, in planning order (a kind may depend on earlier ones).
// Adding a kind is one value here.
import type { ResourceName } from "../needs.js";
import type { TaskKind } from "../task-kind.js";
import { datasetKind } from "./dataset.js";
import { deployKind } from "./deploy.js";
import { materializeKind, trainingSetKind } from "./feature-store.js";
import { ingestKind } from "./ingest.js";
import { recommendKind } from "./recommend-train.js";
import { registerKind } from "./register.js";
import { currentTableKind } from "./table-kind.js";
import { trainKind } from "./train.js";
import { transformKind } from "./transform.js";

export const TASK_KINDS: readonly TaskKind<never, ResourceName>[] = [ingestKind, transformKind, trainingSetKind, materializeKind, datasetKind, trainKind, registerKind, recommendKind, deployKind] as unknown as TaskKind<never, ResourceName>[];

/** Kinds that never come from planning (stand-ins) but may appear in a run. */
export const STAND_IN_KINDS: readonly TaskKind<never, ResourceName>[] = [currentTableKind] as unknown as TaskKind<never, ResourceName>[];

export function taskKind(name: string): TaskKind<never, ResourceName> | undefined {
  return [...TASK_KINDS, ...STAND_IN_KINDS].find((k) => k.name === name);
}
