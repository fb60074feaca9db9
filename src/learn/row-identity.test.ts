import { describe, expect, it } from "vitest";
import type { Frame } from "../records.js";
import { bucketOf, cyrb53, hashSplit, rowIdentities } from "./row-identity.js";

const ids = (n: number, from = 0) => Float64Array.from({ length: n }, (_, i) => cyrb53(`C${from + i}`));

describe("hash split", () => {
  it("keeps every old row's side and fold when 10% new rows are appended", () => {
    const old = ids(10_000);
    const grown = new Float64Array(11_000);
    grown.set(old);
    grown.set(ids(1_000, 10_000), 10_000);
    // Shuffle the grown table's order too: the side follows the identity, not the position.
    const order = Array.from({ length: grown.length }, (_, i) => i).sort((a, b) => bucketOf(grown[a], 7) - bucketOf(grown[b], 7));
    const shuffled = Float64Array.from(order, (i) => grown[i]);
    const a = hashSplit(old, { testFraction: 0.2, seed: 42, folds: 5 });
    const b = hashSplit(shuffled, { testFraction: 0.2, seed: 42, folds: 5 });
    const sideA = new Map<number, string>();
    for (const r of a.test) sideA.set(old[r], "test");
    for (const r of a.train) sideA.set(old[r], `train:${a.foldOf[r]}`);
    const sideB = new Map<number, string>();
    for (const r of b.test) sideB.set(shuffled[r], "test");
    for (const r of b.train) sideB.set(shuffled[r], `train:${b.foldOf[r]}`);
    let moved = 0;
    for (const [id, side] of sideA) if (sideB.get(id) !== side) moved++;
    expect(moved).toBe(0);
    expect(sideA.size).toBe(10_000);
  });

  it("holds out about testFraction of the rows, with folds of about equal size", () => {
    const s = hashSplit(ids(20_000), { testFraction: 0.2, seed: 1, folds: 5 });
    expect(s.test.length / 20_000).toBeGreaterThan(0.19);
    expect(s.test.length / 20_000).toBeLessThan(0.21);
    const sizes = [0, 0, 0, 0, 0];
    for (const r of s.train) sizes[s.foldOf[r]]++;
    for (const n of sizes) expect(Math.abs(n / s.train.length - 0.2)).toBeLessThan(0.015);
    expect(s.train.length + s.test.length).toBe(20_000);
  });

  it("depends on the seed, and gives duplicates of a row the same side", () => {
    const x = ids(1_000);
    const a = hashSplit(x, { testFraction: 0.3, seed: 1, folds: 0 });
    const b = hashSplit(x, { testFraction: 0.3, seed: 2, folds: 0 });
    expect([...a.test]).not.toEqual([...b.test]);
    const dup = Float64Array.from([...x, ...x]);
    const d = hashSplit(dup, { testFraction: 0.3, seed: 1, folds: 0 });
    const test = new Set(d.test);
    for (let i = 0; i < 1_000; i++) expect(test.has(i)).toBe(test.has(i + 1_000));
  });

  it("never leaves a tiny table without a test row", () => {
    const s = hashSplit(ids(3), { testFraction: 0.01, seed: 3, folds: 0 });
    expect(s.test.length).toBe(1);
    expect(s.train.length).toBe(2);
  });
});

describe("rowIdentities", () => {
  const frame: Frame = {
    rowCount: 3,
    columns: [
      { name: "id", kind: "categorical", values: ["a", "b", "a"] },
      { name: "x", kind: "numeric", values: Float64Array.from([1, 2, 3]) },
    ],
  };
  it("hashes the key columns only, so a changed row keeps its identity", () => {
    const byKey = rowIdentities(frame, ["id"]);
    expect(byKey[0]).toBe(byKey[2]);
    expect(byKey[0]).not.toBe(byKey[1]);
    const byContent = rowIdentities(frame, ["id", "x"]);
    expect(byContent[0]).not.toBe(byContent[2]);
  });
  it("names a missing identity column", () => {
    expect(() => rowIdentities(frame, ["nope"])).toThrow(/"nope"/);
  });
});
