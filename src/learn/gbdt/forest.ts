// A flat, serializable ensemble of trees on raw feature values: what a fitted GBDT or forest predicts with.

import type { FeatureMatrix } from "../../features/matrix.js";
import type { BinMapper } from "./binning.js";
import { compileChunks, type CompiledChunk } from "./compile.js";
import type { ForestState } from "./forest-state.js";
import type { TreeShape } from "./tree.js";

const DEFAULT_LEFT = 1;
const NO_CUTS = new Float64Array(0);
const CATEGORICAL = 2;

export type { ForestState } from "./forest-state.js";

type Packed = Float64Array | Int32Array | Uint32Array | Uint8Array;
interface Grow<T extends Packed> {
  data: T;
  length: number;
  /** The data with room for k more values (written by the caller at length.., then length += k). */
  reserve(k: number): T;
  push(v: number): void;
  /** A packed copy of the first n values. */
  take(n: number): T;
}

/**
 * A typed array that grows by doubling: a forest of millions of nodes costs bytes per node, not a JS number each.
 * One class per element type: a class shared by four typed-array kinds made every store polymorphic, ~10% of a
 * small set's first fit.
 */
function growable<T extends Packed>(C: new (n: number) => T): new (capacity?: number) => Grow<T> {
  return class {
    data: T;
    length = 0;

    constructor(capacity = 1024) {
      this.data = new C(Math.max(1, capacity));
    }

    reserve(k: number): T {
      if (this.length + k > this.data.length) {
        let size = this.data.length * 2;
        while (size < this.length + k) size *= 2;
        const bigger = new C(size);
        bigger.set(this.data);
        this.data = bigger;
      }
      return this.data;
    }

    push(v: number): void {
      this.reserve(1)[this.length++] = v;
    }

    take(n: number): T {
      return this.data.slice(0, n) as T;
    }
  };
}

const GrowI32 = growable(Int32Array);
const GrowF64 = growable(Float64Array);
const GrowU8 = growable(Uint8Array);
const GrowU32 = growable(Uint32Array);

/** Most nodes reserved up front (~3 MB of arrays); a bigger forest grows by doubling past it. */
const MAX_RESERVED_NODES = 1 << 16;

/** How big the forest will be at most: trees and internal nodes (a hint: the arrays grow past it). */
export interface ForestCapacity {
  trees: number;
  nodes: number;
}

/**
 * Collects trees into growable typed arrays; build() packs them. Given the forest's size up front, a fit's arrays
 * never grow (below MAX_RESERVED_NODES): growing in add() while TurboFan compiles it inlined a typed-array copy per
 * array and then deoptimized it, ~0.1-0.2 s of compiler CPU on a small set's first fit (cps1988: 23 -> 6 MB of graph).
 */
export class ForestBuilder {
  private treeRoot: Grow<Int32Array>;
  private treeOutput: Grow<Int32Array>;
  private feature: Grow<Int32Array>;
  private threshold: Grow<Float64Array>;
  private flags: Grow<Uint8Array>;
  private catStart: Grow<Int32Array>;
  private catLen: Grow<Int32Array>;
  private catBits: Grow<Uint32Array>;
  private left: Grow<Int32Array>;
  private right: Grow<Int32Array>;
  private gain: Grow<Float64Array>;
  private leafValue: Grow<Float64Array>;
  private cover: Grow<Float64Array>;
  private leafCover: Grow<Float64Array>;
  /** Where each tree's nodes, leaves and category words begin, so a prefix of trees can be cut out. */
  private starts: { node: number; leaf: number; cat: number }[] = [];

  constructor(capacity?: ForestCapacity) {
    const trees = capacity ? Math.min(capacity.trees, MAX_RESERVED_NODES) : 1024;
    const nodes = capacity ? Math.min(capacity.nodes, MAX_RESERVED_NODES) : 1024;
    // A tree has one more leaf than internal nodes; a categorical node's bitset is usually one word.
    const leaves = capacity ? Math.min(nodes + trees, MAX_RESERVED_NODES) : 1024;
    this.treeRoot = new GrowI32(trees);
    this.treeOutput = new GrowI32(trees);
    this.feature = new GrowI32(nodes);
    this.threshold = new GrowF64(nodes);
    this.flags = new GrowU8(nodes);
    this.catStart = new GrowI32(nodes);
    this.catLen = new GrowI32(nodes);
    this.catBits = new GrowU32(nodes);
    this.left = new GrowI32(nodes);
    this.right = new GrowI32(nodes);
    this.gain = new GrowF64(nodes);
    this.leafValue = new GrowF64(leaves);
    this.cover = new GrowF64(nodes);
    this.leafCover = new GrowF64(leaves);
  }

  get nTrees(): number {
    return this.treeRoot.length;
  }

