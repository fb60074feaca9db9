// Allocates the arrays of one boosting fit: on SharedArrayBuffers when threads share them, and the ones the
// WebAssembly kernels read (bins, gradients, scores, row order, split tables, scratch) inside one wasm memory.

import type { FeatureMatrix } from "../../features/matrix.js";
import type { Objective } from "../objectives/objective.js";
import { binColumns, transposeBins, type BinMapper } from "./binning.js";
import { histogramKernel, type RowKernels } from "./histogram.js";
import { jsHistOps, wasmBackedHistOps, type HistOps } from "./hist-ops.js";
import { wasmHistOps } from "./wasm-hist-ops.js";
import { catBytes, RESULT } from "./level-results.js";
import { ENTRY, shardCount, type FitArrays } from "./shard.js";
import { WORK_SIZE } from "./shard-ops.js";
import type { FeatureMeta, SplitParams } from "./split-finder.js";
import { allocator, type KernelHome } from "./threads.js";
export type { KernelHome } from "./threads.js";
import type { WasmBinning } from "./wasm-binning.js";
import { wasmLogLossGradients } from "./wasm-objective.js";
import { wasmSoftmaxGradients } from "./wasm-softmax.js";
import { wasmSquaredGradients } from "./wasm-squared.js";
import { gatherBytes, wasmApi, wasmKernelsSupported, wasmRowKernels, type WasmMemory } from "./wasm-kernel.js";
import { binWide, leadingColumns, withWideColumns } from "./wide-columns.js";

export interface FitShape {
  n: number;
  outputs: number;
  maxLeaves: number;
  threads: number;
  meta: FeatureMeta;
  split: SplitParams;
  weighted: boolean;
  holdout: boolean;
  subsample: boolean;
  /** "wasm" (when it fits in a 32-bit wasm memory), "js", or "auto" (wasm when possible). */
  kernel: string;
}


const WASM_LIMIT = 2 ** 31; // bytes: addresses stay positive i32
/** Levels with at least this many splits run one work item per split (see shard-ops.ts). */
const ENTRY_MODE_MIN = 8;
/** Bound on the per-(entry, shard) histograms of the levels run shard by shard. */
const PARTIAL_BYTES = 64 * 2 ** 20;
/** Partial histograms up to this size live in the fit's wasm memory. */
const PARTIAL_IN_WASM_BYTES = 8 * 2 ** 20;

