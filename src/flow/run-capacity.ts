// Whether a pipeline may start another run now: its max_active_runs, and a slot of its pool (pools: in
// millrace.yaml). Counted in the metadata store, so the limits hold across processes sharing it.
import { MillraceError } from "../errors.js";
import type { ProjectConfig } from "../project/config.js";
import type { OrchestrationStore } from "../store/orchestration.js";
import type { PipelineDef } from "./pipelines.js";

export class PipelineBusyError extends MillraceError {
  constructor(message: string, hint: string) {
    super("pipeline_busy", message, { hint });
  }
}

/**
 * Throws PipelineBusyError when the pipeline has max_active_runs runs going or its pool has no free slot; else takes
 * the pool slot for `runId` (released by releasePoolSlots when the run ends).
 */
export async function admitRun(store: OrchestrationStore, project: string, def: PipelineDef, pools: ProjectConfig["pools"], runId: string): Promise<void> {
  const active = await store.activeRuns(project, def.name);
  if (active.length >= def.maxActiveRuns) {
    throw new PipelineBusyError(
      `pipeline ${def.name} already has ${active.length} run(s) going (max_active_runs: ${def.maxActiveRuns}): ${active.map((id) => id.slice(0, 8)).join(", ")}`,
      `wait for it, or cancel it: millrace pipeline cancel ${active[0]?.slice(0, 8) ?? "RUN"}`,
    );
  }
  if (!def.pool) return;
  const size = pools[def.pool];
  if (size === undefined) {
    throw new PipelineBusyError(`pipeline ${def.name} names pool ${def.pool}, which pools: does not declare`, `add pools: { ${def.pool}: 1 } to millrace.yaml`);
  }
  const slot = await store.takePoolSlot(def.pool, size, runId);
  if (slot === null) {
    throw new PipelineBusyError(`pool ${def.pool} has no free slot (${size} taken by running runs)`, "the run can start when one of them ends");
  }
}
