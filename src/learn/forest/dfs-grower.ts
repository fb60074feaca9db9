// Grows one deep tree depth-first on histograms (random forests): only the histograms along the current path
// are alive, so a tree of 100k leaves needs depth-many buffers, not one per frontier leaf.

import type { FeatureMeta, SplitInfo, SplitParams } from "../gbdt/split-finder.js";
import { emptySplit, findBestSplit } from "../gbdt/split-finder.js";
import { buildRows, type RowKernels } from "../gbdt/histogram.js";
import type { TreeShape } from "../gbdt/tree.js";
import type { Rng } from "../rng.js";
import { randomSplit } from "./random-split.js";
import { SmallSplitter } from "./small-split.js";

export interface DfsParams extends SplitParams {
  /** <= 0: unlimited. */
  maxDepth: number;
  /** Features drawn per node (<= nFeatures). */
  maxFeatures: number;
  /** Extra trees: a random cut per drawn feature instead of the best one. */
  extra: boolean;
  /** 0/1 targets (classification): a node of one class is a leaf. */
  stopPure: boolean;
}

/**
 * A tree in typed arrays that double when full (node count unknown up front), reset and reused from tree to tree: a
 * thread grows one tree at a time, and its caller packs it before growing the next. Growable JS arrays per tree were
 * garbage of every node of every tree.
 */
export class DynamicTree implements TreeShape {
  nInternal = 0;
  nLeaves = 0;
  feature = new Int32Array(256);
  bin = new Int32Array(256);
  defaultLeft = new Uint8Array(256);
  catLeft: (Uint8Array | null)[] = [];
  left = new Int32Array(256);
  right = new Int32Array(256);
  gain = new Float64Array(256);
  leafG = new Float64Array(256);
  leafH = new Float64Array(256);

  reset(): void {
    this.nInternal = this.nLeaves = 0;
    this.catLeft.length = 0;
  }

  /** A new internal node (children set later); its index. */
  addNode(feature: number, bin: number, defaultLeft: boolean, catLeft: Uint8Array | null, gain: number): number {
    const k = this.nInternal++;
    if (k === this.feature.length) {
      this.feature = twice(this.feature);
      this.bin = twice(this.bin);
      this.defaultLeft = twice(this.defaultLeft);
      this.left = twice(this.left);
      this.right = twice(this.right);
      this.gain = twice(this.gain);
    }
    this.feature[k] = feature;
    this.bin[k] = bin;
    this.defaultLeft[k] = defaultLeft ? 1 : 0;
    this.catLeft.push(catLeft);
    this.gain[k] = gain;
    this.left[k] = this.right[k] = 0;
    return k;
  }

  addLeaf(g: number, h: number): void {
    const l = this.nLeaves++;
    if (l === this.leafG.length) (this.leafG = twice(this.leafG)), (this.leafH = twice(this.leafH));
    this.leafG[l] = g;
    this.leafH[l] = h;
  }
}

function twice<T extends Int32Array | Uint8Array | Float64Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(2 * a.length);
  b.set(a);
  return b;
}

/** The tree growDfsTree returns (this thread's, reused: valid until its next call). */
const scratchTree = new DynamicTree();

export interface DfsData {
  bins: Uint8Array;
  binsT: Uint8Array;
  n: number;
  meta: FeatureMeta;
  kernel: RowKernels;
  slots: number;
  /** Partition scratch (at least as long as the rows) and a split's direction table (257 bytes), both in the
   * kernel's memory for the wasm kernel. */
  scratch: Uint32Array;
  table: Uint8Array;
}

/**
 * Nodes with fewer rows sum only their drawn features, straight from the column-major bins, instead of keeping
 * all features' histograms: most nodes of a deep tree are small, and for them clearing, copying and subtracting
 * whole histograms cost more than their rows (diamonds, 100 full-depth trees: measured in bench/learn/rf).
 */
const DIRECT_ROWS = 2048;

/** Zeroes out[0..n) in a loop (a few bytes: cheaper than the call into TypedArray.prototype.fill's runtime). */
function zero(out: Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = 0;
}

/**
 * The direction table of a split (1 = left) for the bins the feature has, missing slot included: the entries the
 * partition reads (gbdt/split-table.ts's leftOfBinTable also clears the rest of its 257 bytes).
 */
function leftTable(nBins: number, numericBin: number, catLeft: Uint8Array | null, defaultLeft: boolean, out: Uint8Array): void {
  if (catLeft) for (let b = 0; b < nBins; b++) out[b] = catLeft[b];
  else for (let b = 0; b < nBins; b++) out[b] = b <= numericBin ? 1 : 0;
  out[nBins] = defaultLeft ? 1 : 0;
}

