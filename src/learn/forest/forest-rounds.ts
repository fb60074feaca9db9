// The rounds of a random forest as independent jobs: each round's randomness comes from (seed, round), so any
// thread can grow any round and the forest is the same for any number of threads. The arrays live in one wasm
// memory (shared between threads) where the row kernels run; each thread has its own gradients, rows, scratch.

import { wasmKernelsSupported, gatherBytes, wasmRowKernels, wasmApi, type WasmMemory } from "../gbdt/wasm-kernel.js";
import { histogramKernel, type RowKernels } from "../gbdt/histogram.js";
import type { FeatureMeta } from "../gbdt/split-finder.js";
import { allocator } from "../gbdt/threads.js";
import { Rng } from "../rng.js";
import type { BinMapper } from "../gbdt/binning.js";
import { growDfsTree, type DfsParams } from "./dfs-grower.js";
import { packTree, type PackedTrees } from "./tree-pack.js";

/** Everything a thread needs to grow rounds (structured-clonable: its arrays are shared). */
export interface ForestJob {
  n: number;
  nClasses: number;
  outputs: number;
  rounds: number;
  seed: number;
  bootstrap: boolean;
  meta: FeatureMeta;
  /** The features' bins → raw thresholds and category codes, for packing trees where they grow. */
  mappers: BinMapper[];
  params: DfsParams;
  threads: number;
  bins: Uint8Array;
  binsT: Uint8Array;
  y: Float64Array;
  w: Float64Array | null;
  /** [0]: next round to claim; [1]: rounds finished. */
  counters: Int32Array;
  memory: WasmMemory | null;
  perThread: ThreadArrays[];
}

/** One thread's arrays (inside the wasm memory when there is one). */
interface ThreadArrays {
  gh: Float32Array;
  rows: Uint32Array;
  scratch: Uint32Array;
  table: Uint8Array;
  hist: Float64Array | null;
  gather: Uint8Array | null;
}

/** A round's trees (one per output), already in the fitted forest's arrays (a hundred deep trees held as growable
 * JS arrays until every round was done cost ~8x more: diamonds, peak RSS 1.5 GB → 0.9 GB). */
export interface GrownRound {
  round: number;
  trees: PackedTrees[];
}

/** Lays out the shared arrays (in a wasm memory when the kernels can run there). */
export function forestJob(
  base: Omit<ForestJob, "bins" | "binsT" | "y" | "w" | "counters" | "memory" | "perThread">,
  binsT: Uint8Array,
  bins: Uint8Array,
  y: Float64Array,
  w: Float64Array | null,
): ForestJob {
  const { n, threads, meta } = base;
  const F = meta.nFeatures;
  const slots = meta.off[F];
  const alloc = allocator(threads > 1);
  const padded = (bytes: number) => Math.ceil(bytes / 64) * 64;
  const threadBytes = padded(8 * n) + 2 * padded(4 * n) + padded(257) + padded(16 * slots) + padded(gatherBytes(F));
  const total = 2 * padded(n * F) + threads * threadBytes;
  const pages = Math.ceil(total / 65536);
  const memory = total < 2 ** 31 && wasmKernelsSupported() ? new wasmApi!.Memory({ initial: pages, maximum: pages, shared: true }) : null;
  let at = 0;
  const place = <T extends Float32Array | Uint32Array | Uint8Array | Float64Array>(
    C: { new (b: ArrayBufferLike, o: number, l: number): T; new (b: ArrayBufferLike): T; BYTES_PER_ELEMENT: number },
    length: number,
  ): T => {
    if (!memory) return alloc(C, length);
    const v = new C(memory.buffer, at, length);
    at += padded(length * C.BYTES_PER_ELEMENT);
    return v;
  };
  const sharedBinsT = place(Uint8Array, n * F);
  sharedBinsT.set(binsT);
  const sharedBins = place(Uint8Array, n * F);
  sharedBins.set(bins);
  const perThread = Array.from({ length: threads }, (): ThreadArrays => ({
    gh: place(Float32Array, 2 * n),
    rows: place(Uint32Array, n),
    scratch: place(Uint32Array, n),
    table: place(Uint8Array, 257),
    hist: memory ? place(Float64Array, 2 * slots) : null,
    gather: memory ? place(Uint8Array, gatherBytes(F)) : null,
  }));
  const yShared = alloc(Float64Array, n);
  yShared.set(y);
  const wShared = w ? alloc(Float64Array, n) : null;
  if (w && wShared) wShared.set(w);
  return { ...base, bins: sharedBins, binsT: sharedBinsT, y: yShared, w: wShared, counters: alloc(Int32Array, 2), memory, perThread };
}

