// Training on worker processes: the pipeline queues one BullMQ job per candidate and waits; `millrace worker`
// processes (any number, any machine sharing the lake, metadata and artifact stores) run them in a sandboxed
// child process, so a job's lock is renewed while the learner keeps a core busy, and a job whose worker dies is
// re-queued when its lock expires.
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Queue, QueueEvents, Worker, type Job } from "bullmq";
import { TrainingError } from "../errors.js";
import { loadModel, type TrainResult } from "../learn/train.js";
import type { CandidateConfig } from "../project/config.js";
import type { Project } from "../project/load-project.js";
import { cancelQueuedJob, listenForCancels } from "./job-cancel.js";
import type { Needs, Progress, TrainingExecutor } from "./needs.js";
import type { CandidateOutput, DatasetOutput } from "./outputs.js";

export interface QueueSettings {
  redisUrl: string;
  queue: string;
  /** How long a job may go without its worker renewing the lock before it is re-queued (ms). */
  lockMs: number;
  /** How long the pipeline waits for one training job (ms). */
  timeoutMs: number;
}

export interface TrainingJobData {
  projectDir: string;
  datasetId: string;
  candidate: CandidateConfig;
  /** Runs started by earlier attempts of this job (a worker that died leaves one running). */
  runIds?: string[];
  /** The sandboxed child running the attempt (the worker kills it when a cancel is not honoured in time). */
  pid?: number;
}

/** What a worker hands back: the training result without the model object (the pipeline loads it from the artifact). */
export type TrainingJobResult = Omit<TrainResult, "model"> & { runId: string; artifactUri: string; worker: string };

function withoutJobFields(out: TrainingJobResult): Omit<TrainResult, "model"> {
  const { runId: _runId, artifactUri: _uri, worker: _worker, ...result } = out;
  return result;
}

export function connectionOf(redisUrl: string): { url: string; maxRetriesPerRequest: null } {
  // BullMQ workers block on Redis: it requires maxRetriesPerRequest null on their connections.
  return { url: redisUrl, maxRetriesPerRequest: null };
}

export class BullMqExecutor implements TrainingExecutor {
  readonly kind = "bullmq" as const;
  private readonly queue: Queue<TrainingJobData, TrainingJobResult>;
  private readonly events: QueueEvents;
  private readonly cancelling = new Set<Promise<unknown>>();

  constructor(private readonly settings: QueueSettings) {
    this.queue = new Queue(settings.queue, { connection: connectionOf(settings.redisUrl) });
    this.events = new QueueEvents(settings.queue, { connection: connectionOf(settings.redisUrl) });
  }

  async train(
    r: Needs<"tracker" | "meta" | "artifacts">, candidate: CandidateConfig, ds: DatasetOutput, progress: Progress, note: (s: string) => void, signal?: AbortSignal,
  ): Promise<CandidateOutput> {
    await this.events.waitUntilReady();
    const job = await this.queue.add(
      `train:${candidate.name}`,
      { projectDir: r.project.dir, datasetId: ds.dataset.id, candidate },
      { attempts: 2, backoff: { type: "fixed", delay: 1000 }, removeOnComplete: 1000, removeOnFail: 1000 },
    );
    const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
      const p = data as { done?: number; total?: number; note?: string };
      if (jobId === job.id && typeof p?.done === "number" && typeof p.total === "number") progress(p.done, p.total, p.note);
    };
    this.events.on("progress", onProgress);
    // A cancelled or timed-out task takes its job with it: removed if queued, aborted (then killed) on its worker.
    const onAbort = () => {
      const reason = signal?.reason instanceof Error ? signal.reason.message : String(signal?.reason ?? "cancelled");
      this.cancelling.add(cancelQueuedJob(this.queue, this.settings.redisUrl, job.id!, reason).catch(() => "signalled"));
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    let out: TrainingJobResult;
    try {
      out = await settleBy(job.waitUntilFinished(this.events), this.settings.timeoutMs, signal);
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      throw new TrainingError(`training job ${job.id} (${candidate.name}) failed on the worker: ${message.split("\n")[0]}`, {
        hint: message.includes("timed out")
          ? `no worker finished it in time: start one with millrace worker ${r.project.dir}`
          : "see the run's error with: millrace runs --all",
      });
    } finally {
      this.events.off("progress", onProgress);
      signal?.removeEventListener("abort", onAbort);
    }
    const bytes = await r.artifacts.get(out.artifactUri);
    note(`on ${out.worker}: ${Object.entries(out.testMetrics).slice(0, 1).map(([k, v]) => `${k} ${v.toFixed(4)}`).join("")}, ${out.trainSeconds.toFixed(2)}s`);
    return {
      candidate,
      runId: out.runId,
      artifactUri: out.artifactUri,
      bytes,
      result: { ...withoutJobFields(out), model: loadModel(bytes) },
    };
  }

  async close(): Promise<void> {
    // A process that ends right after a cancel still tells the workers.
    await Promise.all(this.cancelling);
    await this.events.close();
    await this.queue.close();
  }
}

/**
 * The job's result, or a rejection at the timeout or the abort. BullMQ's own ttl timer outlives a cancelled wait
 * (a cancelled `pipeline trigger` stayed up for the whole job timeout), so the timers are ours and cleared.
 */
function settleBy<T>(work: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = () => (done(), reject(signal?.reason));
    const timer = setTimeout(() => (done(), reject(new Error(`job wait timed out after ${timeoutMs} ms`))), timeoutMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    work.then((v) => (done(), resolve(v)), (e: unknown) => (done(), reject(e)));
  });
}

/** `millrace worker`: consumes training jobs until stopped; returns a stop function that lets running jobs finish. */
export async function startTrainingWorker(
  settings: QueueSettings,
  opts: { concurrency: number; onEvent?: (e: { type: "active" | "completed" | "failed" | "cancelled"; job: string; detail?: string }) => void; cancelGraceMs?: number },
): Promise<{ close(): Promise<void>; id: string }> {
  const processor = fileURLToPath(new URL("./training-processor.js", import.meta.url));
  const id = `${os.hostname()}:${process.pid}`;
  // Inherited by the sandboxed child processes, which stamp it on the runs they track.
  process.env.MILLRACE_WORKER_ID = id;
  const worker = new Worker<TrainingJobData, TrainingJobResult>(settings.queue, processor, {
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
