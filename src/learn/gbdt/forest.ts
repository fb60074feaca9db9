// A flat, serializable ensemble of trees on raw feature values: what a fitted GBDT or forest predicts with.

import type { FeatureMatrix } from "../../features/matrix.js";
import type { BinMapper } from "./binning.js";
import { compileChunks, type CompiledChunk } from "./compile.js";
import type { ForestState } from "./forest-state.js";
import type { TreeShape } from "./tree.js";

const DEFAULT_LEFT = 1;
const CATEGORICAL = 2;

export type { ForestState } from "./forest-state.js";

/** A typed array that grows by doubling: a forest of millions of nodes costs bytes per node, not a JS number each. */
class Grow<T extends Float64Array | Int32Array | Uint32Array | Uint8Array> {
  data: T;
  length = 0;

  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  /** A packed copy of the first n values. */
  take(n: number): T {
    return this.data.slice(0, n) as T;
  }
}

const growI32 = () => new Grow((n) => new Int32Array(n));
const growF64 = () => new Grow((n) => new Float64Array(n));

/** Collects trees into growable typed arrays; build() packs them. */
export class ForestBuilder {
  private treeRoot = growI32();
  private treeOutput = growI32();
  private feature = growI32();
  private threshold = growF64();
  private flags = new Grow((n) => new Uint8Array(n));
  private catStart = growI32();
  private catLen = growI32();
  private catBits = new Grow((n) => new Uint32Array(n));
  private left = growI32();
  private right = growI32();
  private gain = growF64();
  private leafValue = growF64();
  private cover = growF64();
  private leafCover = growF64();
  /** Where each tree's nodes, leaves and category words begin, so a prefix of trees can be cut out. */
  private starts: { node: number; leaf: number; cat: number }[] = [];

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
    const ref = (child: number): number => (child >= 0 ? nodeBase + child : ~(leafBase + ~child));
    this.treeRoot.push(tree.nInternal === 0 ? ~leafBase : nodeBase);
    this.treeOutput.push(output);
    for (let k = 0; k < tree.nInternal; k++) {
      const f = tree.feature[k];
      const m = mappers[f];
      this.feature.push(columnOf ? columnOf[f] : f);
      this.left.push(ref(tree.left[k]));
      this.right.push(ref(tree.right[k]));
      this.gain.push(tree.gain[k]);
      let flag = tree.defaultLeft[k] ? DEFAULT_LEFT : 0;
      const catLeft = tree.catLeft[k];
      if (catLeft && m.kind === "categorical") {
        flag |= CATEGORICAL;
        const levels = m.codeToBin.length;
        const words = new Uint32Array(Math.ceil(levels / 32));
        for (let c = 0; c < levels; c++) if (catLeft[m.codeToBin[c]]) words[c >>> 5] |= 1 << (c & 31);
        this.catStart.push(this.catBits.length);
        this.catLen.push(words.length);
        for (const w of words) this.catBits.push(w);
        this.threshold.push(0);
      } else {
        this.catStart.push(-1);
        this.catLen.push(0);
        const cuts = m.kind === "numeric" ? m.cuts : new Float64Array(0);
        // The split "every value left, missing right" has no cut: +Infinity keeps every number left.
        this.threshold.push(tree.bin[k] < cuts.length ? cuts[tree.bin[k]] : Infinity);
      }
      this.flags.push(flag);
    }
    for (let l = 0; l < tree.nLeaves; l++) this.leafValue.push(leafValues[l]), this.leafCover.push(leafCovers[l]);
    const covers = new Float64Array(tree.nInternal);
    const coverOf = (c: number): number => (c < 0 ? leafCovers[~c] : sumCover(c));
    const sumCover = (k: number): number => (covers[k] = coverOf(tree.left[k]) + coverOf(tree.right[k]));
    if (tree.nInternal > 0) sumCover(0);
    for (let k = 0; k < tree.nInternal; k++) this.cover.push(covers[k]);
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
