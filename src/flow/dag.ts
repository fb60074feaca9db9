// A DAG of tasks with explicit dependencies, run in dependency order with retries and progress events.
// It knows nothing of ML: each task is a named async function over its upstream tasks' results.
// Retry delays and timeouts are measured on an injected Clock, so tests run them on simulated time.
import { ConfigError, MillraceError, describeError } from "../errors.js";
import { systemClock, type Clock } from "./clock.js";
import { runInTaskScope } from "./task-scope.js";

/** The error of an attempt that outlived its task's timeout. */
export class TaskTimeoutError extends MillraceError {
  constructor(taskId: string, timeoutMs: number) {
    super("task_timeout", `task ${taskId} timed out: it did not finish within ${timeoutMs / 1000} s (its cancel signal was aborted)`, {
      hint: "raise the task's timeout in millrace.yaml (timeout, or task_settings.<task>.timeout), or find what it waits on",
      taskId,
      timeoutMs,
    });
  }
}

export interface TaskInput<Ctx> {
  ctx: Ctx;
  /** Results of every finished upstream task, by task id. */
  upstream: ReadonlyMap<string, unknown>;
  attempt: number;
  /** Aborted when the attempt times out (or the run is cancelled): long work should stop and release what it holds. */
  signal: AbortSignal;
  /** Reports progress inside the task (folds, rounds, files). */
  progress(done: number, total: number, note?: string): void;
  /** A short note shown next to the task when it ends ("reused v3", "2 files skipped"). */
  note(text: string): void;
}

export interface Task<Ctx> {
  id: string;
  deps: string[];
  /** Extra attempts after a failure (default 0). A task that must not repeat side effects keeps 0. */
  retries?: number;
  /** Wait before the first retry; each further retry waits twice as long as the one before (default 0). */
  retryDelayMs?: number;
  /** An attempt running longer is cancelled (its signal aborted) and counts as failed; the task ends "timed_out". */
  timeoutMs?: number;
  run(input: TaskInput<Ctx>): Promise<unknown>;
}

export type TaskState = "pending" | "running" | "succeeded" | "failed" | "timed_out" | "cancelled" | "skipped";

/** The error of an attempt stopped because its run was cancelled. */
export class RunCancelledError extends MillraceError {
  constructor(reason: string) {
    super("run_cancelled", `the run was cancelled: ${reason}`, { hint: "trigger it again when ready: millrace pipeline trigger <name>" });
  }
}

export type TaskEvent =
  | { type: "start"; taskId: string; attempt: number }
  | { type: "progress"; taskId: string; done: number; total: number; note?: string }
  | { type: "retry"; taskId: string; attempt: number; error: string; delayMs: number }
  | { type: "succeeded"; taskId: string; ms: number; note?: string }
  | { type: "failed"; taskId: string; ms: number; error: string; cause: unknown; timedOut?: true; cancelled?: true }
  | { type: "skipped"; taskId: string; reason: string };

export interface DagResult {
  status: "succeeded" | "failed" | "cancelled";
  states: Record<string, TaskState>;
  results: Map<string, unknown>;
  notes: Record<string, string>;
  durationsMs: Record<string, number>;
  /** The error of every task that failed. */
  errors: Record<string, unknown>;
  /** The first task that failed and its error, when the run failed. */
  failure?: { taskId: string; error: unknown };
}

/** Topological order; throws a ConfigError naming an unknown dependency or the tasks of a cycle. */
export function orderTasks<Ctx>(tasks: Task<Ctx>[]): Task<Ctx>[] {
  const byId = new Map<string, Task<Ctx>>();
  for (const t of tasks) {
    if (byId.has(t.id)) throw new ConfigError(`two tasks are named "${t.id}"`);
    byId.set(t.id, t);
  }
  for (const t of tasks) {
    for (const d of t.deps) {
      if (!byId.has(d)) throw new ConfigError(`task "${t.id}" depends on "${d}", which does not exist`);
    }
  }
  const order: Task<Ctx>[] = [];
  const mark = new Map<string, "visiting" | "done">();
  const visit = (t: Task<Ctx>, trail: string[]) => {
    const m = mark.get(t.id);
    if (m === "done") return;
    if (m === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(t.id)), t.id];
      throw new ConfigError(`the tasks form a cycle: ${cycle.join(" → ")}`, { hint: "remove one of these dependencies" });
    }
    mark.set(t.id, "visiting");
    for (const d of t.deps) visit(byId.get(d)!, [...trail, t.id]);
    mark.set(t.id, "done");
    order.push(t);
  };
  for (const t of tasks) visit(t, []);
  return order;
}

