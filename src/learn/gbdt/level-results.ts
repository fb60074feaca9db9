// The second half of a tree level, run by whichever thread claims an entry: the small child's histogram summed from
// its shard parts, the large child's by subtraction, and both children's best splits written to shared results.

import type { HistOps } from "./hist-ops.js";
import { E_LEAF, E_PARENT_BUF, E_RIGHT, E_SMALL, E_SMALL_BUF, ENTRY, histOf, leafCount, partialOf, type FitArrays } from "./shard.js";
import type { SplitInfo } from "./split-finder.js";

/** Doubles per leaf in FitArrays.results: gain, feature (-1: no split), bin, defaultLeft, gl, hl, gr, hr, categorical. */
export const RESULT = 9;
/** Bytes per leaf in FitArrays.catLeft: the most bins of a categorical feature and its missing slot (256 at least). */
export function catBytes(meta: { nFeatures: number; nBins: Int32Array; isCat: Uint8Array }): number {
  let most = 256;
  for (let f = 0; f < meta.nFeatures; f++) if (meta.isCat[f]) most = Math.max(most, meta.nBins[f] + 1);
  return most;
}

function writeResult(a: FitArrays, leaf: number, s: SplitInfo): void {
  // Indexed, not a subarray per call (allocations per node were measurable on small sets).
  const r = a.results;
  const o = leaf * RESULT;
  r[o] = s.gain;
  r[o + 1] = s.feature;
  r[o + 2] = s.bin;
  r[o + 3] = s.defaultLeft ? 1 : 0;
  r[o + 4] = s.gl;
  r[o + 5] = s.hl;
  r[o + 6] = s.gr;
  r[o + 7] = s.hr;
  r[o + 8] = s.catLeft ? 1 : 0;
  if (s.catLeft) a.catLeft.set(s.catLeft, leaf * a.catBytes);
}

/** The best split found for `leaf` (feature -1 when none), into `into`; categorical sides are copied out. */
export function readResult(a: FitArrays, leaf: number, into: SplitInfo): SplitInfo {
  const r = a.results;
  const o = leaf * RESULT;
  into.gain = r[o];
  into.feature = r[o + 1];
  into.bin = r[o + 2];
  into.defaultLeft = r[o + 3] === 1;
  into.gl = r[o + 4];
  into.hl = r[o + 5];
  into.gr = r[o + 6];
  into.hr = r[o + 7];
  into.catLeft = r[o + 8] === 1 ? a.catLeft.slice(leaf * a.catBytes, leaf * a.catBytes + a.meta.nBins[into.feature] + 1) : null;
  return into;
}

/** Finds and records the best split of `leaf` (none for fewer than 2 rows). */
export function findLeafSplit(a: FitArrays, ops: HistOps, leaf: number, hist: Float64Array, g: number, h: number, count: number, masked: boolean, best: SplitInfo): void {
  best.gain = 0;
  best.feature = -1;
  best.catLeft = null;
  if (count >= 2) ops.findSplit(hist, a.meta, masked ? a.featureMask : null, g, h, count, a.split, best);
  writeResult(a, leaf, best);
}

/** Root: the shard histograms summed (in shard order) into buffer rootBuf, then its best split when `splittable`. */
export function finishRoot(a: FitArrays, ops: HistOps, rootBuf: number, masked: boolean, splittable: boolean, best: SplitInfo): void {
  const hist = histOf(a, rootBuf);
  if (a.shards > 1) hist.set(partialOf(a, 0, 0)); // one shard: beginShard wrote the root's buffer itself
  for (let s = 1; s < a.shards; s++) ops.accumulate(hist, partialOf(a, 0, s));
  let g = 0;
  let h = 0;
  for (let s = 0; s < a.shards; s++) (g += a.shardSums[2 * s]), (h += a.shardSums[2 * s + 1]);
  findLeafSplit(a, ops, 0, hist, g, h, splittable ? a.n : 0, masked, best);
}

/**
 * Entry i after its partitions: the small child's histogram (summed from the shard parts when `fromPartials`, else
 * already in its buffer), the parent's buffer turned into the large child's, and both children's best splits.
 */
export function finishEntry(a: FitArrays, ops: HistOps, i: number, fromPartials: boolean, masked: boolean, best: SplitInfo): void {
  const b = a.batch;
  const e = i * ENTRY;
  const small = histOf(a, b[e + E_SMALL_BUF]);
  if (fromPartials) {
    small.set(partialOf(a, i, 0));
    for (let s = 1; s < a.shards; s++) ops.accumulate(small, partialOf(a, i, s));
  }
  const large = histOf(a, b[e + E_PARENT_BUF]);
  ops.subtract(large, large, small);
  const cs = a.childSums;
  const leaf = b[e + E_LEAF];
  const right = b[e + E_RIGHT];
  const leafIsSmall = b[e + E_SMALL] === leaf;
  findLeafSplit(a, ops, leaf, leafIsSmall ? small : large, cs[4 * i], cs[4 * i + 1], leafCount(a, leaf), masked, best);
  findLeafSplit(a, ops, right, leafIsSmall ? large : small, cs[4 * i + 2], cs[4 * i + 3], leafCount(a, right), masked, best);
}
