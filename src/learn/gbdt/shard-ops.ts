// The operations every thread runs, by number: the same code on the main thread and in workers. Work inside an
// operation is claimed item by item from shared counters (shards, or tree-level entries), so the threads share it
// however fast each one runs; a barrier separates the two halves of a level run shard by shard.

import type { Objective } from "../objectives/objective.js";
import type { RowKernels } from "./histogram.js";
import type { HistOps } from "./hist-ops.js";
import { finishEntry, finishRoot } from "./level-results.js";
import { addLeafValues, beginShard, computeGradients, E_SMALL_BUF, ENTRY, histOf, partialOf, splitShard, type FitArrays } from "./shard.js";
import { emptySplit, type SplitInfo } from "./split-finder.js";

export const OP_GRADIENTS = 1;
/** args: output k, root buffer, masked (0/1), splittable (0/1). */
export const OP_ROOT = 2;
/** args: output k, entries, more (0/1: children get histograms and splits), masked (0/1). */
export const OP_LEVEL = 3;
/** args: output k, number of leaves (values in a.values). */
export const OP_UPDATE = 4;
export const OP_EXIT = 9;

/** Control block layout (Int32Array on a SharedArrayBuffer), one per worker. */
export const CTRL_SEQ = 0;
export const CTRL_DONE = 1;
export const CTRL_OP = 2;
export const CTRL_ARGS = 3;
export const CTRL_ERROR = 10;
export const CTRL_SIZE = 16;

/** FitArrays.work layout: two claim counters and a barrier count, reset before every operation. */
export const W_CLAIM = 0;
export const W_CLAIM2 = 1;
export const W_BARRIER = 2;
export const WORK_SIZE = 4;

/** What one thread brings to the operations. */
export interface ShardContext {
  a: FitArrays;
  objective: Objective;
  kernel: RowKernels;
  ops: HistOps;
  best: SplitInfo;
}

export function shardContext(a: FitArrays, objective: Objective, kernel: RowKernels, ops: HistOps): ShardContext {
  return { a, objective, kernel, ops, best: emptySplit() };
}

/** Runs fn(i) for every item i < total that this thread claims first. */
function forEachClaim(a: FitArrays, counter: number, total: number, fn: (i: number) => void): void {
  for (;;) {
    const i = Atomics.add(a.work, counter, 1);
    if (i >= total) return;
    fn(i);
  }
}

/** Returns once every thread has arrived (at once with one thread). */
function barrier(a: FitArrays): void {
  if (a.threads === 1) return;
  if (Atomics.add(a.work, W_BARRIER, 1) + 1 === a.threads) {
    Atomics.notify(a.work, W_BARRIER);
    return;
  }
  for (;;) {
    const v = Atomics.load(a.work, W_BARRIER);
    if (v >= a.threads) return;
    Atomics.wait(a.work, W_BARRIER, v);
  }
}

/**
 * Runs operation `op` as one of the threads. A failure in the first half still reaches the barrier (the other
 * threads wait there), then is rethrown.
 */
export function runOp(ctx: ShardContext, op: number, args: ArrayLike<number>): void {
  const { a, objective, kernel, ops, best } = ctx;
  switch (op) {
    case OP_GRADIENTS:
      return forEachClaim(a, W_CLAIM, a.shards, (s) => computeGradients(a, objective, s));
    case OP_UPDATE:
      return forEachClaim(a, W_CLAIM, a.shards, (s) => addLeafValues(a, s, args[0], args[1]));
    case OP_ROOT: {
      const k = args[0];
      const rootBuf = args[1];
      const masked = args[2] === 1;
      const splittable = args[3] === 1;
      return twoHalves(
        a,
        // One shard: its histogram is the root's (no partial to copy).
        () => forEachClaim(a, W_CLAIM, a.shards, (s) => beginShard(a, s, k, kernel, a.shards === 1 ? histOf(a, rootBuf) : partialOf(a, 0, s))),
        () => forEachClaim(a, W_CLAIM2, 1, () => finishRoot(a, ops, rootBuf, masked, splittable, best)),
      );
    }
    case OP_LEVEL: {
      const k = args[0];
      const count = args[1];
      const more = args[2] === 1;
      const masked = args[3] === 1;
      if (count >= a.entryModeMin) {
        // Many entries: one item per entry, its shards in order (the same sums whichever thread runs it).
        return forEachClaim(a, W_CLAIM, count, (i) => {
          if (more) kernel.clear();
          for (let s = 0; s < a.shards; s++) splitShard(a, s, k, i, kernel);
          if (!more) return;
          kernel.flush(histOf(a, a.batch[i * ENTRY + E_SMALL_BUF]), false);
          finishEntry(a, ops, i, false, masked, best);
        });
      }
      // Few (large) entries: one item per (entry, shard), each shard's histogram apart, summed after the barrier
      // (one shard: flushed straight into the small child's buffer, the same doubles without the copy).
      const S = a.shards;
      const direct = S === 1;
      const split = () =>
        forEachClaim(a, W_CLAIM, count * S, (item) => {
          const i = Math.floor(item / S);
          const s = item - i * S;
          if (more) kernel.clear();
          splitShard(a, s, k, i, kernel);
          if (more) kernel.flush(direct ? histOf(a, a.batch[i * ENTRY + E_SMALL_BUF]) : partialOf(a, i, s), false);
        });
      if (!more) return split();
      return twoHalves(a, split, () => forEachClaim(a, W_CLAIM2, count, (i) => finishEntry(a, ops, i, !direct, masked, best)));
    }
    default:
      throw new Error(`unknown shard op ${op}`);
  }
}

function twoHalves(a: FitArrays, first: () => void, second: () => void): void {
  let failure: unknown = null;
  try {
    first();
  } catch (e) {
    failure = e;
  }
  barrier(a);
  if (failure) throw failure;
  second();
}