export async function runDag<Ctx>(
  tasks: Task<Ctx>[],
  ctx: Ctx,
  opts: { concurrency?: number; onEvent?: (e: TaskEvent) => void; clock?: Clock; signal?: AbortSignal } = {},
): Promise<DagResult> {
  const ordered = orderTasks(tasks);
  const clock = opts.clock ?? systemClock;
  const emit = opts.onEvent ?? (() => undefined);
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const states: Record<string, TaskState> = Object.fromEntries(ordered.map((t) => [t.id, "pending"]));
  const results = new Map<string, unknown>();
  const notes: Record<string, string> = {};
  const durationsMs: Record<string, number> = {};
  const errors: Record<string, unknown> = {};
  let failure: DagResult["failure"];
  const running = new Set<Promise<void>>();
  const cancelled = () => opts.signal?.aborted === true;

  const ready = () =>
    ordered.filter((t) => states[t.id] === "pending" && t.deps.every((d) => states[d] === "succeeded"));
  const skipDownstreamOf = () => {
    let changed = true;
    while (changed) {
      changed = false;
      for (const t of ordered) {
        if (states[t.id] !== "pending") continue;
        const bad = t.deps.find((d) => states[d] === "failed" || states[d] === "timed_out" || states[d] === "cancelled" || states[d] === "skipped");
        if (bad) {
          states[t.id] = "skipped";
          emit({ type: "skipped", taskId: t.id, reason: `upstream ${bad} did not succeed` });
          changed = true;
        }
      }
    }
  };

  const execute = async (task: Task<Ctx>) => {
    states[task.id] = "running";
    const upstream = new Map(task.deps.map((d) => [d, results.get(d)]));
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      emit({ type: "start", taskId: task.id, attempt });
      const attemptCtl = new AbortController();
      // Checked at each progress report too: a learner that keeps the thread busy holds back the timeout's timer.
      const deadline = task.timeoutMs && task.timeoutMs > 0 ? clock.now().getTime() + task.timeoutMs : Number.POSITIVE_INFINITY;
      // Cancelling the run aborts the running attempts with the reason, as a timeout does.
      const onCancel = () => attemptCtl.abort(new RunCancelledError(String(opts.signal?.reason instanceof Error ? opts.signal.reason.message : (opts.signal?.reason ?? "cancelled"))));
      if (opts.signal?.aborted) onCancel();
      else opts.signal?.addEventListener("abort", onCancel, { once: true });
      try {
        const value = await withTimeout(
          task,
          clock,
          attemptCtl,
          // In a task scope: the threads and child processes the attempt starts are ended when it is aborted.
          untilAborted(attemptCtl.signal, runInTaskScope(attemptCtl.signal, () => task.run({
            ctx,
            upstream,
            attempt,
            signal: attemptCtl.signal,
            progress: (done, total, note) => {
              if (!attemptCtl.signal.aborted && clock.now().getTime() >= deadline) attemptCtl.abort(new TaskTimeoutError(task.id, task.timeoutMs!));
              emit({ type: "progress", taskId: task.id, done, total, ...(note ? { note } : {}) });
            },
            note: (text) => {
              notes[task.id] = text;
            },
          }))),
        );
        results.set(task.id, value);
        states[task.id] = "succeeded";
        durationsMs[task.id] = performance.now() - started;
        emit({ type: "succeeded", taskId: task.id, ms: durationsMs[task.id], ...(notes[task.id] ? { note: notes[task.id] } : {}) });
        return;
      } catch (caught) {
        const e = attemptCtl.signal.aborted && !(caught instanceof TaskTimeoutError) ? attemptCtl.signal.reason : caught;
        if (attempt <= (task.retries ?? 0) && !cancelled()) {
          const delayMs = retryDelay(task, attempt);
          emit({ type: "retry", taskId: task.id, attempt, error: describeError(e), delayMs });
          if (delayMs > 0) await clock.sleep(delayMs);
          continue;
        }
        const timedOut = e instanceof TaskTimeoutError;
        const wasCancelled = e instanceof RunCancelledError;
        states[task.id] = timedOut ? "timed_out" : wasCancelled ? "cancelled" : "failed";
        durationsMs[task.id] = performance.now() - started;
        errors[task.id] = e;
        failure ??= { taskId: task.id, error: e };
        emit({
          type: "failed", taskId: task.id, ms: durationsMs[task.id], error: describeError(e), cause: e,
          ...(timedOut ? { timedOut: true as const } : {}), ...(wasCancelled ? { cancelled: true as const } : {}),
        });
        skipDownstreamOf();
        return;
      } finally {
        opts.signal?.removeEventListener("abort", onCancel);
      }
    }
  };

  for (;;) {
    if (cancelled()) {
      for (const t of ordered) {
        if (states[t.id] !== "pending") continue;
        states[t.id] = "skipped";
        emit({ type: "skipped", taskId: t.id, reason: "the run was cancelled" });
      }
    }
    for (const t of ready()) {
      if (running.size >= concurrency) break;
      states[t.id] = "running";
      const p: Promise<void> = execute(t).finally(() => running.delete(p));
      running.add(p);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  const status = cancelled() && Object.values(states).some((x) => x === "cancelled" || x === "skipped") ? "cancelled" : failure ? "failed" : "succeeded";
  return { status, states, results, notes, durationsMs, errors, ...(failure ? { failure } : {}) };
}

/**
 * The attempt's result, or its signal's reason as soon as the signal aborts: a cancelled or timed-out attempt ends
 * at once even when its work ignores the signal (that work is abandoned and its result dropped).
 */
function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** The wait after failed attempt `attempt` (1-based): retryDelayMs, then doubling (exponential backoff). */
export function retryDelay(task: Pick<Task<unknown>, "retryDelayMs">, attempt: number): number {
  return (task.retryDelayMs ?? 0) * 2 ** (attempt - 1);
}

/**
 * The attempt's result, or a TaskTimeoutError once its timeout passes on the clock; the attempt's signal is then
 * aborted so work that honours it stops. Work that ignores the signal cannot be stopped from here (a promise has
 * no handle): it is abandoned and its result dropped.
 */
async function withTimeout<T>(task: { id: string; timeoutMs?: number }, clock: Clock, ctl: AbortController, work: Promise<T>): Promise<T> {
  const timeoutMs = task.timeoutMs;
  if (timeoutMs === undefined || timeoutMs <= 0) return work;
  const timer = new AbortController();
  const timeout = clock.sleep(timeoutMs, timer.signal).then(
    () => {
      const err = new TaskTimeoutError(task.id, timeoutMs);
      ctl.abort(err);
      throw err;
    },
    () => new Promise<never>(() => undefined),
  );
  // An abandoned attempt that fails later must not surface as an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, timeout]);
  } finally {
    timer.abort();
  }
}
