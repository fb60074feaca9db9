// A grown forest tree turned into the fitted forest's flat arrays on the thread that grew it, and those pieces
// joined in round order: the same arrays ForestBuilder (gbdt/forest.ts) makes from the trees, without the serial
// pass over every node on the calling thread after the last round (cps1988, 100 deep trees: ~0.13 s CPU there).

import type { BinMapper } from "../gbdt/binning.js";
import type { ForestState } from "../gbdt/forest-state.js";
import type { TreeShape } from "../gbdt/tree.js";

const DEFAULT_LEFT = 1;
const CATEGORICAL = 2;
const NO_CUTS = new Float64Array(0);

/** A forest of one or more trees, every array its own buffer (so it can be transferred between threads). */
export type PackedTrees = Required<ForestState>;

/**
 * One tree as a one-tree forest, as ForestBuilder.add makes it: raw thresholds from the bin cuts, categorical
 * left-sets as bitsets of codes, each internal node's cover the sum of its leaves' (left + right, as there). The
 * leaf arrays (nLeaves long) become the piece's own.
 */
export function packTree(tree: TreeShape, mappers: readonly BinMapper[], leafValues: Float64Array, leafCovers: Float64Array, output: number): PackedTrees {
  const n = tree.nInternal;
  if (leafValues.length !== tree.nLeaves || leafCovers.length !== tree.nLeaves) throw new Error("packTree: one value and one cover per leaf");
  // Every array made before the loops, each loop a function of its own: the first tree's on-stack compile of a
  // loop then meets no unseen allocation after it (a deopt and a recompile per thread otherwise).
  const out: PackedTrees = {
    treeRoot: Int32Array.of(n === 0 ? ~0 : 0),
    treeOutput: Int32Array.of(output),
    feature: new Int32Array(n),
    threshold: new Float64Array(n),
    flags: new Uint8Array(n),
    catStart: new Int32Array(n),
    catLen: new Int32Array(n),
    catBits: NO_WORDS,
    left: new Int32Array(n),
    right: new Int32Array(n),
    gain: new Float64Array(n),
    leafValue: leafValues,
    cover: new Float64Array(n),
    leafCover: leafCovers,
  };
  const words = packNodes(tree, mappers, out);
  out.catBits = words ? Uint32Array.from(words) : new Uint32Array(0);
  sumCovers(out.left, out.right, leafCovers, out.cover);
  return out;
}

/** Placeholder until packTree sets a piece's own category words. */
const NO_WORDS = new Uint32Array(0);

/** The internal nodes into `out`; the categorical nodes' bitset words (catStart indexes them), or null for none. */
function packNodes(tree: TreeShape, mappers: readonly BinMapper[], out: PackedTrees): number[] | null {
  const { feature, threshold, flags, catStart, catLen, left, right, gain } = out;
  let words: number[] | null = null;
  for (let k = 0; k < tree.nInternal; k++) {
    const f = tree.feature[k];
    const m = mappers[f];
    feature[k] = f;
    left[k] = tree.left[k];
    right[k] = tree.right[k];
    gain[k] = tree.gain[k];
    let flag = tree.defaultLeft[k] ? DEFAULT_LEFT : 0;
    const catLeft = tree.catLeft[k];
    if (catLeft && m.kind === "categorical") {
      flag |= CATEGORICAL;
      const levels = m.codeToBin.length;
      const nw = Math.ceil(levels / 32);
      words ??= [];
      const at = words.length;
      for (let w = 0; w < nw; w++) words.push(0);
      for (let c = 0; c < levels; c++) if (catLeft[m.codeToBin[c]]) words[at + (c >>> 5)] |= 1 << (c & 31);
      catStart[k] = at;
      catLen[k] = nw;
    } else {
      catStart[k] = -1;
      const cuts = m.kind === "numeric" ? m.cuts : NO_CUTS;
      // The split "every value left, missing right" has no cut: +Infinity keeps every number left.
      threshold[k] = tree.bin[k] < cuts.length ? cuts[tree.bin[k]] : Infinity;
    }
    flags[k] = flag;
  }
  return words;
}

/**
 * Each internal node's cover, the sum of its children's. Children have higher indices than their parent (depth-first
 * growth numbers a node before its children), so one backward pass sums a node's children before the node; the sums
 * are those of ForestBuilder's recursion (left + right).
 */
function sumCovers(left: Int32Array, right: Int32Array, leafCovers: Float64Array, cover: Float64Array): void {
  for (let k = left.length - 1; k >= 0; k--) {
    const l = left[k];
    const r = right[k];
    if ((l <= k && l >= 0) || (r <= k && r >= 0)) throw new Error("packTree: a child numbered before its parent");
    cover[k] = (l < 0 ? leafCovers[~l] : cover[l]) + (r < 0 ? leafCovers[~r] : cover[r]);
  }
}

/** The buffers of a packed piece, to transfer it to another thread without a copy. */
export function packedBuffers(p: PackedTrees): ArrayBuffer[] {
  return Object.values(p).map((a) => (a as Uint8Array).buffer as ArrayBuffer);
}

/** Joins pieces in order into one forest: node, leaf and category-word indices shifted by what comes before. */
export function joinPacked(parts: readonly PackedTrees[]): PackedTrees {
  let trees = 0;
  let nodes = 0;
  let leaves = 0;
  let cats = 0;
  for (const p of parts) (trees += p.treeRoot.length), (nodes += p.feature.length), (leaves += p.leafValue.length), (cats += p.catBits.length);
  const out: PackedTrees = {
    treeRoot: new Int32Array(trees),
    treeOutput: new Int32Array(trees),
    feature: new Int32Array(nodes),
    threshold: new Float64Array(nodes),
    flags: new Uint8Array(nodes),
    catStart: new Int32Array(nodes),
    catLen: new Int32Array(nodes),
    catBits: new Uint32Array(cats),
    left: new Int32Array(nodes),
    right: new Int32Array(nodes),
    gain: new Float64Array(nodes),
    leafValue: new Float64Array(leaves),
    cover: new Float64Array(nodes),
    leafCover: new Float64Array(leaves),
  };
  let t0 = 0;
  let n0 = 0;
  let l0 = 0;
  let c0 = 0;
  // A child c >= 0 is node n0 + c; a leaf ~j is leaf l0 + j, i.e. ~(l0 + ~c) = c - l0.
  const shift = (c: number): number => (c >= 0 ? c + n0 : c - l0);
  for (const p of parts) {
    const n = p.feature.length;
    for (let t = 0; t < p.treeRoot.length; t++) out.treeRoot[t0 + t] = shift(p.treeRoot[t]);
    out.treeOutput.set(p.treeOutput, t0);
    out.feature.set(p.feature, n0);
    out.threshold.set(p.threshold, n0);
    out.flags.set(p.flags, n0);
    out.catLen.set(p.catLen, n0);
    out.catBits.set(p.catBits, c0);
    out.gain.set(p.gain, n0);
    out.cover.set(p.cover, n0);
    out.leafValue.set(p.leafValue, l0);
    out.leafCover.set(p.leafCover, l0);
    for (let k = 0; k < n; k++) {
      out.left[n0 + k] = shift(p.left[k]);
      out.right[n0 + k] = shift(p.right[k]);
      out.catStart[n0 + k] = p.catStart[k] < 0 ? -1 : p.catStart[k] + c0;
    }
    t0 += p.treeRoot.length;
    n0 += n;
    l0 += p.leafValue.length;
    c0 += p.catBits.length;
  }
  return out;
}
