// Runs shard operations on every thread of a fit: the calling thread and worker threads that wait on a shared
// control block (Atomics), so one operation costs microseconds, not a message round trip.

import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Objective } from "../objectives/objective.js";
import type { RowKernels } from "./histogram.js";
import type { HistOps } from "./hist-ops.js";
import type { WasmMemory } from "./wasm-kernel.js";
import type { FitArrays } from "./shard.js";
import { CTRL_ARGS, CTRL_DONE, CTRL_ERROR, CTRL_OP, CTRL_SEQ, CTRL_SIZE, OP_EXIT, runOp, shardContext, type ShardContext } from "./shard-ops.js";

/** What a thread needs to build its kernels: the wasm memory (or null for the JS kernels). */
export interface KernelHome {
  memory: WasmMemory | null;
  shared: boolean;
}

export interface ObjectiveSpec {
  task: "binary" | "multiclass" | "regression";
  nClasses: number;
  loss: string;
  huberDelta: number;
}

/** What a worker thread is started with. */
export interface WorkerInit {
  arrays: FitArrays;
  thread: number;
  ctrl: Int32Array;
  errorText: Uint8Array;
  objective: ObjectiveSpec;
  memory: KernelHome["memory"];
  shared: boolean;
}

/**
 * A compiled worker script next to the module at `base` (this folder by default); when running from TypeScript
 * sources (tests), its build in dist/ if present.
 */
export function workerScript(file = "shard-worker.js", base: string = import.meta.url): URL | null {
  const here = new URL(`./${file}`, base);
  if (existsSync(fileURLToPath(here))) return here;
  const at = here.href.lastIndexOf("/src/");
  if (at < 0) return null;
  const built = new URL(`${here.href.slice(0, at)}/dist/${here.href.slice(at + 5)}`);
  return existsSync(fileURLToPath(built)) ? built : null;
}

/** Threads to use: the request, else 2 when the work is big enough to repay the per-operation sync. */
export function chooseThreads(requested: number, nRows: number, nFeatures: number): number {
  const cores = availableParallelism();
  if (requested > 0) return Math.min(requested, cores);
  return nRows * nFeatures >= 1_000_000 && cores >= 2 ? 2 : 1;
}

/** Allocates typed arrays on shared memory when more than one thread will touch them. */
export function allocator(shared: boolean) {
  return <T extends Float64Array | Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(
    C: { new (b: ArrayBufferLike): T; BYTES_PER_ELEMENT: number },
    length: number,
  ): T => new C(shared ? new SharedArrayBuffer(length * C.BYTES_PER_ELEMENT) : new ArrayBuffer(length * C.BYTES_PER_ELEMENT));
}

export class ShardRunner {
  private constructor(
    private readonly a: FitArrays,
    private readonly ctx: ShardContext,
    private readonly workers: Worker[],
    private readonly ctrls: Int32Array[],
    private readonly errors: Uint8Array[],
  ) {}

  /** Starts threads - 1 workers (none for one thread) and waits until each is ready. */
  static async start(a: FitArrays, objective: Objective, spec: ObjectiveSpec, kernel: RowKernels, ops: HistOps, home: KernelHome): Promise<ShardRunner> {
    const workers: Worker[] = [];
    const ctrls: Int32Array[] = [];
    const errors: Uint8Array[] = [];
    const script = a.threads > 1 ? workerScript() : null;
    if (a.threads > 1 && !script) throw new Error("worker script not found: build with `npm run build`");
    for (let t = 1; t < a.threads; t++) {
      const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_SIZE * 4));
      const errorText = new Uint8Array(new SharedArrayBuffer(512));
      const init: WorkerInit = { arrays: a, thread: t, ctrl, errorText, objective: spec, memory: home.memory, shared: home.shared };
      const w = new Worker(script!, { workerData: init });
      await new Promise<void>((resolve, reject) => {
        w.once("message", () => resolve());
        w.once("error", reject);
      });
      workers.push(w);
      ctrls.push(ctrl);
      errors.push(errorText);
    }
    return new ShardRunner(a, shardContext(a, objective, kernel, ops), workers, ctrls, errors);
  }

  /** Runs `op` on every thread (this one included) and returns when all are done. */
  run(op: number, ...args: number[]): void {
    this.a.work.fill(0);
    const seqs: number[] = [];
    for (const ctrl of this.ctrls) {
      ctrl[CTRL_OP] = op;
      for (let i = 0; i < args.length; i++) ctrl[CTRL_ARGS + i] = args[i];
      seqs.push(Atomics.add(ctrl, CTRL_SEQ, 1) + 1);
      Atomics.notify(ctrl, CTRL_SEQ);
    }
    let failure: unknown = null;
    try {
      runOp(this.ctx, op, args);
    } catch (e) {
      failure = e;
    }
    this.ctrls.forEach((ctrl, i) => {
      for (;;) {
        const done = Atomics.load(ctrl, CTRL_DONE);
        if (done === seqs[i]) break;
        Atomics.wait(ctrl, CTRL_DONE, done);
      }
      if (Atomics.load(ctrl, CTRL_ERROR)) {
        const text = new TextDecoder().decode(this.errors[i]).replace(/\0+$/, "");
        failure ??= new Error(`gbdt worker failed: ${text}`);
      }
    });
    if (failure) throw failure;
  }

  async close(): Promise<void> {
    for (const ctrl of this.ctrls) {
      ctrl[CTRL_OP] = OP_EXIT;
      Atomics.add(ctrl, CTRL_SEQ, 1);
      Atomics.notify(ctrl, CTRL_SEQ);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
