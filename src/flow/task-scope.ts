// Ends what a task started when the task is aborted (its timeout or the run's cancel): every worker thread and
// child process created in the task's async context is tracked (Node's process "worker" event and the
// "child_process" diagnostics channel, both fired inside the creator's AsyncLocalStorage context), then
// terminated / SIGKILLed. Learners need no hook: a random forest whose main thread stops at a progress report
// left its worker threads growing every remaining round (issue 13); a kubectl or Python child kept running.
import { AsyncLocalStorage } from "node:async_hooks";
import type { ChildProcess } from "node:child_process";
import dc from "node:diagnostics_channel";
import type { Worker } from "node:worker_threads";

interface Scope {
  signal: AbortSignal;
  threads: Set<Worker>;
  children: Set<ChildProcess>;
}

const scopes = new AsyncLocalStorage<Scope>();
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  process.on("worker", (w: Worker) => {
    const scope = scopes.getStore();
    if (!scope) return;
    scope.threads.add(w);
    w.once("exit", () => scope.threads.delete(w));
    // Work abandoned after its abort may still start threads (the next fold's learner): end them as they come.
    if (scope.signal.aborted) endSoon(scope);
  });
  dc.subscribe("child_process", (message) => {
    const scope = scopes.getStore();
    const child = (message as { process?: ChildProcess }).process;
    if (!scope || !child) return;
    scope.children.add(child);
    child.once("exit", () => scope.children.delete(child));
    if (scope.signal.aborted) endSoon(scope);
  });
}

/**
 * Ends the scope's threads and children on the next turn of the event loop, not at once: a learner whose main
 * thread drives its workers in lockstep (GBDT's Atomics barrier) would wait forever on a thread ended under it;
 * by the next turn it has unwound (its progress report threw) and closed them itself.
 */
function endSoon(scope: Scope): void {
  setImmediate(() => {
    for (const w of scope.threads) void w.terminate();
    for (const c of scope.children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });
}

/** What `work` has started and not yet ended (tests and logs). */
export interface TaskScopeView {
  threads: number;
  children: number;
}

/** Runs `work` in a scope whose threads and child processes are ended when `signal` aborts. */
export async function runInTaskScope<T>(signal: AbortSignal, work: () => Promise<T>, onScope?: (view: () => TaskScopeView) => void): Promise<T> {
  listen();
  const scope: Scope = { signal, threads: new Set(), children: new Set() };
  onScope?.(() => ({ threads: scope.threads.size, children: scope.children.size }));
  const onAbort = () => endSoon(scope);
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await scopes.run(scope, work);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
