// Tests of holdout and k-fold splits on toy sets.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import type { Column } from "../records.js";
import { groupKFold, holdoutSplit, kFold, stratifiedKFold, strata, timeSeriesSplit } from "./split.js";

const cat = (values: (string | null)[]): Column => ({ name: "y", kind: "categorical", values });
const num = (values: number[]): Column => ({ name: "y", kind: "numeric", values: Float64Array.from(values) });
const all = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

function expectPartition(a: Uint32Array, b: Uint32Array, n: number): void {
  const seen = new Set<number>([...a, ...b]);
  expect(a.length + b.length).toBe(n);
  expect(seen.size).toBe(n);
}

describe("holdoutSplit", () => {
  // 10 "a" rows and 30 "b" rows
  const y = cat([...Array(10).fill("a"), ...Array(30).fill("b")]);
  it("holds out ceil(n * f) rows, stratified shares kept exactly", () => {
    const { train, test } = holdoutSplit(y, { testFraction: 0.25, seed: 1, stratify: true });
    expectPartition(train, test, 40);
    expect(test.length).toBe(10);
    const nA = [...test].filter((r) => r < 10).length; // 2.5 a's and 7.5 b's: equal remainders, one gets the extra row
    expect(nA === 2 || nA === 3).toBe(true);
  });
  it("is sorted, deterministic for a seed and different across seeds", () => {
    const a = holdoutSplit(y, { testFraction: 0.2, seed: 7, stratify: true });
    const b = holdoutSplit(y, { testFraction: 0.2, seed: 7, stratify: true });
    const c = holdoutSplit(y, { testFraction: 0.2, seed: 8, stratify: true });
    expect([...a.test]).toEqual([...b.test]);
    expect([...a.test]).not.toEqual([...c.test]);
    expect([...a.test]).toEqual([...a.test].sort((p, q) => p - q));
    expect([...a.test].filter((r) => r < 10).length).toBe(2);
  });
  it("unstratified split and a regression target", () => {
    const r = holdoutSplit(num(Array.from({ length: 100 }, (_, i) => i * 1.5)), { testFraction: 0.2, seed: 3, stratify: true });
    expect(r.test.length).toBe(20);
    // deciles of a continuous target: two rows of each decile held out
    for (let d = 0; d < 10; d++) expect([...r.test].filter((i) => Math.floor(i / 10) === d).length).toBe(2);
    const u = holdoutSplit(cat(["a", "b", "c"]), { testFraction: 0.5, seed: 0, stratify: false });
    expectPartition(u.train, u.test, 3);
  });
  it("rejects a fraction outside (0, 1) and handles zero rows", () => {
    expect(() => holdoutSplit(y, { testFraction: 1, seed: 0, stratify: false })).toThrow(ValidationError);
    const z = holdoutSplit(cat([]), { testFraction: 0.2, seed: 0, stratify: true });
    expect(z.test.length + z.train.length).toBe(0);
  });
  it("strata: NaN and null are their own stratum", () => {
    expect([...strata(cat(["x", null, "x"]))]).toEqual([0, 1, 0]);
    expect([...strata(num([1, NaN, 1]))]).toEqual([0, 1, 0]);
  });
});

describe("k-fold families", () => {
  it("kFold: disjoint tests covering the rows, sizes differ by at most one", () => {
    const folds = kFold(all(23), 5, 42);
    expect(folds).toHaveLength(5);
    const tests = folds.flatMap((f) => [...f.test]).sort((a, b) => a - b);
    expect(tests).toEqual([...all(23)]);
    for (const f of folds) expectPartition(f.train, f.test, 23);
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
  it("stratifiedKFold keeps the class share in every fold", () => {
    const labels = Int32Array.from({ length: 50 }, (_, i) => (i < 10 ? 1 : 0));
    const folds = stratifiedKFold(all(50), labels, 5, 1);
    for (const f of folds) {
      expect(f.test.length).toBe(10);
      expect([...f.test].filter((r) => labels[r] === 1).length).toBe(2);
    }
  });
  it("works on a subset of rows only", () => {
    const rows = Uint32Array.from([3, 5, 7, 9, 11, 13]);
    const folds = kFold(rows, 3, 0);
    expect(folds.flatMap((f) => [...f.test]).sort((a, b) => a - b)).toEqual([...rows]);
  });
  it("groupKFold never splits a group; timeSeriesSplit trains only on the past", () => {
    const groups = Int32Array.from([0, 0, 1, 1, 1, 2, 3, 3, 4, 4]);
    const gk = groupKFold(all(10), groups, 3);
    // Three folds whose test rows cover every row once: the loop below then has rows to check.
    expect(gk).toHaveLength(3);
    expect(gk.flatMap((f) => [...f.test]).sort((a, b) => a - b)).toEqual([...all(10)]);
    for (const f of gk) {
      const inTest = new Set([...f.test].map((r) => groups[r]));
      for (const r of f.train) expect(inTest.has(groups[r])).toBe(false);
    }
    const ts = timeSeriesSplit(all(12), 3);
    expect(ts.map((f) => [f.train.length, f.test.length])).toEqual([[3, 3], [6, 3], [9, 3]]);
    for (const f of ts) expect(Math.max(...f.train)).toBeLessThan(Math.min(...f.test));
  });
  it("refuses k < 2 or more folds than rows", () => {
    expect(() => kFold(all(3), 1, 0)).toThrow(ValidationError);
    expect(() => kFold(all(3), 4, 0)).toThrow(/4 folds from 3 rows/);
  });
});
