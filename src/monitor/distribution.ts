// A numeric column as sorted distinct values with counts: what KS, Wasserstein and PSI need, built without a full sort
// when the column has few distinct values (flags, tenure in months, rounded prices), which is most columns.
import { codesOf, countCodes, type Coded } from "./coded.js";

export interface Distribution {
  /** Sorted distinct finite values. */
  values: Float64Array;
  /** How many times each value occurs. */
  counts: Float64Array;
  /** Finite values in all (the sum of counts). */
  n: number;
  /** NaN / ±Infinity (missing) values left out. */
  missing: number;
}

/** Above this many distinct values hashing loses to sorting. */
const MAX_HASHED = 8192;

/** Run-length encoding of an already sorted array of finite values. */
export function fromSorted(sorted: Float64Array, missing = 0): Distribution {
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; ) {
    const v = sorted[i];
    let j = i + 1;
    while (j < sorted.length && sorted[j] === v) j++;
    values.push(v === 0 ? 0 : v); // -0 and 0 are one value
    counts.push(j - i);
    i = j;
  }
  return { values: Float64Array.from(values), counts: Float64Array.from(counts), n: sorted.length, missing };
}

function bySorting(x: Float64Array): Distribution {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i])) n++;
  const s = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i])) s[k++] = x[i];
  s.sort();
  return fromSorted(s, x.length - n);
}

/** From dictionary codes: a bincount and a sort of the distinct values only. */
function fromCodes(c: Coded & { dict: Float64Array }): Distribution {
  const { counts, missing: nulls } = countCodes(c);
  let missing = nulls;
  const keep: number[] = [];
  for (let k = 0; k < counts.length; k++) {
    if (!Number.isFinite(c.dict[k])) missing += counts[k];
    else if (counts[k] > 0) keep.push(k);
  }
  keep.sort((a, b) => c.dict[a] - c.dict[b]);
  const values = new Float64Array(keep.length);
  const out = new Float64Array(keep.length);
  keep.forEach((k, i) => ((values[i] = c.dict[k] === 0 ? 0 : c.dict[k]), (out[i] = counts[k])));
  return { values, counts: out, n: c.codes.length - missing, missing };
}

/** The distribution of a column: from its codes when it has them, hashed counts when distinct values are few, else a sort. */
export function distributionOf(x: Float64Array): Distribution {
  const coded = codesOf(x);
  if (coded && coded.dict instanceof Float64Array && coded.codes.length === x.length) return fromCodes(coded as Coded & { dict: Float64Array });
  // A sample decides the path cheaply: many distinct values early means a continuous column.
  const probe = new Set<number>();
  const step = Math.max(1, Math.floor(x.length / 2048));
  for (let i = 0; i < x.length; i += step) if (Number.isFinite(x[i])) probe.add(x[i]);
  if (probe.size > 1024) return bySorting(x);
  const index = new Map<number, number>();
  const counts: number[] = [];
  let missing = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) {
      missing++;
      continue;
    }
    const k = index.get(v);
    if (k !== undefined) counts[k]++;
    else {
      if (index.size >= MAX_HASHED) return bySorting(x);
      // -0 and 0 are one Map key (SameValueZero), as they are one value to the tests.
      index.set(v, counts.length);
      counts.push(1);
    }
  }
  const keys = Float64Array.from(index.keys());
  const order = Uint32Array.from(keys.keys()).sort((a, b) => keys[a] - keys[b]);
  const values = new Float64Array(order.length);
  const c = new Float64Array(order.length);
  for (let i = 0; i < order.length; i++) {
    values[i] = keys[order[i]] === 0 ? 0 : keys[order[i]];
    c[i] = counts[order[i]];
  }
  return { values, counts: c, n: x.length - missing, missing };
}

/** Population mean and standard deviation (ddof = 0). */
export function meanStd(d: Distribution): { mean: number; std: number } {
  if (d.n === 0) return { mean: NaN, std: NaN };
  let s = 0;
  for (let i = 0; i < d.values.length; i++) s += d.values[i] * d.counts[i];
  const mean = s / d.n;
  let ss = 0;
  for (let i = 0; i < d.values.length; i++) ss += d.counts[i] * (d.values[i] - mean) * (d.values[i] - mean);
  return { mean, std: Math.sqrt(ss / d.n) };
}

/** The value at 0-based position `rank` of the sorted column. */
export function valueAtRank(d: Distribution, rank: number): number {
  let acc = 0;
  for (let i = 0; i < d.values.length; i++) {
    acc += d.counts[i];
    if (rank < acc) return d.values[i];
  }
  return d.values[d.values.length - 1];
}

/**
 * Walks the union of both distributions' distinct values in order, calling `step(v, cdfA, cdfB)` with the CDFs just
 * after v. KS, Wasserstein and aligned counts are all this one walk.
 */
export function walkUnion(a: Distribution, b: Distribution, step: (v: number, ia: number, ib: number, ca: number, cb: number) => void): void {
  let i = 0;
  let j = 0;
  let ca = 0;
  let cb = 0;
  while (i < a.values.length || j < b.values.length) {
    const v = j >= b.values.length || (i < a.values.length && a.values[i] <= b.values[j]) ? a.values[i] : b.values[j];
    let wa = 0;
    let wb = 0;
    if (i < a.values.length && a.values[i] === v) wa = a.counts[i++];
    if (j < b.values.length && b.values[j] === v) wb = b.counts[j++];
    ca += wa;
    cb += wb;
    step(v, wa, wb, ca, cb);
  }
}
