// Histograms of small nodes kept by slot list: a node of m rows touches at most m x F of a histogram's slots, and
// on small sets the deep levels' nodes touch a few hundred of thousands, so flushing, subtracting and scanning
// every slot (as for large nodes) was most of a fit. A pool buffer either holds every slot (count -1) or only the
// slots listed for it (FitArrays.poolSlots); the rest of it is never read. Values are the same doubles either way.

import { histOf, type FitArrays } from "./shard.js";
import { subtractHistogram, type RowKernels } from "./histogram.js";

/** Most list entries per pool buffer (bounds FitArrays.poolSlots at 32 KB a buffer for any number of features). */
let listMax = 8192;
/** Small children listed by this thread so far (tests check that a fit they compare did list some). */
let listedChildren = 0;

/** List entries per pool buffer: a small child is listed when its rows x features are at most this. */
export const listCapacity = (slots: number): number => Math.min(slots, listMax);

/** Sets the list bound of the fits started after it (0: every histogram whole) and returns the old one; for tests and measurements, one thread. */
export function setListMax(n: number): number {
  const old = listMax;
  listMax = n;
  return old;
}

export const listedCount = (): number => listedChildren;

/** Per thread: one bit per slot, all zero between calls. */
export const newSlotMarks = (slots: number): Int32Array => new Int32Array(Math.ceil(slots / 32));

/**
 * Lists, ascending, the slots (feature offset + bin, missing slots included) that the rows of `leaf` touch into
 * out[at..]; returns how many. `marks` is all zero before and after.
 */
export function slotsOfLeaf(a: FitArrays, leaf: number, marks: Int32Array, out: Int32Array, at: number): number {
  const F = a.nNarrow;
  const off = a.meta.off;
  const { bins, rows } = a;
  for (let s = 0; s < a.shards; s++) {
    const start = a.segStart[s * a.maxLeaves + leaf];
    const end = start + a.segCount[s * a.maxLeaves + leaf];
    for (let p = start; p < end; p++) {
      const b = rows[p] * F;
      for (let f = 0; f < F; f++) {
        const slot = off[f] + bins[b + f];
        marks[slot >>> 5] |= 1 << (slot & 31);
      }
    }
  }
  let n = 0;
  for (let w = 0; w < marks.length; w++) {
    let m = marks[w];
    if (m === 0) continue;
    marks[w] = 0;
    while (m !== 0) {
      const t = m & -m;
      out[at + n++] = (w << 5) | (31 - Math.clz32(t));
      m ^= t;
    }
  }
  return n;
}

/**
 * Moves the kernel's accumulated histogram of a small child (`leaf`, `rows` of them) into pool buffer `buf`: listed
 * when the child is small enough and the fit keeps lists, else every slot.
 */
export function flushChild(a: FitArrays, kernel: RowKernels, marks: Int32Array, leaf: number, rows: number, buf: number): void {
  const out = histOf(a, buf);
  if (!a.poolSlots || rows * a.nNarrow > a.listCapacity) {
    kernel.flush(out, false);
    a.poolCount[buf] = -1;
    return;
  }
  const at = buf * a.listCapacity;
  const count = slotsOfLeaf(a, leaf, marks, a.poolSlots, at);
  kernel.flushSlots(out, a.poolSlots.subarray(at, at + count), count);
  a.poolCount[buf] = count;
  listedChildren++;
}

/**
 * Pool buffer `large` (the parent's, listed or not) minus buffer `small`: over the small child's list when it has
 * one (its other slots are zero), else over the parent's list, else every slot.
 */
export function subtractChild(a: FitArrays, large: number, small: number): void {
  const into = histOf(a, large);
  const from = histOf(a, small);
  const listed = a.poolCount[small] >= 0 ? small : a.poolCount[large] >= 0 ? large : -1;
  if (listed < 0) return subtractHistogram(into, into, from);
  const slots = a.poolSlots!;
  const at = listed * a.listCapacity;
  const end = at + a.poolCount[listed];
  for (let j = at; j < end; j++) {
    const x = 2 * slots[j];
    into[x] = into[x] - from[x];
    into[x + 1] = into[x + 1] - from[x + 1];
  }
}
