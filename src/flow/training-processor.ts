// The body of a training job, run by BullMQ in a child process of `millrace worker` (a sandboxed processor):
// rebuild the dataset from its record, train the candidate as a tracked run, hand back where the model is.
import type { SandboxedJob } from "bullmq";
import { Redis } from "ioredis";
import { loadProject } from "../project/load-project.js";
import { queueSettings, type TrainingJobData, type TrainingJobResult } from "./bullmq-executor.js";
import { cancelReason, cancelledJobError } from "./job-cancel.js";
import { withResources } from "./resources.js";
import { loadDataset } from "./steps/dataset.js";
import { trainOne } from "./steps/train.js";

export default async function processTrainingJob(job: SandboxedJob<TrainingJobData, TrainingJobResult>, _token?: string, signal?: AbortSignal): Promise<TrainingJobResult> {
  const project = loadProject(job.data.projectDir);
  const worker = process.env.MILLRACE_WORKER_ID ?? `pid ${process.ppid}`;
  const settings = queueSettings(project);
  // A job cancelled while queued or re-queued (its first attempt was killed at a cancel) does not start.
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  const reason = await cancelReason(redis, settings.queue, String(job.id)).finally(() => redis.quit().catch(() => undefined));
  if (reason !== null) throw cancelledJobError(reason);
  // The worker kills this process by its pid when an abort is not honoured in time.
  let data: TrainingJobData = { ...job.data, pid: process.pid };
  await job.updateData(data);
  try {
    return await train(job, project, worker, signal, (next) => {
      data = { ...data, ...next };
      return job.updateData(data);
    });
  } catch (e) {
    if (signal?.aborted) throw cancelledJobError(String(signal.reason ?? "cancelled"));
    throw e;
  }
}

async function train(
  job: SandboxedJob<TrainingJobData, TrainingJobResult>, project: ReturnType<typeof loadProject>, worker: string, signal: AbortSignal | undefined,
  update: (data: Partial<TrainingJobData>) => Promise<void>,
): Promise<TrainingJobResult> {
  return withResources(project, async (r) => {
    // A run left "running" by an attempt whose worker died is closed as failed before this attempt starts.
    for (const id of job.data.runIds ?? []) {
      const run = await r.meta.getRun(id);
      if (run?.status === "running") await r.meta.updateRun(id, { status: "failed", endedAt: new Date().toISOString(), error: "worker lost; the job was re-queued" });
    }
    const ds = await loadDataset(r, job.data.datasetId);
    let lastProgress = 0;
    const out = await trainOne(
      r,
      job.data.candidate,
      ds,
      (done, total, note) => {
        const now = Date.now();
        if (now - lastProgress < 250 && done < total) return;
        lastProgress = now;
        void job.updateProgress({ done, total, ...(note ? { note } : {}) });
      },
      () => undefined,
      { worker, job: String(job.id) },
      async (runId) => update({ runIds: [...(job.data.runIds ?? []), runId] }),
      signal,
    );
    // Everything but the model object, which the pipeline loads from the run's artifact.
    const { model: _model, ...result } = out.result;
    return { ...result, runId: out.runId, artifactUri: out.artifactUri, worker };
  });
}