  /**
   * Adds a grown tree, turning bin thresholds into raw ones; leaf values are taken from `leafValues`, leaf covers
   * from `leafCovers` (an internal node's cover is the sum of its leaves'). `columnOf` maps the tree's feature
   * order to the input columns when the fit reordered them (wide-columns.ts).
   */
  add(tree: TreeShape, mappers: BinMapper[], leafValues: ArrayLike<number>, output: number, leafCovers: ArrayLike<number>, columnOf: Int32Array | null = null): void {
    const nodeBase = this.feature.length;
    const leafBase = this.leafValue.length;
    this.starts.push({ node: nodeBase, leaf: leafBase, cat: this.catBits.length });
    const ni = tree.nInternal;
    this.treeRoot.push(ni === 0 ? ~leafBase : nodeBase);
    this.treeOutput.push(output);
    // Room for the tree's nodes, then indexed writes (no capacity check per value). Plain statements, no array
    // destructuring or closures: this runs ~200 times a fit, so TurboFan's compile of it (concurrent, but CPU on a
    // 2-core machine) cost more than the calls themselves (~0.1-0.2 s of a small set's first fit with them).
    const feature = this.feature.reserve(ni);
    const left = this.left.reserve(ni);
    const right = this.right.reserve(ni);
    const gain = this.gain.reserve(ni);
    const flags = this.flags.reserve(ni);
    const catStart = this.catStart.reserve(ni);
    const catLen = this.catLen.reserve(ni);
    const threshold = this.threshold.reserve(ni);
    const cover = this.cover.reserve(ni);
    for (let k = 0; k < ni; k++) {
      const at = nodeBase + k;
      const f = tree.feature[k];
      const m = mappers[f];
      feature[at] = columnOf ? columnOf[f] : f;
      const l = tree.left[k];
      const r = tree.right[k];
      left[at] = l >= 0 ? nodeBase + l : ~(leafBase + ~l);
      right[at] = r >= 0 ? nodeBase + r : ~(leafBase + ~r);
      gain[at] = tree.gain[k];
      const catLeft = tree.catLeft[k];
      if (catLeft && m.kind === "categorical") {
        flags[at] = (tree.defaultLeft[k] ? DEFAULT_LEFT : 0) | CATEGORICAL;
        this.addCategorical(at, m.codeToBin, catLeft, catStart, catLen);
        threshold[at] = 0;
      } else {
        flags[at] = tree.defaultLeft[k] ? DEFAULT_LEFT : 0;
        catStart[at] = -1;
        catLen[at] = 0;
        const cuts = m.kind === "numeric" ? m.cuts : NO_CUTS;
        // The split "every value left, missing right" has no cut: +Infinity keeps every number left.
        threshold[at] = tree.bin[k] < cuts.length ? cuts[tree.bin[k]] : Infinity;
      }
    }
    const nl = tree.nLeaves;
    const leafValue = this.leafValue.reserve(nl);
    const leafCover = this.leafCover.reserve(nl);
    for (let l = 0; l < nl; l++) {
      leafValue[leafBase + l] = leafValues[l];
      leafCover[leafBase + l] = leafCovers[l];
    }
    this.leafValue.length += nl;
    this.leafCover.length += nl;
    // An internal node's cover: the sum of its children's, in a pass from the last node back (children come after
    // their parent in a grown tree's order, checked), the same sums as the recursion from the root.
    for (let k = ni - 1; k >= 0; k--) {
      const l = tree.left[k];
      const r = tree.right[k];
      if ((l >= 0 && l <= k) || (r >= 0 && r <= k)) throw new Error("forest: a node's child precedes it");
      cover[nodeBase + k] = (l < 0 ? leafCovers[~l] : cover[nodeBase + l]) + (r < 0 ? leafCovers[~r] : cover[nodeBase + r]);
    }
    this.feature.length += ni;
    this.left.length += ni;
    this.right.length += ni;
    this.gain.length += ni;
    this.flags.length += ni;
    this.catStart.length += ni;
    this.catLen.length += ni;
    this.threshold.length += ni;
    this.cover.length += ni;
  }

  /** Node `at`'s category bitset (bit c set when code c goes left), appended to catBits. */
  private addCategorical(at: number, codeToBin: ArrayLike<number>, catLeft: Uint8Array, catStart: Int32Array, catLen: Int32Array): void {
    const levels = codeToBin.length;
    const words = new Uint32Array(Math.ceil(levels / 32));
    for (let c = 0; c < levels; c++) if (catLeft[codeToBin[c]]) words[c >>> 5] |= 1 << (c & 31);
    catStart[at] = this.catBits.length;
    catLen[at] = words.length;
    for (let j = 0; j < words.length; j++) this.catBits.push(words[j]);
  }

