// Leaf-wise tree growth on histograms: always split the leaf with the largest gain, within leaf and depth limits.
// This thread decides the tree; the row work and the split search of new leaves run on every thread through the
// ShardRunner (one operation per tree level, or per split when growing best-first).

import { readResult } from "./level-results.js";
import { OP_LEVEL, OP_ROOT } from "./shard-ops.js";
import { E_FEATURE, E_LEAF, E_PARENT_BUF, E_RIGHT, E_SMALL, E_SMALL_BUF, ENTRY, type FitArrays } from "./shard.js";
import { leftOfBinTable } from "./split-table.js";
import { emptySplit, type FeatureMeta, type SplitInfo, type SplitParams } from "./split-finder.js";
import type { ShardRunner } from "./threads.js";
import { GrowingTree } from "./tree.js";

export interface GrowParams extends SplitParams {
  /** Force best-first growth even when level-by-level would make the same tree (tests, comparisons). */
  lossguide?: boolean;
  maxLeaves: number;
  /** <= 0: no depth limit. */
  maxDepth: number;
}

export interface GrownTree {
  tree: GrowingTree;
  leafG: Float64Array;
  leafH: Float64Array;
}

/** Reusable across trees: hands out the fit's histogram buffers (FitArrays.pool) by index. */
export class TreeGrower {
  private readonly free: number[] = [];
  /** Histogram buffer of each leaf that may still split (-1: none). */
  private readonly bufOf: Int32Array;
  private readonly best: SplitInfo[];
  private readonly leafG: Float64Array;
  private readonly leafH: Float64Array;
  private masked = 0;
  private tree: GrowingTree | null = null;

  constructor(
    private readonly a: FitArrays,
    private readonly meta: FeatureMeta,
    private readonly p: GrowParams,
    private readonly runner: ShardRunner,
  ) {
    this.bufOf = new Int32Array(p.maxLeaves);
    this.best = Array.from({ length: p.maxLeaves }, emptySplit);
    this.leafG = new Float64Array(p.maxLeaves);
    this.leafH = new Float64Array(p.maxLeaves);
  }

  private take(): number {
    const b = this.free.pop();
    if (b === undefined) throw new Error("histogram pool exhausted"); // a bug, not a user error: the pool has maxLeaves + 1
    return b;
  }

  private release(leaf: number): void {
    if (this.bufOf[leaf] >= 0) this.free.push(this.bufOf[leaf]);
    this.bufOf[leaf] = -1;
  }

  /** Grows the tree of output `k` on the current gradients; the shards end with rows partitioned by leaf. */
  grow(k: number, featureMask: Uint8Array | null): GrownTree {
    const { a, p, runner } = this;
    this.free.length = 0;
    for (let b = p.maxLeaves; b >= 0; b--) this.free.push(b);
    this.bufOf.fill(-1);
    this.masked = featureMask ? 1 : 0;
    if (featureMask) a.featureMask.set(featureMask);
    // One tree reused: the booster copies it into the forest before the next grow.
    const tree = (this.tree ??= new GrowingTree(p.maxLeaves)).reset();
    const maxDepth = p.maxDepth > 0 ? p.maxDepth : Infinity;
    const root = this.take();
    runner.run(OP_ROOT, k, root, this.masked, maxDepth > 0 && p.maxLeaves > 1 ? 1 : 0);
    let G = 0;
    let H = 0;
    for (let s = 0; s < a.shards; s++) (G += a.shardSums[2 * s]), (H += a.shardSums[2 * s + 1]);
    this.leafG[0] = G;
    this.leafH[0] = H;
    this.bufOf[0] = root;
    if (readResult(a, 0, this.best[0]).feature < 0) this.release(0);
    if (this.levelWise) this.growLevels(tree, k);
    else this.growLeaves(tree, k, maxDepth);
    return { tree, leafG: this.leafG.slice(0, tree.nLeaves), leafH: this.leafH.slice(0, tree.nLeaves) };
  }

