// The arrays of one boosting fit and the row work on one shard (a fixed block of rows): gradients, the root
// histogram, partitions and histograms of a tree level, score updates. Shards are handed to threads as work
// items (shard-ops.ts), so a thread slowed by other load on the machine simply takes fewer of them; their number
// depends only on the row count, so a fit is the same for any number of threads.

import type { Objective } from "../objectives/objective.js";
import { partitionRows, type RowKernels } from "./histogram.js";
import type { FeatureMeta, SplitParams } from "./split-finder.js";

/** The arrays of one fit, shared by every thread (SharedArrayBuffer-backed when there is more than one). */
export interface FitArrays {
  n: number;
  nFeatures: number;
  outputs: number;
  maxLeaves: number;
  threads: number;
  shards: number;
  /** Histogram slots (2 doubles each) of the feature layout. */
  slots: number;
  meta: FeatureMeta;
  split: SplitParams;
  /** Features binned in bytes (the first nNarrow of the fit's order); the rest are wide (wide-columns.ts). */
  nNarrow: number;
  /** Row-major bins of the byte-binned features (bins[row * nNarrow + f]) for histograms. */
  bins: Uint8Array;
  /** Column-major bins (binsT[f * n + row]) of the byte-binned features, for partitioning. */
  binsT: Uint8Array;
  /** Column-major Uint16 bins of the wide features (wide[(f - nNarrow) * n + row]); null when there are none. */
  wide: Uint16Array | null;
  /** Direction tables of splits on wide features: batch entry i at wideTables[i * wideTableBytes]. */
  wideTables: Uint8Array | null;
  wideTableBytes: number;
  y: Float64Array;
  w: Float64Array | null;
  /** Class-major raw scores, n x outputs. */
  raw: Float64Array;
  /** Class-major interleaved gradient/hessian, 2 x n x outputs. */
  gh: Float32Array;
  /** 1 = the row never trains (the early-stopping slice): its gradients are zero. */
  holdout: Uint8Array | null;
  /** Per tree: 1 = the row is in this tree's sample; others get zero gradients for the tree. */
  sample: Uint8Array | null;
  /** Partition: shard s's rows live in rows[lo_s .. hi_s), leaf L's at segStart[s*maxLeaves+L] for segCount. */
  rows: Uint32Array;
  scratch: Uint32Array;
  segStart: Int32Array;
  segCount: Int32Array;
  /** Direction per bin (1 = left) of each split being applied: batch entry i at tables[i * 257]. */
  tables: Uint8Array;
  /** The splits of one tree level: ENTRY ints per entry (see the E_ offsets). */
  batch: Int32Array;
  /** Gradient and hessian sums of each entry's children: gl, hl, gr, hr. */
  childSums: Float64Array;
  /** Most splits in one batch (half the leaf limit). */
  maxBatch: number;
  /** Leaf values of the tree being added. */
  values: Float64Array;
  /** Per shard: gradient and hessian sums of the root. */
  shardSums: Float64Array;
  /** Histogram buffers by index (2 x slots doubles each): the grower hands them out. */
  pool: Float64Array;
  /** Per (entry, shard) histograms of the levels run shard by shard, summed in shard order afterwards. */
  partial: Float64Array;
  /** Entries below this run shard by shard (partial histograms); from it on, one item per entry. */
  entryModeMin: number;
  /** Best split per leaf found by the threads: RESULT doubles per leaf, categorical sides in catLeft. */
  results: Float64Array;
  /** catBytes bytes per leaf (level-results.ts): the most bins of a categorical feature and its missing slot. */
  catLeft: Uint8Array;
  catBytes: number;
  /** The tree's feature sample (1 = usable). */
  featureMask: Uint8Array;
  /** Work-item counters and the in-operation barrier (shard-ops.ts). */
  work: Int32Array;
  /** Per thread, inside the wasm memory: where the wasm kernel sums a histogram (null with the JS kernel). */
  histScratch: Float64Array | null;
  /** Per thread, inside the wasm memory: the wasm kernel's gather buffer (null with the JS kernel). */
  gather: Uint8Array | null;
  /** Inside the wasm memory: meta.off for the wasm split scan (null with the JS kernel). */
  slotOffsets: Int32Array | null;
  /** Per thread, inside the wasm memory: 8 doubles, the wasm split scan's result (null with the JS kernel). */
  splitOut: Float64Array | null;
}

/** Batch entry layout: leaf (keeps the left rows), right (the new leaf), feature, small (child whose histogram is
 * built, -1 for none), the parent's histogram buffer (becomes the larger child's), the small child's buffer. */
export const E_LEAF = 0;
export const E_RIGHT = 1;
export const E_FEATURE = 2;
export const E_SMALL = 3;
export const E_PARENT_BUF = 4;
export const E_SMALL_BUF = 5;
export const ENTRY = 6;

export function shardRange(n: number, shards: number, s: number): [number, number] {
  const size = Math.ceil(n / shards);
  return [Math.min(n, s * size), Math.min(n, (s + 1) * size)];
}

/** Shards for n rows: blocks of at least 4096 rows, at most 8 (a slow thread holds back at most an eighth). */
export function shardCount(n: number): number {
  return Math.max(1, Math.min(8, Math.floor(n / 4096)));
}

