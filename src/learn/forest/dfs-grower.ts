// Grows one deep tree depth-first on histograms (random forests): only the histograms along the current path
// are alive, so a tree of 100k leaves needs depth-many buffers, not one per frontier leaf.

import type { FeatureMeta, SplitInfo, SplitParams } from "../gbdt/split-finder.js";
import { emptySplit, findBestSplit } from "../gbdt/split-finder.js";
import { buildRows, type RowKernels } from "../gbdt/histogram.js";
import { leftOfBinTable } from "../gbdt/split-table.js";
import type { TreeShape } from "../gbdt/tree.js";
import type { Rng } from "../rng.js";
import { randomSplit } from "./random-split.js";

export interface DfsParams extends SplitParams {
  /** <= 0: unlimited. */
  maxDepth: number;
  /** Features drawn per node (<= nFeatures). */
  maxFeatures: number;
  /** Extra trees: a random cut per drawn feature instead of the best one. */
  extra: boolean;
}

/** A tree with growable arrays (node count unknown up front). */
export class DynamicTree implements TreeShape {
  nInternal = 0;
  nLeaves = 0;
  feature: number[] = [];
  bin: number[] = [];
  defaultLeft: number[] = [];
  catLeft: (Uint8Array | null)[] = [];
  left: number[] = [];
  right: number[] = [];
  gain: number[] = [];
  leafG: number[] = [];
  leafH: number[] = [];
}

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

interface Item {
  start: number;
  end: number;
  depth: number;
  /** All features' histogram; null for a node below DIRECT_ROWS (its drawn features are summed when needed). */
  hist: Float64Array | null;
  g: number;
  h: number;
  /** Node whose child this is (-1: the root), and which side. */
  parent: number;
  isLeft: boolean;
}

/**
 * Nodes with fewer rows sum only their drawn features, straight from the column-major bins, instead of keeping
 * all features' histograms: most nodes of a deep tree are small, and for them clearing, copying and subtracting
 * whole histograms cost more than their rows (diamonds, 100 full-depth trees: measured in bench/learn/rf).
 */
const DIRECT_ROWS = 2048;

/** Sums the gradient pairs of rows[start..end) for the features set in `mask` only, into `out` (their slots). */
function maskedHistogram(d: DfsData, gh: Float32Array, rows: Uint32Array, start: number, end: number, mask: Uint8Array, out: Float64Array): void {
  const { off, nFeatures } = d.meta;
  for (let f = 0; f < nFeatures; f++) {
    if (!mask[f]) continue;
    out.fill(0, 2 * off[f], 2 * off[f + 1]);
    const col = d.binsT.subarray(f * d.n, (f + 1) * d.n);
    const base = off[f];
    for (let q = start; q < end; q++) {
      const r = rows[q];
      const s = 2 * (base + col[r]);
      out[s] += gh[2 * r];
      out[s + 1] += gh[2 * r + 1];
    }
  }
}

/** Grows a tree on gradients gh over rows (permuted in place); returns it with per-leaf gradient sums. */
export function growDfsTree(d: DfsData, gh: Float32Array, rows: Uint32Array, p: DfsParams, rng: Rng): DynamicTree {
  const tree = new DynamicTree();
  const free: Float64Array[] = [];
  const take = () => free.pop() ?? new Float64Array(2 * d.slots);
  const release = (h: Float64Array | null) => void (h && free.push(h));
  const direct = new Float64Array(2 * d.slots);
  const table = d.table;
  const mask = new Uint8Array(d.meta.nFeatures);
  const order = Uint32Array.from({ length: d.meta.nFeatures }, (_, i) => i);
  const best: SplitInfo = emptySplit();
  const maxDepth = p.maxDepth > 0 ? p.maxDepth : Infinity;
  const attach = (it: Item, child: number) => {
    if (it.parent < 0) return;
    if (it.isLeft) tree.left[it.parent] = child;
    else tree.right[it.parent] = child;
  };
  const root = rows.length >= DIRECT_ROWS ? take() : null;
  if (root) buildRows(d.kernel, root, d.bins, gh, rows, 0, rows.length);
  let g0 = 0;
  let h0 = 0;
  for (let j = 0; j < rows.length; j++) (g0 += gh[2 * rows[j]]), (h0 += gh[2 * rows[j] + 1]);
  const stack: Item[] = [{ start: 0, end: rows.length, depth: 0, hist: root, g: g0, h: h0, parent: -1, isLeft: false }];
  while (stack.length) {
    const it = stack.pop()!;
    best.feature = -1;
    const count = it.end - it.start;
    if (it.depth < maxDepth && count >= 2 && it.h >= 2 * p.minChildWeight) {
      // Draw the node's features (a partial Fisher-Yates shuffle).
      mask.fill(0);
      for (let j = 0; j < p.maxFeatures; j++) {
        const k = j + rng.int(order.length - j);
        const t = order[j];
        order[j] = order[k];
        order[k] = t;
        mask[order[j]] = 1;
      }
      let hist = it.hist;
      if (!hist) maskedHistogram(d, gh, rows, it.start, it.end, mask, (hist = direct));
      if (p.extra) randomSplit(hist, d.meta, mask, it.g, it.h, p, best, rng);
      else findBestSplit(hist, d.meta, mask, it.g, it.h, count, p, best);
    }
    if (best.feature < 0) {
      attach(it, ~tree.nLeaves);
      tree.leafG.push(it.g);
      tree.leafH.push(it.h);
      tree.nLeaves++;
      release(it.hist);
      continue;
    }
    const node = tree.nInternal++;
    attach(it, node);
    tree.feature.push(best.feature);
    tree.bin.push(best.bin);
    tree.defaultLeft.push(best.defaultLeft ? 1 : 0);
    tree.catLeft.push(best.catLeft);
    tree.gain.push(best.gain);
    tree.left.push(0);
    tree.right.push(0);
    leftOfBinTable(d.meta.nBins[best.feature], best.bin, best.catLeft, best.defaultLeft, table);
    const col = d.binsT.subarray(best.feature * d.n, (best.feature + 1) * d.n);
    const l = d.kernel.partition(rows, d.scratch, col, table, it.start, it.end);
    const leftItem: Item = { start: it.start, end: l, depth: it.depth + 1, hist: it.hist, g: best.gl, h: best.hl, parent: node, isLeft: true };
    const rightItem: Item = { start: l, end: it.end, depth: it.depth + 1, hist: it.hist, g: best.gr, h: best.hr, parent: node, isLeft: false };
    const [small, large] = l - it.start <= it.end - l ? [leftItem, rightItem] : [rightItem, leftItem];
    if (it.hist && large.end - large.start >= DIRECT_ROWS) {
      // The large child's histogram is the parent's minus the small child's (built over its rows).
      const built = take();
      buildRows(d.kernel, built, d.bins, gh, rows, small.start, small.end);
      for (let i = 0; i < it.hist.length; i++) it.hist[i] -= built[i];
      large.hist = it.hist;
      if (small.end - small.start >= DIRECT_ROWS) small.hist = built;
      else (small.hist = null), release(built);
    } else {
      release(it.hist);
      small.hist = null;
      large.hist = null;
    }
    stack.push(large, small);
  }
  return tree;
}
