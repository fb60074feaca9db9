// Worker threads that run search trials side by side (SearchRequest.parallel); each holds its own copy of the data.

import { Worker } from "node:worker_threads";
import { TrainingError } from "../../errors.js";
import { workerScript } from "../gbdt/threads.js";
import type { TrialJob, TrialWorkerData } from "./trial-worker.js";
import type { TrialOutcome } from "./trial.js";

type Reply = { id: number; outcome?: TrialOutcome; fatal?: string };

export class TrialPool {
  private readonly idle: Worker[] = [];
  /** The job each busy worker runs, and who waits for its answer. */
  private readonly busy = new Map<Worker, { id: number; done: (r: Reply) => void }>();
  private readonly queue: (() => void)[] = [];
  private nextId = 0;

  private constructor(private readonly workers: Worker[]) {
    this.idle.push(...workers);
    for (const w of workers) {
      w.on("message", (r: Reply) => this.finish(w, r));
      // A worker that dies (out of memory, a crash) fails its trial's search with the reason.
      w.on("error", (e: Error) => this.finish(w, { id: this.busy.get(w)?.id ?? -1, fatal: e.stack ?? e.message }));
    }
  }

  private finish(w: Worker, r: Reply): void {
    const job = this.busy.get(w);
    this.busy.delete(w);
    this.idle.push(w);
    this.queue.shift()?.();
    job?.done(r);
  }

  /** A pool of `size` workers, or null when the compiled worker script is missing (running from sources). */
  static open(size: number, data: TrialWorkerData): TrialPool | null {
    const script = workerScript("trial-worker.js", import.meta.url);
    if (!script) return null;
    return new TrialPool(Array.from({ length: size }, () => new Worker(script, { workerData: data })));
  }

  async run(job: Omit<TrialJob, "id">): Promise<TrialOutcome> {
    while (this.idle.length === 0) await new Promise<void>((resolve) => this.queue.push(resolve));
    const w = this.idle.pop()!;
    const id = this.nextId++;
    const reply = await new Promise<Reply>((done) => {
      this.busy.set(w, { id, done });
      w.postMessage({ ...job, id });
    });
    if (reply.fatal !== undefined) {
      throw new TrainingError(`a search trial's worker failed: ${reply.fatal.split("\n")[0]}`, {
        hint: "rerun with search.parallel: 1 to see the failure in this process",
      });
    }
    return reply.outcome!;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