export function allocateFit(shape: FitShape, X: FeatureMatrix, mappers: BinMapper[], binner: WasmBinning | null): { a: FitArrays; home: KernelHome } {
  const { n, outputs: K, threads, maxLeaves, meta } = shape;
  // Byte-binned features first (F of them), then the wide categoricals (wide-columns.ts).
  const nAll = meta.nFeatures;
  let F = 0;
  while (F < nAll && !(meta.nBins[F] > 255)) F++;
  const slots = meta.off[nAll];
  const shared = threads > 1;
  // A level of a tree splits at most half its leaf limit at once (see grower.ts).
  const maxBatch = Math.max(1, Math.floor(maxLeaves / 2));
  const alloc = allocator(shared);
  const histBytes = 16 * slots;
  const shardEntries = Math.min(ENTRY_MODE_MIN - 1, maxBatch);
  let shards = shardCount(n);
  while (shards > 1 && shards * shardEntries * histBytes > PARTIAL_BYTES) shards--;
  // Wasm-resident arrays (64-byte aligned): row-major and column-major bins, gradients, row order and its
  // scratch, split tables, per thread a scratch histogram and a gather buffer, labels, scores, weights.
  // Then the histogram pool, the feature slot offsets and per thread a split result (wasm-hist-ops.ts).
  const poolLength = (maxLeaves + 1) * 2 * slots;
  const sizes = [n * F, n * F, 8 * n * K, 4 * n, 4 * n, 257 * maxBatch, threads * histBytes, threads * gatherBytes(F), 8 * n, 8 * n * K, shape.weighted ? 8 * n : 0];
  // The per-(entry, shard) histograms too when there are several shards and they are small: flushed by memory.copy and
  // summed by f64x2 adds (on shuttle, 8 shards, their JS copies and sums were ~8% of the fit).
  const partialLength = Math.max(1, shardEntries) * shards * 2 * slots;
  const partialInWasm = shards > 1 && 8 * partialLength <= PARTIAL_IN_WASM_BYTES;
  sizes.push(8 * poolLength, 4 * (nAll + 1), threads * 64, partialInWasm ? 8 * partialLength : 0);
  const padded = sizes.map((s) => Math.ceil(s / 64) * 64);
  const total = padded.reduce((x, y) => x + y, 0);
  const wantWasm = shape.kernel !== "js" && total < WASM_LIMIT && wasmKernelsSupported();
  const pages = Math.max(1, Math.ceil(total / 65536));
  // Shared even for one thread: V8 ran the kernel 1.5x faster on a shared memory (1.0 vs 1.5 ns per update).
  const memory: WasmMemory | null = wantWasm ? new wasmApi!.Memory({ initial: pages, maximum: pages, shared: true }) : null;
  let at = 0;
  const place = <T extends Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array>(
    C: { new (b: ArrayBufferLike, offset: number, length: number): T; new (b: ArrayBufferLike): T; BYTES_PER_ELEMENT: number },
    i: number,
    length: number,
  ): T => {
    if (!memory) return alloc(C, length);
    const view = new C(memory.buffer, at, length);
    at += padded[i];
    return view;
  };
  const bins = place(Uint8Array, 0, n * F);
  // Column-major bins for partitioning (a split reads one feature of scattered rows, which row-major bins
  // serve one cache line per row: measured 2.8x slower on 800k x 28), row-major for histograms.
  const binsT = place(Uint8Array, 1, n * F);
  const gh = place(Float32Array, 2, 2 * n * K);
  const rows = place(Uint32Array, 3, n);
  const scratch = place(Uint32Array, 4, n);
  const tables = place(Uint8Array, 5, 257 * maxBatch);
  const histScratch = memory ? place(Float64Array, 6, threads * 2 * slots) : null;
  const gather = memory ? place(Uint8Array, 7, threads * gatherBytes(F)) : null;
  binColumns(leadingColumns(X, F), mappers, binsT, binner);
  transposeBins(binsT, n, F, bins);
  const wideTableBytes = nAll > F ? catBytes(meta) : 0;
  const a: FitArrays = {
    n,
    nFeatures: nAll,
    nNarrow: F,
    wide: nAll > F ? binWide(X, mappers, F, alloc(Uint16Array, (nAll - F) * n)) : null,
    wideTables: nAll > F ? alloc(Uint8Array, wideTableBytes * maxBatch) : null,
    wideTableBytes,
    outputs: K,
    maxLeaves,
    threads,
    shards,
    slots,
    meta,
    split: shape.split,
    bins,
    binsT,
    // In the wasm memory too: the log-loss gradients run there (wasm-objective.ts).
    y: place(Float64Array, 8, n),
    raw: place(Float64Array, 9, n * K),
    w: shape.weighted ? place(Float64Array, 10, n) : null,
    gh,
    holdout: shape.holdout ? alloc(Uint8Array, n) : null,
    sample: shape.subsample ? alloc(Uint8Array, n) : null,
    rows,
    scratch,
    segStart: alloc(Int32Array, shards * maxLeaves),
    segCount: alloc(Int32Array, shards * maxLeaves),
    tables,
    batch: alloc(Int32Array, ENTRY * maxBatch),
    childSums: alloc(Float64Array, 4 * maxBatch),
    maxBatch,
    values: alloc(Float64Array, maxLeaves),
    shardSums: alloc(Float64Array, 2 * shards),
    pool: place(Float64Array, 11, poolLength),
    partial: partialInWasm ? place(Float64Array, 14, partialLength) : alloc(Float64Array, partialLength),
    entryModeMin: ENTRY_MODE_MIN,
    results: alloc(Float64Array, maxLeaves * RESULT),
    catLeft: alloc(Uint8Array, maxLeaves * catBytes(meta)),
    catBytes: catBytes(meta),
    // Over every feature, wide ones included (F counts the narrow ones only): colsample_bytree masks them all.
    featureMask: alloc(Uint8Array, nAll),
    work: alloc(Int32Array, WORK_SIZE),
    histScratch,
    gather,
    slotOffsets: memory ? place(Int32Array, 12, nAll + 1) : null,
    splitOut: memory ? place(Float64Array, 13, threads * 8) : null,
  };
  a.slotOffsets?.set(meta.off);
  return { a, home: { memory, shared: memory !== null } };
}

/** The objective with its gradients computed in wasm when it has a wasm version (log loss, softmax, squared error) and the arrays allow. */
export function withWasmGradients(objective: Objective, home: KernelHome): Objective {
  if (!home.memory) return objective;
  const { memory, shared } = home;
  const gradients =
    objective.name === "binary_logloss" ? wasmLogLossGradients(memory, shared)
    : objective.name === "multiclass_softmax" ? wasmSoftmaxGradients(memory, shared, objective.outputs)
    : objective.name === "squared_error" ? wasmSquaredGradients(memory, shared)
    : null;
  if (!gradients) return objective;
  return Object.assign(Object.create(objective) as Objective, { gradients });
}

/** The histogram ops of thread `t`: wasm over the fit's memory when there is one, else the JavaScript ones. */
export function histOpsFor(a: FitArrays, home: KernelHome, t: number): HistOps {
  if (!home.memory || !a.slotOffsets || !a.splitOut) return jsHistOps;
  const ops = wasmHistOps(home.memory, home.shared, a.slotOffsets, a.splitOut.subarray(8 * t, 8 * t + 8));
  return wasmBackedHistOps(ops, home.memory.buffer);
}

/** The row kernels of thread `t`: wasm over the fit's memory when there is one, else the JS kernels (wide columns in JS). */
export function kernelFor(a: FitArrays, home: KernelHome, t: number): RowKernels {
  const off = a.meta.off;
  const F = a.nNarrow;
  if (!home.memory || !a.histScratch || !a.gather) return withWideColumns(histogramKernel(F, off), a);
  const m = 2 * a.slots;
  const g = gatherBytes(F);
  return withWideColumns(wasmRowKernels(F, off, home.memory, home.shared, a.histScratch.subarray(t * m, (t + 1) * m), a.gather.subarray(t * g, (t + 1) * g)), a);
}
