// A DAG of tasks with explicit dependencies, run in dependency order with retries and progress events.
// It knows nothing of ML: each task is a named async function over its upstream tasks' results.
import { ConfigError, describeError } from "../errors.js";

export interface TaskInput<Ctx> {
  ctx: Ctx;
  /** Results of every finished upstream task, by task id. */
  upstream: ReadonlyMap<string, unknown>;
  attempt: number;
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
  run(input: TaskInput<Ctx>): Promise<unknown>;
}

export type TaskState = "pending" | "running" | "succeeded" | "failed" | "skipped";

export type TaskEvent =
  | { type: "start"; taskId: string; attempt: number }
  | { type: "progress"; taskId: string; done: number; total: number; note?: string }
  | { type: "retry"; taskId: string; attempt: number; error: string }
  | { type: "succeeded"; taskId: string; ms: number; note?: string }
  | { type: "failed"; taskId: string; ms: number; error: string; cause: unknown }
  | { type: "skipped"; taskId: string; reason: string };

export interface DagResult {
  status: "succeeded" | "failed";
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
  opts: { concurrency?: number; onEvent?: (e: TaskEvent) => void } = {},
): Promise<DagResult> {
  const ordered = orderTasks(tasks);
  const emit = opts.onEvent ?? (() => undefined);
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const states: Record<string, TaskState> = Object.fromEntries(ordered.map((t) => [t.id, "pending"]));
  const results = new Map<string, unknown>();
  const notes: Record<string, string> = {};
  const durationsMs: Record<string, number> = {};
  const errors: Record<string, unknown> = {};
  let failure: DagResult["failure"];
  const running = new Set<Promise<void>>();

  const ready = () =>
    ordered.filter((t) => states[t.id] === "pending" && t.deps.every((d) => states[d] === "succeeded"));
  const skipDownstreamOf = () => {
    let changed = true;
    while (changed) {
      changed = false;
      for (const t of ordered) {
        if (states[t.id] !== "pending") continue;
        const bad = t.deps.find((d) => states[d] === "failed" || states[d] === "skipped");
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
      try {
        const value = await task.run({
          ctx,
          upstream,
          attempt,
          progress: (done, total, note) => emit({ type: "progress", taskId: task.id, done, total, ...(note ? { note } : {}) }),
          note: (text) => {
            notes[task.id] = text;
          },
        });
        results.set(task.id, value);
        states[task.id] = "succeeded";
        durationsMs[task.id] = performance.now() - started;
        emit({ type: "succeeded", taskId: task.id, ms: durationsMs[task.id], ...(notes[task.id] ? { note: notes[task.id] } : {}) });
        return;
      } catch (e) {
        if (attempt <= (task.retries ?? 0)) {
          emit({ type: "retry", taskId: task.id, attempt, error: describeError(e) });
          continue;
        }
        states[task.id] = "failed";
        durationsMs[task.id] = performance.now() - started;
        errors[task.id] = e;
        failure ??= { taskId: task.id, error: e };
        emit({ type: "failed", taskId: task.id, ms: durationsMs[task.id], error: describeError(e), cause: e });
        skipDownstreamOf();
        return;
      }
    }
  };

  for (;;) {
    for (const t of ready()) {
      if (running.size >= concurrency) break;
      states[t.id] = "running";
      const p: Promise<void> = execute(t).finally(() => running.delete(p));
      running.add(p);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  return { status: failure ? "failed" : "succeeded", states, results, notes, durationsMs, errors, ...(failure ? { failure } : {}) };
}
