// What a step can ask for (Dagster's resources): each step and task kind names the few it needs, and is handed
// only those. The full bag (resources.ts) is opened at the edge; this file names the parts without opening any.
import type { Lake } from "../lake/lake.js";
import type { Project } from "../project/load-project.js";
import type { Registry } from "../registry/registry.js";
import type { ArtifactStore } from "../store/artifact-store.js";
import type { MetadataStore } from "../store/metadata-store.js";
import type { Tracker } from "../track/tracker.js";
import type { CandidateConfig } from "../project/config.js";
import type { CandidateOutput, DatasetOutput } from "./outputs.js";

export type Progress = (done: number, total: number, note?: string) => void;

/** How a candidate trains in the process running the train task (the pipeline's, or a `millrace worker`'s). */
export interface TrainingExecutor {
  readonly kind: "local";
  train(r: Needs<"tracker" | "meta" | "artifacts">, candidate: CandidateConfig, ds: DatasetOutput, progress: Progress, note: (s: string) => void, signal?: AbortSignal): Promise<CandidateOutput>;
  close(): Promise<void>;
}

/** Every resource a step may name. */
export interface ResourceKinds {
  project: Project;
  lake: Lake;
  meta: MetadataStore;
  artifacts: ArtifactStore;
  tracker: Tracker;
  registry: Registry;
  /** How candidates train; its learners load on first use. */
  executor: TrainingExecutor;
}

export type ResourceName = Exclude<keyof ResourceKinds, "project">;

/** The project plus the named resources: what a step that declares `K` receives. */
export type Needs<K extends ResourceName> = Pick<ResourceKinds, "project" | K>;

/**
 * Only the declared resources of `all` (and the project), read lazily, so a step that never asks for the executor
 * never opens one, and one that reaches for an undeclared resource fails at once instead of working by accident.
 */
export function only<K extends ResourceName>(all: ResourceKinds, needs: readonly K[]): Needs<K> {
  const out = { project: all.project } as Needs<K>;
  for (const k of needs) Object.defineProperty(out, k, { get: () => all[k], enumerable: true });
  return out;
}