/** Sums the gradient pairs of rows[start..end) for the features set in `mask` only, into `out` (their slots). */
function maskedHistogram(d: DfsData, gh: Float32Array, rows: Uint32Array, start: number, end: number, mask: Uint8Array, out: Float64Array): void {
  const { off, nFeatures } = d.meta;
  const binsT = d.binsT;
  for (let f = 0; f < nFeatures; f++) {
    if (!mask[f]) continue;
    out.fill(0, 2 * off[f], 2 * off[f + 1]);
    const col = f * d.n;
    const base = off[f];
    for (let q = start; q < end; q++) {
      const r = rows[q];
      const s = 2 * (base + binsT[col + r]);
      out[s] += gh[2 * r];
      out[s + 1] += gh[2 * r + 1];
    }
  }
}

/** Sums the gradient pairs of rows[start..end) for every feature into `out`, row by row over the row-major bins. */
function rowHistogram(d: DfsData, gh: Float32Array, rows: Uint32Array, start: number, end: number, out: Float64Array): void {
  const { off, nFeatures: F } = d.meta;
  // A clear of every slot (a memset) measured cheaper than clearing the rows' slots after the split (cps1988 1 thread
  // 1.07-1.14 vs 1.40-1.52 s), and than a JavaScript loop over them (diamonds' ~3,600 doubles per node).
  out.fill(0, 0, 2 * off[F]);
  const bins = d.bins;
  for (let q = start; q < end; q++) {
    const r = rows[q];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const b0 = r * F;
    for (let f = 0; f < F; f++) {
      const s = 2 * (off[f] + bins[b0 + f]);
      out[s] += g;
      out[s + 1] += h;
    }
  }
}

/** Numeric bins over all features from which small nodes scan occupied bins only (SmallSplitter). */
const SPARSE_MIN_BINS = 256;

function numericBins(meta: FeatureMeta): number {
  let bins = 0;
  for (let f = 0; f < meta.nFeatures; f++) if (!meta.isCat[f]) bins += meta.nBins[f];
  return bins;
}

/** The pending nodes of a depth-first growth as parallel typed arrays (an object per node was a tenth of a fit in GC). */
class NodeStack {
  size = 0;
  start = new Int32Array(64);
  end = new Int32Array(64);
  depth = new Int32Array(64);
  /** Index into the histogram pool, or -1 (a node below DIRECT_ROWS sums its drawn features when needed). */
  hist = new Int32Array(64);
  /** Parent node (-1: the root), and which side: 1 left, 0 right. */
  parent = new Int32Array(64);
  isLeft = new Uint8Array(64);
  g = new Float64Array(64);
  h = new Float64Array(64);

  push(start: number, end: number, depth: number, hist: number, parent: number, isLeft: number, g: number, h: number): void {
    if (this.size === this.start.length) this.grow();
    const i = this.size++;
    this.start[i] = start;
    this.end[i] = end;
    this.depth[i] = depth;
    this.hist[i] = hist;
    this.parent[i] = parent;
    this.isLeft[i] = isLeft;
    this.g[i] = g;
    this.h[i] = h;
  }

  private grow(): void {
    this.start = twice(this.start);
    this.end = twice(this.end);
    this.depth = twice(this.depth);
    this.hist = twice(this.hist);
    this.parent = twice(this.parent);
    this.isLeft = twice(this.isLeft);
    this.g = twice(this.g);
    this.h = twice(this.h);
  }
}

/**
 * Whether a classification node holds one class only (targets are 0/1, so -G is the weight of the ones): such a
 * node is a leaf without building its histogram, as scikit-learn stops at zero impurity.
 */
const pure = (g: number, h: number): boolean => -g <= 1e-9 * h || h + g <= 1e-9 * h;

/**
 * Grows a tree on gradients gh over rows (permuted in place); returns it with per-leaf gradient sums, in this
 * thread's reused DynamicTree: pack or copy it before the next call.
 */
