// Seeded row splits: a holdout split (optionally stratified) and k-fold families for cross-validation.

import { ValidationError } from "../errors.js";
import type { Column } from "../records.js";
import { Rng } from "./rng.js";

export interface Fold {
  train: Uint32Array;
  test: Uint32Array;
}

/**
 * Stratum of each row: the distinct value for categorical or few-valued numeric targets; for a continuous
 * target (more than 20 distinct values) its decile, so a regression split still spans the target's range.
 */
export function strata(target: Column): Int32Array {
  const n = target.values.length;
  const out = new Int32Array(n);
  const ids = new Map<string | number | null, number>();
  if (target.kind === "categorical") {
    for (let i = 0; i < n; i++) {
      const v = target.values[i];
      let id = ids.get(v);
      if (id === undefined) ids.set(v, (id = ids.size));
      out[i] = id;
    }
    return out;
  }
  const vals = target.values;
  for (let i = 0; i < n && ids.size <= 20; i++) {
    const v = Number.isNaN(vals[i]) ? null : vals[i];
    if (!ids.has(v)) ids.set(v, ids.size);
  }
  if (ids.size <= 20) {
    for (let i = 0; i < n; i++) out[i] = ids.get(Number.isNaN(vals[i]) ? null : vals[i])!;
    return out;
  }
  const sorted = Float64Array.from(vals).sort(); // NaN sorts last
  const finite = sorted.findIndex((v) => Number.isNaN(v));
  const m = finite < 0 ? n : finite;
  const cuts = Array.from({ length: 9 }, (_, q) => sorted[Math.floor(((q + 1) * m) / 10)]);
  for (let i = 0; i < n; i++) {
    const v = vals[i];
    if (Number.isNaN(v)) out[i] = 10;
    else {
      let b = 0;
      while (b < 9 && v >= cuts[b]) b++;
      out[i] = b;
    }
  }
  return out;
}

function groupRows(labels: Int32Array, rows?: Uint32Array): Uint32Array[] {
  const by = new Map<number, number[]>();
  const n = rows ? rows.length : labels.length;
  for (let j = 0; j < n; j++) {
    const r = rows ? rows[j] : j;
    const g = labels[r];
    let list = by.get(g);
    if (!list) by.set(g, (list = []));
    list.push(r);
  }
  return [...by.keys()].sort((a, b) => a - b).map((k) => Uint32Array.from(by.get(k)!));
}

const sortedRows = (rows: number[] | Uint32Array): Uint32Array => Uint32Array.from(rows).sort();

/** Holds out ceil(n * testFraction) rows; stratified: each stratum keeps its share (largest remainders). */
export function holdoutSplit(
  target: Column,
  opts: { testFraction: number; seed: number; stratify: boolean },
): { train: Uint32Array; test: Uint32Array } {
  const { testFraction, seed } = opts;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new ValidationError(`testFraction must be between 0 and 1 (exclusive), got ${testFraction}`, {
      path: "split.testFraction",
      hint: "use e.g. 0.2 to hold out 20% of the rows",
    });
  }
  const n = target.values.length;
  const rng = new Rng(seed);
  const nTest = Math.ceil(n * testFraction);
  const groups = opts.stratify ? groupRows(strata(target)) : [Uint32Array.from({ length: n }, (_, i) => i)];
  const exact = groups.map((g) => g.length * testFraction);
  const take = exact.map(Math.floor);
  let left = nTest - take.reduce((a, b) => a + b, 0);
  const tie = groups.map(() => rng.next());
  const byRemainder = groups.map((_, i) => i).sort((a, b) => exact[b] - take[b] - (exact[a] - take[a]) || tie[a] - tie[b]);
  for (const i of byRemainder) {
    if (left <= 0) break;
    if (take[i] < groups[i].length) (take[i]++, left--);
  }
  const test: number[] = [];
  const train: number[] = [];
  groups.forEach((g, i) => {
    const shuffled = rng.shuffle(Uint32Array.from(g));
    for (let j = 0; j < shuffled.length; j++) (j < take[i] ? test : train).push(shuffled[j]);
  });
  return { train: sortedRows(train), test: sortedRows(test) };
}

function checkK(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 2) {
    throw new ValidationError(`cross-validation needs an integer number of folds >= 2, got ${k}`, { hint: "use cvFolds: 5" });
  }
  if (k > n) throw new ValidationError(`cannot make ${k} folds from ${n} rows`, { hint: "use fewer folds or more rows" });
}

/** K folds over `rows` (all given row indices), shuffled with the seed. */
export function kFold(rows: Uint32Array, k: number, seed: number): Fold[] {
  checkK(k, rows.length);
  const order = new Rng(seed).shuffle(Uint32Array.from(rows));
  const assign = new Int32Array(order.length);
  for (let j = 0; j < order.length; j++) assign[j] = j % k;
  return foldsFrom(order, assign, k);
}

/** K folds over `rows` that keep each stratum's share in every fold (labels indexed by row). */
export function stratifiedKFold(rows: Uint32Array, labels: Int32Array, k: number, seed: number): Fold[] {
  checkK(k, rows.length);
  const rng = new Rng(seed);
  const order: number[] = [];
  const assign: number[] = [];
  let offset = 0;
  // Dealing each stratum round-robin from a rotating start keeps both strata shares and fold sizes even.
  for (const g of groupRows(labels, rows)) {
    const shuffled = rng.shuffle(Uint32Array.from(g));
    for (let j = 0; j < shuffled.length; j++) (order.push(shuffled[j]), assign.push((offset + j) % k));
    offset = (offset + shuffled.length) % k;
  }
  return foldsFrom(Uint32Array.from(order), Int32Array.from(assign), k);
}

/** Folds in which all rows of a group fall in the same fold (greedy: largest groups first into the lightest fold). */
export function groupKFold(rows: Uint32Array, groups: Int32Array, k: number): Fold[] {
  const byGroup = groupRows(groups, rows).sort((a, b) => b.length - a.length);
  if (byGroup.length < k) {
    throw new ValidationError(`group k-fold needs at least ${k} groups, found ${byGroup.length}`, { hint: "use fewer folds" });
  }
  const load = new Float64Array(k);
  const order: number[] = [];
  const assign: number[] = [];
  for (const g of byGroup) {
    let f = 0;
    for (let j = 1; j < k; j++) if (load[j] < load[f]) f = j;
    load[f] += g.length;
    for (const r of g) (order.push(r), assign.push(f));
  }
  return foldsFrom(Uint32Array.from(order), Int32Array.from(assign), k);
}

/** Expanding-window splits for ordered rows: fold i trains on everything before its test block. */
export function timeSeriesSplit(rows: Uint32Array, k: number): Fold[] {
  checkK(k + 1, rows.length);
  const n = rows.length;
  const testSize = Math.floor(n / (k + 1));
  const folds: Fold[] = [];
  for (let i = 0; i < k; i++) {
    const start = n - (k - i) * testSize;
    folds.push({ train: rows.slice(0, start), test: rows.slice(start, start + testSize) });
  }
  return folds;
}

function foldsFrom(order: Uint32Array, assign: Int32Array, k: number): Fold[] {
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let j = 0; j < order.length; j++) (assign[j] === f ? test : train).push(order[j]);
    folds.push({ train: sortedRows(train), test: sortedRows(test) });
  }
  return folds;
}
