// Scores big batches on both cores: the forest lives in a shared wasm memory, one prediction worker per process
// walks part of each chunk of rows (copied into the memory for it) while this thread walks the rest.

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { ForestState } from "./forest.js";
import { workerScript } from "./threads.js";
import { ForestWalker, matrixSource, packForest, walkModule, type PackedForest } from "./wasm-forest.js";
import { wasmApi, type WasmMemory } from "./wasm-asm.js";

/** Batches from this many rows share the work with the worker (below, the hand-off costs more than it saves). */
const PARALLEL_MIN_ROWS = 8192;
/** Most bytes of rows handed to the worker at once. */
const JOB_BYTES = 16 * 2 ** 20;
/** A job the worker does not finish in this long marks it broken: this thread then does all the work. */
const JOB_TIMEOUT_MS = 30_000;

/** Messages to the prediction worker. */
export type PredictMessage =
  | { type: "model"; id: number; memory: WasmMemory; module: object; packed: Omit<PackedForest, "buf">; nFeatures: number; outputs: number }
  | { type: "job"; id: number; seq: number; count: number }
  | { type: "drop"; id: number };

/** The process's prediction worker: started on the first big batch, used once it reports ready. */
class PredictPool {
  private worker: Worker | null = null;
  /** [0]: 1 once ready; [1]: sequence number of the last finished job; [2]: 1 if that job failed. */
  readonly state = new Int32Array(new SharedArrayBuffer(12));
  private broken = false;
  private seq = 0;

  /** Whether the worker can take work now (starts it the first time). */
  usable(): boolean {
    if (this.broken) return false;
    if (!this.worker) this.start();
    return Atomics.load(this.state, 0) === 1;
  }

  private start(): void {
    const script = workerScript("predict-worker.js");
    if (!script) return void (this.broken = true);
    const w = new Worker(script, { workerData: { state: this.state } });
    w.unref(); // never keeps the process alive
    w.on("error", () => (this.broken = true));
    w.on("exit", () => (this.broken = true));
    this.worker = w;
  }

  post(m: PredictMessage): void {
    this.worker?.postMessage(m);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** Waits for job `seq`; false when the worker failed or timed out (it is then never used again). */
  wait(seq: number): boolean {
    const until = Date.now() + JOB_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(this.state, 1);
      if (done === seq) break;
      if (Date.now() > until) return !(this.broken = true);
      Atomics.wait(this.state, 1, done, 100);
    }
    if (Atomics.load(this.state, 2)) return !(this.broken = true);
    return true;
  }
}

let pool: PredictPool | null = null;
let nextId = 1;
const dropped = new FinalizationRegistry<number>((id) => pool?.post({ type: "drop", id }));

/** A packed forest in a wasm memory, scoring with this thread and (for big batches) the prediction worker. */
export class WasmForest {
  /** Chunks of rows the worker has scored in this process (tests and benchmarks read it). */
  static workerJobs = 0;
  private readonly id = nextId++;
  private readonly main: ForestWalker;
  private readonly memory: WasmMemory;
  private readonly pages: number;
  private sentToWorker = false;

  private constructor(
    private readonly p: PackedForest,
    private readonly nFeatures: number,
    private readonly outputs: number,
    private readonly threads: number,
  ) {
    this.pages = Math.ceil(p.layout.bytes / 65536);
    this.memory = new wasmApi!.Memory({ initial: this.pages, maximum: this.pages, shared: threads > 1 });
    new Uint8Array(this.memory.buffer).set(new Uint8Array(p.buf));
    this.main = new ForestWalker(p, nFeatures, outputs, this.memory, 0, new wasmApi!.Module(walkModule(p, nFeatures, 0, this.pages, threads > 1)));
    dropped.register(this, this.id);
  }

  /** The wasm forest of a model, or null without WebAssembly. */
  static create(s: ForestState, nFeatures: number, outputs: number): WasmForest | null {
    if (!wasmApi) return null;
    const threads = availableParallelism() >= 2 ? 2 : 1;
    const jobRows = Math.max(256, Math.min(65536, Math.floor(JOB_BYTES / (8 * Math.max(nFeatures, outputs)))));
    return new WasmForest(packForest(s, nFeatures, outputs, threads, jobRows), nFeatures, outputs, threads);
  }

  /** raw[output * n + i] += the trees' outputs for row i of X (class-major raw scores, n = X.nRows). */
  addScores(X: FeatureMatrix, raw: Float64Array): void {
    const n = X.nRows;
    const src = matrixSource(X);
    if (this.threads < 2 || n < PARALLEL_MIN_ROWS || !(pool ??= new PredictPool()).usable()) return this.main.score(src, 0, n, raw, n, 0);
    if (!this.sentToWorker) {
      const { buf: _buf, ...packed } = this.p;
      const module = new wasmApi!.Module(walkModule(this.p, this.nFeatures, 1, this.pages, true));
      pool.post({ type: "model", id: this.id, memory: this.memory, module, packed, nFeatures: this.nFeatures, outputs: this.outputs });
      this.sentToWorker = true;
    }
    const L = this.p.layout;
    const buf = this.memory.buffer;
    const input = new Float64Array(buf, L.input, L.jobRows * this.nFeatures);
    const output = new Float64Array(buf, L.output, L.jobRows * this.outputs);
    // Chunks of 2 x jobRows: the worker takes the second half of each while this thread walks the first.
    for (let c0 = 0; c0 < n; c0 += 2 * L.jobRows) {
      const c1 = Math.min(n, c0 + 2 * L.jobRows);
      const mid = c0 + Math.ceil((c1 - c0) / 2);
      const count = c1 - mid;
      src.forEach((col, f) => {
        const part = col.subarray(mid, c1);
        if (col instanceof Float64Array) input.set(part, f * L.jobRows);
        else for (let j = 0; j < count; j++) input[f * L.jobRows + j] = part[j] < 0 ? NaN : part[j];
      });
      for (let k = 0; k < this.outputs; k++) output.set(raw.subarray(k * n + mid, k * n + c1), k * L.jobRows);
      const seq = pool.nextSeq();
      pool.post({ type: "job", id: this.id, seq, count });
      this.main.score(src, c0, mid - c0, raw, n, c0);
      if (pool.wait(seq)) {
        for (let k = 0; k < this.outputs; k++) raw.set(output.subarray(k * L.jobRows, k * L.jobRows + count), k * n + mid);
        WasmForest.workerJobs++;
      } else this.main.score(src, mid, count, raw, n, mid);
    }
  }
}