export function growDfsTree(d: DfsData, gh: Float32Array, rows: Uint32Array, p: DfsParams, rng: Rng): DynamicTree {
  const tree = scratchTree;
  tree.reset();
  const F = d.meta.nFeatures;
  // Histogram buffers by index: those of nodes on the stack, and the free ones.
  const pool: Float64Array[] = [];
  const free: number[] = [];
  const take = (): number => free.pop() ?? pool.push(new Float64Array(2 * d.slots)) - 1;
  const direct = new Float64Array(2 * d.slots);
  // Small nodes scan their occupied bins only when the numeric features have many bins between them (diamonds, 1
  // thread, 20 trees: fit CPU -12 to -18%); with few (cps1988's ~80) the plain scan measured as fast or faster.
  const small = numericBins(d.meta) >= SPARSE_MIN_BINS ? new SmallSplitter(d.meta) : null;
  const table = d.table;
  const mask = new Uint8Array(F);
  const order = Uint32Array.from({ length: F }, (_, i) => i);
  // One view per column, made once: the wasm partition checks each view it is given the first time it sees it.
  const cols = Array.from({ length: F }, (_, f) => d.binsT.subarray(f * d.n, (f + 1) * d.n));
  // All (or most) features drawn: one row-major pass per node beats one column pass per drawn feature
  // (cps1988 fit CPU 1.70 → 1.37 s, diamonds 11.6 → 9.1-10.1 s, same trees).
  const rowMajor = 2 * p.maxFeatures >= F;
  const best: SplitInfo = emptySplit();
  const maxDepth = p.maxDepth > 0 ? p.maxDepth : Infinity;
  const stack = new NodeStack();
  const root = rows.length >= DIRECT_ROWS ? take() : -1;
  if (root >= 0) buildRows(d.kernel, pool[root], d.bins, gh, rows, 0, rows.length);
  let g0 = 0;
  let h0 = 0;
  for (let j = 0; j < rows.length; j++) (g0 += gh[2 * rows[j]]), (h0 += gh[2 * rows[j] + 1]);
  stack.push(0, rows.length, 0, root, -1, 0, g0, h0);
  while (stack.size) {
    const i = --stack.size;
    const start = stack.start[i];
    const end = stack.end[i];
    const depth = stack.depth[i];
    const hi = stack.hist[i];
    const parent = stack.parent[i];
    const isLeft = stack.isLeft[i];
    const g = stack.g[i];
    const h = stack.h[i];
    best.feature = -1;
    const count = end - start;
    if (depth < maxDepth && count >= 2 && h >= 2 * p.minChildWeight && !(p.stopPure && pure(g, h))) {
      // Draw the node's features (a partial Fisher-Yates shuffle).
      zero(mask, F);
      for (let j = 0; j < p.maxFeatures; j++) {
        const k = j + rng.int(F - j);
        const t = order[j];
        order[j] = order[k];
        order[k] = t;
        mask[order[j]] = 1;
      }
      let hist = hi >= 0 ? pool[hi] : direct;
      if (hi < 0) {
        if (rowMajor) rowHistogram(d, gh, rows, start, end, hist);
        else maskedHistogram(d, gh, rows, start, end, mask, hist);
      }
      if (p.extra) randomSplit(hist, d.meta, mask, g, h, p, best, rng);
      else if (hi < 0 && small) small.find(hist, d.binsT, d.n, rows, start, end, mask, g, h, p, best);
      else findBestSplit(hist, d.meta, mask, g, h, count, p, best);
    }
    const child = best.feature < 0 ? ~tree.nLeaves : tree.nInternal;
    if (parent >= 0) {
      if (isLeft) tree.left[parent] = child;
      else tree.right[parent] = child;
    }
    if (best.feature < 0) {
      tree.addLeaf(g, h);
      if (hi >= 0) free.push(hi);
      continue;
    }
    const node = tree.addNode(best.feature, best.bin, best.defaultLeft, best.catLeft, best.gain);
    leftTable(d.meta.nBins[best.feature], best.bin, best.catLeft, best.defaultLeft, table);
    const l = d.kernel.partition(rows, d.scratch, cols[best.feature], table, start, end);
    // The smaller child is pushed last, so it is grown first.
    const leftSmall = l - start <= end - l;
    const ss = leftSmall ? start : l;
    const se = leftSmall ? l : end;
    const ls = leftSmall ? l : start;
    const le = leftSmall ? end : l;
    let smallHist = -1;
    let largeHist = -1;
    if (hi >= 0 && le - ls >= DIRECT_ROWS) {
      // The large child's histogram is the parent's minus the small child's (built over its rows).
      const built = take();
      const parentHist = pool[hi];
      const b = pool[built];
      buildRows(d.kernel, b, d.bins, gh, rows, ss, se);
      for (let k = 0; k < parentHist.length; k++) parentHist[k] -= b[k];
      largeHist = hi;
      if (se - ss >= DIRECT_ROWS) smallHist = built;
      else free.push(built);
    } else if (hi >= 0) free.push(hi);
    if (leftSmall) {
      stack.push(ls, le, depth + 1, largeHist, node, 0, best.gr, best.hr);
      stack.push(ss, se, depth + 1, smallHist, node, 1, best.gl, best.hl);
    } else {
      stack.push(ls, le, depth + 1, largeHist, node, 1, best.gl, best.hl);
      stack.push(ss, se, depth + 1, smallHist, node, 0, best.gr, best.hr);
    }
  }
  return tree;
}