  /**
   * When the leaf limit cannot bind (max_leaves >= 2^max_depth) best-first and level-by-level growth make the
   * same tree; level by level needs one synchronised operation per level instead of one per split.
   */
  private get levelWise(): boolean {
    const { p, a } = this;
    return !p.lossguide && p.maxDepth > 0 && p.maxDepth <= 16 && p.maxLeaves >= 2 ** p.maxDepth && a.maxBatch >= 2 ** (p.maxDepth - 1);
  }

  /** Splits `leaf` by its best split as batch entry i (histogram of the smaller child built when `more`). */
  private addEntry(tree: GrowingTree, i: number, leaf: number, more: boolean): void {
    const { a, meta } = this;
    const s = this.best[leaf];
    const table = s.feature < a.nNarrow ? a.tables.subarray(i * 257, (i + 1) * 257) : a.wideTables!.subarray(i * a.wideTableBytes, (i + 1) * a.wideTableBytes);
    leftOfBinTable(meta.nBins[s.feature], s.bin, s.catLeft, s.defaultLeft, table);
    const right = tree.split(leaf, s, table);
    this.leafG[leaf] = s.gl;
    this.leafH[leaf] = s.hl;
    this.leafG[right] = s.gr;
    this.leafH[right] = s.hr;
    // The child with less hessian gets a histogram pass (a proxy for fewer rows known before partitioning);
    // the other is parent minus it.
    const small = s.hl <= s.hr ? leaf : right;
    const b = a.batch;
    const e = i * ENTRY;
    b[e + E_LEAF] = leaf;
    b[e + E_RIGHT] = right;
    b[e + E_FEATURE] = s.feature;
    b[e + E_SMALL] = more ? small : -1;
    b[e + E_PARENT_BUF] = this.bufOf[leaf];
    b[e + E_SMALL_BUF] = more ? this.take() : -1;
    const cs = a.childSums;
    cs[4 * i] = s.gl;
    cs[4 * i + 1] = s.hl;
    cs[4 * i + 2] = s.gr;
    cs[4 * i + 3] = s.hr;
    this.best[right].feature = -1;
    s.feature = -1;
  }

  /** After the operation: the children's histogram buffers and best splits; those that can split go to `next`. */
  private finishEntry(i: number, more: boolean, next: number[]): void {
    const b = this.a.batch;
    const e = i * ENTRY;
    const leaf = b[e + E_LEAF];
    const right = b[e + E_RIGHT];
    if (!more) return this.release(leaf);
    const small = b[e + E_SMALL];
    this.bufOf[small] = b[e + E_SMALL_BUF];
    this.bufOf[small === leaf ? right : leaf] = b[e + E_PARENT_BUF];
    for (let c = 0; c < 2; c++) {
      const child = c === 0 ? leaf : right;
      if (readResult(this.a, child, this.best[child]).feature >= 0) next.push(child);
      else this.release(child);
    }
  }

  private growLevels(tree: GrowingTree, k: number): void {
    const { p, runner } = this;
    let frontier = this.best[0].feature >= 0 ? [0] : [];
    for (let depth = 0; frontier.length > 0 && depth < p.maxDepth; depth++) {
      const more = depth + 1 < p.maxDepth;
      frontier.forEach((leaf, i) => this.addEntry(tree, i, leaf, more));
      runner.run(OP_LEVEL, k, frontier.length, more ? 1 : 0, this.masked);
      const next: number[] = [];
      for (let i = 0; i < frontier.length; i++) this.finishEntry(i, more, next);
      frontier = next;
    }
  }

  private growLeaves(tree: GrowingTree, k: number, maxDepth: number): void {
    const { p, runner } = this;
    while (tree.nLeaves < p.maxLeaves) {
      let leaf = -1;
      for (let l = 0; l < tree.nLeaves; l++) {
        if (this.best[l].feature >= 0 && (leaf < 0 || this.best[l].gain > this.best[leaf].gain)) leaf = l;
      }
      if (leaf < 0) break;
      // The children split further only while leaves and depth remain (their depth is the parent's + 1).
      const more = tree.nLeaves + 1 < p.maxLeaves && tree.leafDepth[leaf] + 1 < maxDepth;
      this.addEntry(tree, 0, leaf, more);
      runner.run(OP_LEVEL, k, 1, more ? 1 : 0, this.masked);
      this.finishEntry(0, more, []);
    }
  }
}
