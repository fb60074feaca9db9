// The body of a training job, run by BullMQ in a child process of `millrace worker` (a sandboxed processor):
// rebuild the dataset from its record, train the candidate as a tracked run, hand back where the model is.
import type { SandboxedJob } from "bullmq";
import { loadProject } from "../project/load-project.js";
import type { TrainingJobData, TrainingJobResult } from "./bullmq-executor.js";
import { withResources } from "./resources.js";
import { loadDataset } from "./steps/dataset.js";
import { trainOne } from "./steps/train.js";

export default async function processTrainingJob(job: SandboxedJob<TrainingJobData, TrainingJobResult>): Promise<TrainingJobResult> {
  const project = loadProject(job.data.projectDir);
  const worker = process.env.MILLRACE_WORKER_ID ?? `pid ${process.ppid}`;
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
      async (runId) => job.updateData({ ...job.data, runIds: [...(job.data.runIds ?? []), runId] }),
    );
    // Everything but the model object, which the pipeline loads from the run's artifact.
    const { model: _model, ...result } = out.result;
    return { ...result, runId: out.runId, artifactUri: out.artifactUri, worker };
  });
}
