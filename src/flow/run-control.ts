// Run control written once for the CLI and HTTP: start a pipeline run (here, or detached in a child process so a
// server keeps answering), ask a run to stop, read its task logs.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { NotFoundError, ValidationError } from "../errors.js";
import type { Project } from "../project/load-project.js";
import type { MetadataStore, PipelineRunRecord } from "../store/metadata-store.js";
import { orchestrationOf, type TaskLogLine } from "../store/orchestration.js";
import { PipelineBusyError } from "./run-capacity.js";
import { pipelineDef } from "./pipelines.js";

/** A run by id or unambiguous prefix, or a NotFoundError saying where to look. */
export async function findRun(meta: MetadataStore, idOrPrefix: string): Promise<PipelineRunRecord> {
  const run = await meta.getPipelineRun(idOrPrefix);
  if (!run) throw new NotFoundError(`no pipeline run ${idOrPrefix}`, { hint: "list them with: millrace pipeline runs" });
  return run;
}

/** The flag file of a cancel request: a run checks it at every progress report, even while a learner keeps its thread busy. */
export function cancelFlag(stateDir: string, runId: string): string {
  return path.join(stateDir, "cancel", runId);
}

/**
 * Asks a running run to stop: a row in the store (the run looks every second, from any host) and a flag file in the
 * project's state folder (seen at the next progress report of a busy learner on this host). Says whether it ran.
 */
export async function cancelRun(meta: MetadataStore, idOrPrefix: string, stateDir?: string): Promise<{ runId: string; requested: boolean; status: string }> {
  const run = await findRun(meta, idOrPrefix);
  const requested = await orchestrationOf(meta).requestCancel(run.id);
  if (requested && stateDir) {
    fs.mkdirSync(path.dirname(cancelFlag(stateDir, run.id)), { recursive: true });
    fs.writeFileSync(cancelFlag(stateDir, run.id), new Date().toISOString());
  }
  return { runId: run.id, requested, status: run.status };
}

export async function runLogs(meta: MetadataStore, idOrPrefix: string, task?: string, afterSeq = 0): Promise<{ runId: string; status: string; lines: TaskLogLine[] }> {
  const run = await findRun(meta, idOrPrefix);
  return { runId: run.id, status: run.status, lines: await orchestrationOf(meta).logs(run.id, task, afterSeq) };
}

/**
 * Starts `millrace pipeline trigger NAME` in a child process with a fresh run id and returns at once: a long run
 * (training keeps a core busy) must not stall the server that asked for it. Refuses a pipeline at its limit.
 */
export async function triggerDetached(
  meta: MetadataStore, project: Project, pipeline: string, trigger: "manual" = "manual", partition?: string,
): Promise<{ runId: string; pipeline: string; pid: number }> {
  const def = pipelineDef(project.config, pipeline);
  const active = await orchestrationOf(meta).activeRuns(project.config.name, def.name);
  if (active.length >= def.maxActiveRuns) {
    throw new PipelineBusyError(`pipeline ${def.name} already has ${active.length} run(s) going (max_active_runs: ${def.maxActiveRuns})`, "wait for it or cancel it");
  }
  const runId = randomUUID();
  const cli = fileURLToPath(new URL("../cli/main.js", import.meta.url));
  const child = spawn(process.execPath, [cli, "pipeline", "trigger", def.name, "-p", project.dir, "--run-id", runId, "--trigger", trigger, "--quiet", ...(partition ? ["--partition", partition] : [])], {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, NO_COLOR: "1" },
  });
  child.unref();
  return { runId, pipeline: def.name, pid: child.pid ?? 0 };
}

/** The pipeline and partition a recorded run ran (runs of the whole DAG, and runs older than placements: "default"). */
export async function runPlacement(meta: MetadataStore, run: PipelineRunRecord): Promise<{ pipeline: string; partition: string | null }> {
  const placed = run.placement ?? (await orchestrationOf(meta).placement(run.id));
  const summary = (run.summary ?? {}) as { pipeline?: string; partition?: string };
  return { pipeline: placed?.pipeline ?? summary.pipeline ?? "default", partition: placed?.partition ?? summary.partition ?? null };
}

/**
 * What retrying a failed or cancelled run starts (Airflow's "clear failed tasks"): a new run of the same pipeline and
 * partition. Tasks the failed run finished are up to date and skipped by their cache keys, so what failed, timed out
 * or never started runs again; the rest is not repeated. A running or succeeded run is refused (400 naming `id`).
 */
export async function retryTarget(meta: MetadataStore, idOrPrefix: string): Promise<{ pipeline: string; partition: string | null; retryOf: string }> {
  const run = await findRun(meta, idOrPrefix);
  if (run.status !== "failed" && run.status !== "cancelled") {
    throw new ValidationError(`pipeline run ${run.id.slice(0, 8)} is ${run.status}: only a failed or cancelled run can be retried`, {
      path: "id",
      hint: run.status === "running" ? "wait for it, or cancel it first: millrace pipeline cancel RUN" : "trigger a new run instead: millrace pipeline trigger NAME",
    });
  }
  return { ...(await runPlacement(meta, run)), retryOf: run.id };
}

/** retryTarget's run, started detached like triggerDetached (the HTTP route and the dashboard's Retry button). */
export async function retryDetached(meta: MetadataStore, project: Project, idOrPrefix: string): Promise<{ runId: string; pipeline: string; pid: number; retryOf: string }> {
  const { pipeline, partition, retryOf } = await retryTarget(meta, idOrPrefix);
  return { ...(await triggerDetached(meta, project, pipeline, "manual", partition ?? undefined)), retryOf };
}