export const histOf = (a: FitArrays, buf: number): Float64Array => a.pool.subarray(buf * 2 * a.slots, (buf + 1) * 2 * a.slots);
export const partialOf = (a: FitArrays, entry: number, s: number): Float64Array => {
  const at = (entry * a.shards + s) * 2 * a.slots;
  return a.partial.subarray(at, at + 2 * a.slots);
};

export function computeGradients(a: FitArrays, objective: Objective, s: number): void {
  const [lo, hi] = shardRange(a.n, a.shards, s);
  objective.gradients(a.y, a.raw, a.w ?? undefined, a.gh, lo, hi);
  const h = a.holdout;
  if (!h) return;
  const n = a.n;
  for (let i = lo; i < hi; i++) {
    if (!h[i]) continue;
    for (let k = 0; k < a.outputs; k++) (a.gh[2 * (k * n + i)] = 0), (a.gh[2 * (k * n + i) + 1] = 0);
  }
}

/** Starts tree `k` on shard s: its rows in leaf 0, sampled-out rows zeroed, sums, its root histogram into `out`. */
export function beginShard(a: FitArrays, s: number, k: number, kernel: RowKernels, out: Float64Array): void {
  const [lo, hi] = shardRange(a.n, a.shards, s);
  const rows = a.rows;
  a.segStart[s * a.maxLeaves] = lo;
  a.segCount[s * a.maxLeaves] = hi - lo;
  const gh = viewsOf(a).gh[k];
  const sample = a.sample;
  if (sample) for (let i = lo; i < hi; i++) if (!sample[i]) (gh[2 * i] = 0), (gh[2 * i + 1] = 0);
  let g = 0;
  let h = 0;
  // One pass: the row order reset and the sums (in row order, as before).
  for (let i = lo; i < hi; i++) (rows[i] = i), (g += gh[2 * i]), (h += gh[2 * i + 1]);
  a.shardSums[2 * s] = g;
  a.shardSums[2 * s + 1] = h;
  kernel.clear();
  kernel.addDense(a.bins, gh, lo, hi);
  kernel.flush(out, false);
}

/**
 * Views into the fit's arrays that the row work takes per call (a subarray costs ~0.1-0.3 us: on cps1988 they were 3%
 * of the fit), made once per fit and thread; the last fit's are kept (one fit at a time runs its operations).
 */
interface Views {
  a: FitArrays;
  cols: Uint8Array[];
  tables: Uint8Array[];
  gh: Float32Array[];
  entries: Int32Array[];
}
let views: Views | null = null;

function viewsOf(a: FitArrays): Views {
  if (views?.a === a) return views;
  const n = a.n;
  views = {
    a,
    cols: Array.from({ length: a.nNarrow }, (_, f) => a.binsT.subarray(f * n, (f + 1) * n)),
    tables: Array.from({ length: a.maxBatch }, (_, i) => a.tables.subarray(i * 257, (i + 1) * 257)),
    gh: Array.from({ length: a.outputs }, (_, k) => a.gh.subarray(2 * k * n, 2 * (k + 1) * n)),
    entries: Array.from({ length: a.maxBatch }, (_, i) => a.batch.subarray(i * ENTRY, (i + 1) * ENTRY)),
  };
  return views;
}

/**
 * Applies batch entry i on shard s: splits the shard's rows of the entry's leaf by its table (left keep the leaf,
 * right go to the new leaf), then adds the rows of the child whose histogram is built (if any) to the kernel's
 * accumulator.
 */
export function splitShard(a: FitArrays, s: number, k: number, i: number, kernel: RowKernels): void {
  const v = viewsOf(a);
  const e = v.entries[i];
  const base = s * a.maxLeaves;
  const leaf = e[E_LEAF];
  const right = e[E_RIGHT];
  const start = a.segStart[base + leaf];
  const end = start + a.segCount[base + leaf];
  const f = e[E_FEATURE];
  // The scratch slots used are the segment's own: no two work items share one.
  let l = start;
  if (end > start && f < a.nNarrow) {
    l = kernel.partition(a.rows, a.scratch, v.cols[f], v.tables[i], start, end);
  } else if (end > start) {
    const w = f - a.nNarrow;
    const table = a.wideTables!.subarray(i * a.wideTableBytes, (i + 1) * a.wideTableBytes);
    l = partitionRows(a.rows, a.scratch, a.wide!.subarray(w * a.n, (w + 1) * a.n), table, start, end);
  }
  a.segCount[base + leaf] = l - start;
  a.segStart[base + right] = l;
  a.segCount[base + right] = end - l;
  const build = e[E_SMALL];
  if (build >= 0) {
    const bs = a.segStart[base + build];
    kernel.addRows(a.bins, v.gh[k], a.rows, bs, bs + a.segCount[base + build]);
  }
}

/** Rows of `leaf` over all shards. */
export function leafCount(a: FitArrays, leaf: number): number {
  let c = 0;
  for (let s = 0; s < a.shards; s++) c += a.segCount[s * a.maxLeaves + leaf];
  return c;
}

/** raw[k] += leaf value for every row of shard s, by leaf segment (no tree walk). */
export function addLeafValues(a: FitArrays, s: number, k: number, nLeaves: number): void {
  const base = s * a.maxLeaves;
  const raw = a.raw.subarray(k * a.n, (k + 1) * a.n);
  const rows = a.rows;
  for (let l = 0; l < nLeaves; l++) {
    const v = a.values[l];
    const start = a.segStart[base + l];
    const end = start + a.segCount[base + l];
    for (let p = start; p < end; p++) raw[rows[p]] += v;
  }
}
