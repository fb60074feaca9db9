// The body of a task job, run by BullMQ in a child process of `millrace worker` (a sandboxed processor): load the
// project, plan the run's DAG as the pipeline did, run the one task with this process's resources, send its output.
import os from "node:os";
import type { SandboxedJob } from "bullmq";
import { describeError, isMillraceError } from "../errors.js";
import { loadProject } from "../project/load-project.js";
import { queueSettings } from "./bullmq-executor.js";
import { beginJob, cancelledJobError } from "./job-cancel.js";
import type { TrainingExecutor } from "./needs.js";
import { planRun } from "./pipeline.js";
import { withResources, type Resources } from "./resources.js";
import { trainOne } from "./steps/train.js";
import type { TaskJobData, TaskJobResult, WireError } from "./task-queue.js";
import { runInTaskScope } from "./task-scope.js";
import { decodeOutput, encodeOutput, toWire } from "./wire.js";

export default async function processTaskJob(job: SandboxedJob<TaskJobData, TaskJobResult>, _token?: string, signal?: AbortSignal): Promise<TaskJobResult> {
  // The worker's own copy of the project (another machine's path to it may differ from the pipeline's).
  const project = loadProject(process.env.MILLRACE_WORKER_PROJECT ?? job.data.projectDir);
  const worker = process.env.MILLRACE_WORKER_ID ?? `${os.hostname()}:${process.ppid}`;
  let data = await beginJob(job, queueSettings(project));
  // The pipeline logs which worker took the task (and, after a re-queue, which took it next).
  await job.updateProgress({ worker });
  const abort = signal ?? new AbortController().signal;
  const tags = { worker, job: String(job.id), pipeline_run: data.pipelineRunId };
  // Candidates train in this process, their tracked runs tagged with the worker and remembered on the job.
  const executor: TrainingExecutor = {
    kind: "local",
    train: (r, candidate, ds, progress, note, s) =>
      trainOne(r, candidate, ds, progress, note, tags, async (runId) => {
        data = { ...data, runIds: [...(data.runIds ?? []), runId] };
        await job.updateData(data);
      }, s),
    close: async () => undefined,
  };
  return withResources(project, async (r) => {
    await closeLostRuns(r, job.data.runIds ?? []);
    const tasks = planRun(project, data.plan);
    const task = tasks.find((t) => t.id === data.taskId);
    if (!task) throw new Error(`task ${data.taskId} is not in pipeline ${data.plan.pipeline} of ${project.config.name} here: is this worker's project the pipeline's?`);
    const upstream = new Map<string, unknown>();
    for (const dep of task.deps) {
      const text = data.upstream[dep];
      if (text === undefined) throw new Error(`task job ${job.id} lacks the output of ${dep}`);
      upstream.set(dep, await decodeOutput(tasks.find((t) => t.id === dep)?.kind.wire, text, r));
    }
    let note: string | undefined;
    let last = 0;
    try {
      const out = await runInTaskScope(abort, () =>
        task.run({
          ctx: r, upstream, attempt: data.attempt, signal: abort,
          progress: (done, total, text) => {
            const now = Date.now();
            if (now - last < 250 && done < total) return;
            last = now;
            void job.updateProgress({ done, total, ...(text ? { note: text } : {}) });
          },
          note: (text) => (note = text),
        }),
      );
      return { worker, ...(note ? { note } : {}), output: encodeOutput(task.kind.wire, out) };
    } catch (e) {
      if (abort.aborted) throw cancelledJobError(String(abort.reason ?? "cancelled"));
      // The task's own failure is its result: the pipeline's retries and summary decide on it, not BullMQ's.
      return { worker, ...(note ? { note } : {}), error: toWire(wireError(e)) };
    }
  }, { executor });
}

function wireError(e: unknown): WireError {
  if (isMillraceError(e)) return { name: e.name, code: e.code, message: e.message, details: e.details };
  return { name: e instanceof Error ? e.name : "Error", message: describeError(e) };
}

/** Runs left "running" by an attempt whose worker died: closed as failed before this attempt starts. */
async function closeLostRuns(r: Resources, runIds: readonly string[]): Promise<void> {
  for (const id of runIds) {
    const run = await r.meta.getRun(id);
    if (run?.status === "running") await r.meta.updateRun(id, { status: "failed", endedAt: new Date().toISOString(), error: "worker lost; the job was re-queued" });
  }
  // Other tracked runs of this host whose process is gone (a recommender's run, any kind's): closed the same way.
  await r.meta.reapStaleRuns();
}