  /** Packs the first `nTrees` trees (all by default; early stopping keeps the best prefix). */
  build(nTrees = this.nTrees): ForestState {
    const end = nTrees < this.nTrees ? this.starts[nTrees] : { node: this.feature.length, leaf: this.leafValue.length, cat: this.catBits.length };
    return {
      treeRoot: this.treeRoot.take(nTrees),
      treeOutput: this.treeOutput.take(nTrees),
      feature: this.feature.take(end.node),
      threshold: this.threshold.take(end.node),
      flags: this.flags.take(end.node),
      catStart: this.catStart.take(end.node),
      catLen: this.catLen.take(end.node),
      catBits: this.catBits.take(end.cat),
      left: this.left.take(end.node),
      right: this.right.take(end.node),
      gain: this.gain.take(end.node),
      leafValue: this.leafValue.take(end.leaf),
      cover: this.cover.take(end.node),
      leafCover: this.leafCover.take(end.leaf),
    };
  }
}

/** Leaf index reached by a row whose features are x[base .. base + F) (row-major, NaN = missing). */
export function leafOfRow(s: ForestState, t: number, x: Float64Array, base: number): number {
  const { feature, threshold, flags, catStart, catLen, catBits, left, right } = s;
  let node = s.treeRoot[t];
  while (node >= 0) {
    const v = x[base + feature[node]];
    const fl = flags[node];
    let goLeft: boolean;
    if (fl & CATEGORICAL) {
      if (v !== v) goLeft = (fl & DEFAULT_LEFT) !== 0;
      else {
        const w = v >>> 5;
        goLeft = w < catLen[node] && (catBits[catStart[node] + w] & (1 << (v & 31))) !== 0;
      }
    } else goLeft = v <= threshold[node] || (v !== v && (fl & DEFAULT_LEFT) !== 0);
    node = goLeft ? left[node] : right[node];
  }
  return ~node;
}

/** Rows per block: a block's feature values stay in L1 while every tree walks them. */
const BLOCK_ROWS = 256;

/**
 * Adds the trees' outputs to class-major raw scores: raw[output * n + i] += leaf value. Rows are copied into a
 * row-major block first so that a walk reads one row's features from one cache line; trees run compiled
 * (see compile.ts) when given, else walked.
 */
export function addForestScores(s: ForestState, X: FeatureMatrix, raw: Float64Array, compiled?: CompiledChunk[]): void {
  const n = X.nRows;
  const F = X.columns.length;
  const cols = X.columns;
  const nTrees = s.treeRoot.length;
  const x = new Float64Array(Math.min(BLOCK_ROWS, n) * F);
  const { treeOutput, catBits } = s;
  for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
    const m = Math.min(BLOCK_ROWS, n - i0);
    // Copied straight from the columns (codes -1 -> NaN): no per-column arrays, which a single record pays for.
    for (let f = 0; f < F; f++) {
      const c = cols[f];
      if (c.kind === "numeric") for (let j = 0; j < m; j++) x[j * F + f] = c.values[i0 + j];
      else for (let j = 0; j < m; j++) x[j * F + f] = c.codes[i0 + j] < 0 ? NaN : c.codes[i0 + j];
    }
    if (compiled) {
      for (const ch of compiled) {
        if (ch.fn) ch.fn(x, m, raw, n, i0, catBits);
        else for (let t = ch.t0; t < ch.t1; t++) walkBlock(s, t, x, F, m, raw, treeOutput[t] * n + i0);
      }
    } else for (let t = 0; t < nTrees; t++) walkBlock(s, t, x, F, m, raw, treeOutput[t] * n + i0);
  }
}

function walkBlock(s: ForestState, t: number, x: Float64Array, F: number, m: number, raw: Float64Array, o: number): void {
  const { leafValue, feature, threshold, flags, catStart, catLen, catBits, left, right } = s;
  const root = s.treeRoot[t];
  for (let j = 0; j < m; j++) {
    const base = j * F;
    let node = root;
    while (node >= 0) {
      const v = x[base + feature[node]];
      const fl = flags[node];
      let goLeft: boolean;
      if (fl & CATEGORICAL) {
        if (v !== v) goLeft = (fl & DEFAULT_LEFT) !== 0;
        else {
          const w = v >>> 5;
          goLeft = w < catLen[node] && (catBits[catStart[node] + w] & (1 << (v & 31))) !== 0;
        }
      } else goLeft = v <= threshold[node] || (v !== v && (fl & DEFAULT_LEFT) !== 0);
      node = goLeft ? left[node] : right[node];
    }
    raw[o + j] += leafValue[~node];
  }
}

/** The forest compiled into chunks of trees (see compile.ts). */
export function compileForest(s: ForestState, nFeatures: number): CompiledChunk[] {
  return compileChunks(s, nFeatures);
}

/** Total gain and split count per feature index. */
export function forestImportance(s: ForestState, nFeatures: number): { gain: Float64Array; split: Float64Array } {
  const gain = new Float64Array(nFeatures);
  const split = new Float64Array(nFeatures);
  for (let k = 0; k < s.feature.length; k++) (gain[s.feature[k]] += s.gain[k]), split[s.feature[k]]++;
  return { gain, split };
}
