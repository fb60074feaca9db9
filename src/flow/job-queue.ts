// The pipeline's side of a BullMQ queue: add a job, follow its progress, wait for its result with our own timeout,
// and take the job with us when the task is cancelled or times out (removed if queued, aborted on its worker).
// Task jobs (task-queue.ts) go through it.
import { Queue, QueueEvents } from "bullmq";
import { cancelQueuedJob } from "./job-cancel.js";

export interface QueueSettings {
  redisUrl: string;
  queue: string;
  /** How long a job may go without its worker renewing the lock before it is re-queued (ms). */
  lockMs: number;
  /** How long the pipeline waits for one job (ms). */
  timeoutMs: number;
}

export function connectionOf(redisUrl: string): { url: string; maxRetriesPerRequest: null } {
  // BullMQ workers block on Redis: it requires maxRetriesPerRequest null on their connections.
  return { url: redisUrl, maxRetriesPerRequest: null };
}

export interface JobCall {
  /** Each progress report of the job (what its worker passed to updateProgress). */
  onProgress?: (data: unknown, jobId: string) => void;
  signal?: AbortSignal;
}

export class JobQueue<Data, Result> {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly cancelling = new Set<Promise<unknown>>();

  constructor(readonly settings: QueueSettings) {
    this.queue = new Queue(settings.queue, { connection: connectionOf(settings.redisUrl) });
    this.events = new QueueEvents(settings.queue, { connection: connectionOf(settings.redisUrl) });
  }

  /**
   * Adds job `name` and waits for its result. Two attempts: a retry after a crashed sandbox (a cancelled job's
   * retry refuses to start); a job whose worker died is re-queued by BullMQ's stalled-job check.
   */
  async run(name: string, data: Data, call: JobCall = {}): Promise<{ jobId: string; result: Result }> {
    await this.events.waitUntilReady();
    const job = await this.queue.add(name, data, { attempts: 2, backoff: { type: "fixed", delay: 1000 }, removeOnComplete: 1000, removeOnFail: 1000 });
    const jobId = job.id!;
    const onProgress = ({ jobId: id, data: p }: { jobId: string; data: unknown }) => {
      if (id === jobId) call.onProgress?.(p, jobId);
    };
    this.events.on("progress", onProgress);
    const { signal } = call;
    const onAbort = () => {
      const reason = signal?.reason instanceof Error ? signal.reason.message : String(signal?.reason ?? "cancelled");
      this.cancelling.add(cancelQueuedJob(this.queue, this.settings.redisUrl, jobId, reason).catch(() => "signalled"));
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return { jobId, result: (await settleBy(job.waitUntilFinished(this.events), this.settings.timeoutMs, signal)) as Result };
    } finally {
      this.events.off("progress", onProgress);
      signal?.removeEventListener("abort", onAbort);
    }
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
