// Backfill: runs each partition of a pipeline from --from to --to that has not succeeded, once, oldest first.
// Every partition is claimed in the metadata store before its run, so a second backfill over the same range (or a
// rerun after a crash) skips the ones done or going, and retries the failed; a partition left "running" by a killed
// backfill is marked failed first. Rows are never doubled: a partition's run ingests its own files, and the lake
// ingests a file (path + content) once.
import { randomUUID } from "node:crypto";
import { ConfigError, describeError } from "../errors.js";
import { orchestrationOf } from "../store/orchestration.js";
import type { TaskEvent } from "./dag.js";
import { partitionRange } from "./partitions.js";
import { runPipeline } from "./pipeline.js";
import { pipelineDef } from "./pipelines.js";
import type { Resources } from "./resources.js";

export interface BackfilledPartition {
  partition: string;
  /** skipped: already succeeded, or another backfill is running it. */
  status: "succeeded" | "failed" | "cancelled" | "skipped";
  runId?: string;
  reason?: string;
}

export async function backfill(
  r: Resources,
  pipeline: string,
  range: { from: string; to: string },
  opts: { signal?: AbortSignal; onEvent?: (e: TaskEvent) => void; onPartition?: (p: BackfilledPartition) => void } = {},
): Promise<{ pipeline: string; partitions: BackfilledPartition[] }> {
  const cfg = r.project.config;
  const def = pipelineDef(cfg, pipeline);
  const partitionKeys = def.partitionBy ?? def.partitions;
  if (!partitionKeys) {
    throw new ConfigError(`pipeline ${def.name} has no partitions to backfill`, {
      path: `pipelines.${def.name}.partitions`,
      hint: `declare pipelines.${def.name}.partition_by: { column: event_date, granularity: day, start: 2026-01-01 } (or partitions: by file date) in millrace.yaml`,
    });
  }
  const keys = partitionRange(partitionKeys, range.from, range.to);
  const orch = orchestrationOf(r.meta);
  // Runs of a killed backfill are marked failed by the reaper; their partitions then become claimable again.
  await r.meta.reapStaleRuns();
  for (const p of await orch.partitions(cfg.name, def.name)) {
    if (p.status !== "running") continue;
    const run = await r.meta.getPipelineRun(p.runId);
    if (!run || run.status !== "running") await orch.finishPartition({ project: cfg.name, pipeline: def.name, partition: p.partition, runId: p.runId, status: "failed" });
  }
  const out: BackfilledPartition[] = [];
  const done = (p: BackfilledPartition) => {
    out.push(p);
    opts.onPartition?.(p);
  };
  for (const partition of keys) {
    if (opts.signal?.aborted) break;
    const runId = randomUUID();
    const key = { project: cfg.name, pipeline: def.name, partition, runId };
    if (!(await orch.claimPartition(key))) {
      done({ partition, status: "skipped", reason: "already succeeded, or running in another backfill" });
      continue;
    }
    let status: BackfilledPartition["status"] = "failed";
    let reason: string | undefined;
    try {
      const s = await runPipeline(r, {
        pipeline: def.name, partition, trigger: "backfill", runId,
        ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      });
      status = s.status;
      reason = s.failure?.message;
    } catch (e) {
      reason = describeError(e);
    }
    await orch.finishPartition({ ...key, status });
    done({ partition, status, runId, ...(reason ? { reason } : {}) });
  }
  return { pipeline: def.name, partitions: out };
}
