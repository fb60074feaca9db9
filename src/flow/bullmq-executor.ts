// Tasks on worker processes (execution.executor: bullmq): the pipeline queues one BullMQ job per task and waits
// (task-queue.ts); `millrace worker` processes (any number, any machine sharing the lake, metadata and artifact
// stores) run them in a sandboxed child process (task-processor.ts), so a job's lock is renewed while a learner
// keeps a core busy, and a job whose worker dies is re-queued when its lock expires and run by another worker.
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Queue, Worker, type Job } from "bullmq";
import type { Project } from "../project/load-project.js";
import { listenForCancels } from "./job-cancel.js";
import { connectionOf, type QueueSettings } from "./job-queue.js";

export { connectionOf, type QueueSettings } from "./job-queue.js";

export type WorkerEvent = { type: "active" | "completed" | "failed" | "cancelled"; job: string; detail?: string };

/** `millrace worker`: consumes task jobs until stopped; returns a stop function that lets running jobs finish. */
export async function startWorker(
  settings: QueueSettings,
  opts: { concurrency: number; onEvent?: (e: WorkerEvent) => void; cancelGraceMs?: number },
): Promise<{ close(): Promise<void>; id: string }> {
  const processor = fileURLToPath(new URL("./task-processor.js", import.meta.url));
  const id = `${os.hostname()}:${process.pid}`;
  // Inherited by the sandboxed child processes, which name it on each task's result and tracked run.
  process.env.MILLRACE_WORKER_ID = id;
  const worker = new Worker(settings.queue, processor, {
    connection: connectionOf(settings.redisUrl),
    concurrency: opts.concurrency,
    lockDuration: settings.lockMs,
    // Look for jobs of dead workers as often as a lock can expire, so they are re-queued within two lock periods.
    stalledInterval: settings.lockMs,
    maxStalledCount: 2,
  });
  worker.on("active", (job: Job) => opts.onEvent?.({ type: "active", job: `${job.id} ${job.name}` }));
  worker.on("completed", (job: Job) => opts.onEvent?.({ type: "completed", job: `${job.id} ${job.name}` }));
  worker.on("failed", (job: Job | undefined, e: Error) => opts.onEvent?.({ type: "failed", job: `${job?.id} ${job?.name}`, detail: e.message }));
  await worker.waitUntilReady();
  const queue = new Queue(settings.queue, { connection: connectionOf(settings.redisUrl) });
  const stopListening = await listenForCancels(worker, queue, settings.redisUrl, {
    graceMs: opts.cancelGraceMs ?? 2000,
    onCancel: (job, how) => opts.onEvent?.({ type: "cancelled", job, detail: how }),
  });
  return {
    id,
    close: async () => {
      await stopListening();
      await worker.close();
      await queue.close();
    },
  };
}

/** The queue settings of a project: millrace.yaml's execution section, overridden by the environment. */
export function queueSettings(project: Project): QueueSettings {
  const ex = project.config.execution;
  return {
    redisUrl: process.env.MILLRACE_REDIS_URL ?? ex.redis,
    queue: process.env.MILLRACE_QUEUE ?? ex.queue ?? `millrace-${project.config.name}`,
    lockMs: ex.lock_seconds * 1000,
    timeoutMs: ex.job_timeout_seconds * 1000,
  };
}
