// The worker threads of random-forest fits, kept between fits: a fresh worker pays its module loading, wasm
// compile and JIT warm-up again on every fit (cps1988, 2 threads: 0.35 s more CPU than 1 thread). Idle workers are
// unref'd, so they never keep the process alive; a worker that fails is dropped, and its rounds are regrown by the caller.

import { Worker } from "node:worker_threads";
import type { ForestJob, GrownRound } from "./forest-rounds.js";

/** Idle workers kept at most (a fit uses threads - 1 of them). */
const KEEP = 4;
const idle: Worker[] = [];

function spawn(script: URL): Worker {
  const w = new Worker(script);
  w.once("exit", () => {
    const i = idle.indexOf(w);
    if (i >= 0) idle.splice(i, 1);
  });
  // An idle worker that fails exits and leaves the pool; without a listener its error would throw in the process.
  w.on("error", () => {});
  return w;
}

/**
 * Starts idle workers until `count` are pooled, booting or booted: called before a fit prepares its data, so the
 * threads' start (~30 ms each, quiet, plus loading the grower) overlaps the binning instead of the first rounds.
 */
export function warmWorkers(script: URL, count: number): void {
  while (idle.length < Math.min(count, KEEP)) {
    const w = spawn(script);
    w.unref();
    idle.push(w);
  }
}

/** Grows the rounds that thread `thread` claims of `job` on a pooled worker; resolves when it has no more to claim. */
export function runOnWorker(script: URL, job: ForestJob, thread: number, onRound: (r: GrownRound) => void): Promise<void> {
  const w = idle.pop() ?? spawn(script);
  w.ref();
  return new Promise<void>((resolve) => {
    const finish = (ok: boolean) => {
      w.off("message", onMessage);
      w.off("error", onError);
      w.off("exit", onError);
      if (ok && idle.length < KEEP) (w.unref(), idle.push(w));
      else void w.terminate();
      resolve();
    };
    const onMessage = (m: { round?: GrownRound; done?: boolean; error?: string }) => (m.round ? onRound(m.round) : finish(m.error === undefined));
    const onError = () => finish(false);
    w.on("message", onMessage);
    w.on("error", onError);
    w.on("exit", onError);
    w.postMessage({ job, thread });
  });
}