/** The row kernels of thread t. */
export function forestKernel(job: ForestJob, t: number): RowKernels {
  const a = job.perThread[t];
  if (!job.memory || !a.hist || !a.gather) return histogramKernel(job.meta.nFeatures, job.meta.off);
  return wasmRowKernels(job.meta.nFeatures, job.meta.off, job.memory, true, a.hist, a.gather);
}

/** Grows every round this thread claims first; `onRound` gets each as it is done. */
export function growClaimedRounds(job: ForestJob, t: number, kernel: RowKernels, onRound: (r: GrownRound) => void): void {
  for (;;) {
    const round = Atomics.add(job.counters, 0, 1);
    if (round >= job.rounds) return;
    onRound(growRound(job, t, kernel, round));
    Atomics.add(job.counters, 1, 1);
  }
}

/** The seed of a round: its own stream, whichever thread grows it. */
const roundSeed = (seed: number, round: number): number => (seed ^ Math.imul(round + 1, 0x9e3779b9)) | 0;

/** This thread's bootstrap counts, reused from round to round (rounds of one thread run one at a time). */
let countScratch: Float64Array | undefined;

// growRound's row loops are functions of their own: as loops of one big function, each first pass was an
// on-stack compile of the whole round (inlined grower included), and each new path after it a deopt and a
// recompile (cps1988's first fit: growRound compiled 14 times over the two threads, on the background threads' CPU).

/** Bootstrap as multiplicities: a row drawn c times enters with weight c (exact for the sums trees use). */
function bootstrapCounts(n: number, bootstrap: boolean, rng: Rng): Float64Array {
  const count = (countScratch = countScratch?.length === n ? countScratch : new Float64Array(n));
  if (!bootstrap) return count.fill(1);
  count.fill(0);
  for (let j = 0; j < n; j++) count[rng.int(n)]++;
  return count;
}

/** The rows in the bag (count > 0, weight > 0) into rows[0..m); m. */
function bagRows(count: Float64Array, w: Float64Array | null, rows: Uint32Array): number {
  let m = 0;
  for (let i = 0; i < count.length; i++) if (count[i] > 0 && (!w || w[i] > 0)) rows[m++] = i;
  return m;
}

/** Squared error from a zero start (leaf value -G/H is the weighted mean target of the leaf) for output k. */
function fillGradients(gh: Float32Array, count: Float64Array, w: Float64Array | null, y: Float64Array, nClasses: number, k: number): void {
  for (let i = 0; i < count.length; i++) {
    const c = count[i] * (w ? w[i] : 1);
    const target = nClasses <= 2 ? y[i] : y[i] === k ? 1 : 0;
    gh[2 * i] = -c * target;
    gh[2 * i + 1] = c;
  }
}

/** Each leaf's value -G/H (0 for a leaf without weight). */
function leafValues(leafG: Float64Array, leafH: Float64Array, L: number): Float64Array {
  const values = new Float64Array(L);
  for (let l = 0; l < L; l++) values[l] = leafH[l] > 0 ? -leafG[l] / leafH[l] : 0;
  return values;
}

/** One round: a bootstrap sample (as multiplicities) and a tree per output (one-vs-rest for multiclass). */
export function growRound(job: ForestJob, t: number, kernel: RowKernels, round: number): GrownRound {
  const { n, meta } = job;
  const a = job.perThread[t];
  const rng = new Rng(roundSeed(job.seed, round));
  const count = bootstrapCounts(n, job.bootstrap, rng);
  const m = bagRows(count, job.w, a.rows);
  const inBag = a.rows.slice(0, m);
  const data = { bins: job.bins, binsT: job.binsT, n, meta, kernel, slots: meta.off[meta.nFeatures], scratch: a.scratch, table: a.table };
  // Filled by index: pushing onto an empty literal deoptimized this function at every round ("not a Smi").
  const trees: GrownRound["trees"] = new Array(job.outputs);
  for (let k = 0; k < job.outputs; k++) {
    fillGradients(a.gh, count, job.w, job.y, job.nClasses, k);
    a.rows.set(inBag);
    const tree = growDfsTree(data, a.gh, a.rows.subarray(0, m), job.params, rng);
    const L = tree.nLeaves;
    trees[k] = packTree(tree, job.mappers, leafValues(tree.leafG, tree.leafH, L), tree.leafH.slice(0, L), k);
  }
  return { round, trees };
}
