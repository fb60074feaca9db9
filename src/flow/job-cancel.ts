// Cancelling task jobs queued in Redis or already running on `millrace worker` processes. The pipeline side
// removes a job still waiting; for one a worker holds, it sets a cancel key (kept a day, so a retried or
// re-queued attempt refuses to start) and publishes the job id. The worker aborts the job's signal (BullMQ's
// cancelJob) and, if the sandboxed child has not ended within the grace period (a learner busy on its thread
// reads no message), SIGKILLs it: the retry that BullMQ then starts sees the key and fails for good.
import fs from "node:fs";
import { UnrecoverableError, type Queue, type SandboxedJob, type Worker } from "bullmq";
import { Redis } from "ioredis";

const DAY_SECONDS = 86_400;

export const cancelKey = (queue: string, jobId: string) => `millrace:cancel:${queue}:${jobId}`;
export const cancelChannel = (queue: string) => `millrace:cancel:${queue}`;

/** What a job may be asked: the minimal Redis surface (BullMQ's ioredis client). */
interface RedisLike {
  set(key: string, value: string, mode: "EX", seconds: number): Promise<unknown>;
  publish(channel: string, message: string): Promise<number>;
  get(key: string): Promise<string | null>;
}

/** Cancels job `jobId` of `queue`: "removed" when it had not started, else "signalled" (key set, workers told). */
export async function cancelQueuedJob(queue: Queue, redisUrl: string, jobId: string, reason: string): Promise<"removed" | "signalled"> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    return await cancelWith(redis, queue, jobId, reason);
  } finally {
    await redis.quit().catch(() => undefined);
  }
}

async function cancelWith(redis: RedisLike, queue: Queue, jobId: string, reason: string): Promise<"removed" | "signalled"> {
  // The key first: a job a worker takes between the remove and the publish still refuses to run.
  await redis.set(cancelKey(queue.name, jobId), reason, "EX", DAY_SECONDS);
  // remove() refuses a job whose lock a worker holds (0), and removes a waiting or delayed one (1).
  const removed = await queue.remove(jobId).catch(() => 0);
  if (removed) return "removed";
  await redis.publish(cancelChannel(queue.name), JSON.stringify({ jobId, reason }));
  return "signalled";
}

/** The cancel reason of a job, or null: checked by the sandboxed child before it starts training. */
export async function cancelReason(redis: RedisLike, queue: string, jobId: string): Promise<string | null> {
  return redis.get(cancelKey(queue, jobId));
}

/**
 * The start of a job in its sandboxed child: refuses a job cancelled while queued or re-queued (its first attempt
 * was killed at a cancel), then writes this process's pid on the job (the worker kills it by that pid when an abort
 * is not honoured in time). Returns the job's data as now stored.
 */
export async function beginJob<D extends object>(job: SandboxedJob<D, unknown>, settings: { redisUrl: string; queue: string }): Promise<D & { pid: number }> {
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  const reason = await cancelReason(redis, settings.queue, String(job.id)).finally(() => redis.quit().catch(() => undefined));
  if (reason !== null) throw cancelledJobError(reason);
  const data = { ...job.data, pid: process.pid };
  await job.updateData(data);
  return data;
}

/** A failure BullMQ does not retry, carrying the cancel reason. */
export function cancelledJobError(reason: string): Error {
  const e = new UnrecoverableError(`cancelled: ${reason}`);
  // Own property: the sandbox serialises own properties only, and the worker decides "no retry" by this name.
  e.name = "UnrecoverableError";
  return e;
}

/**
 * Worker side: listens for cancel requests of `queue` and aborts the named job if this worker runs it; a child
 * still running after `graceMs` is killed (its pid is on the job, written by the child at start, and checked to
 * be a child of this process). Returns the stop function.
 */
export async function listenForCancels(
  worker: Worker, queue: Queue, redisUrl: string, opts: { graceMs: number; onCancel?: (jobId: string, how: "aborted" | "killed") => void },
): Promise<() => Promise<void>> {
  const sub = new Redis(redisUrl);
  const timers = new Set<NodeJS.Timeout>();
  sub.on("message", (_channel: string, message: string) => {
    let req: { jobId?: string; reason?: string };
    try {
      req = JSON.parse(message) as typeof req;
    } catch {
      return;
    }
    const jobId = req.jobId;
    if (!jobId || !worker.cancelJob(jobId, req.reason ?? "cancelled")) return;
    opts.onCancel?.(jobId, "aborted");
    const timer = setTimeout(() => {
      timers.delete(timer);
      // Still tracked by this worker: the child did not stop at the abort.
      if (!worker.cancelJob(jobId, req.reason ?? "cancelled")) return;
      void queue.getJob(jobId).then((job) => {
        const pid = (job?.data as { pid?: number } | undefined)?.pid;
        if (pid && isChildOf(pid, process.pid)) {
          process.kill(pid, "SIGKILL");
          opts.onCancel?.(jobId, "killed");
        }
      }, () => undefined);
    }, opts.graceMs);
    timers.add(timer);
  });
  await sub.subscribe(cancelChannel(queue.name));
  return async () => {
    for (const t of timers) clearTimeout(t);
    await sub.quit().catch(() => undefined);
  };
}

/** Whether `pid` is a child of `parent` (Linux /proc; elsewhere false, so nothing else is ever killed). */
function isChildOf(pid: number, parent: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (in parentheses, which may hold spaces): state, ppid, …
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return ppid === parent;
  } catch {
    return false;
  }
}
