// Both sides' distributions for the drift charts: shares per bin or category that sum to one, missing values
// left out, rare categories folded into "(other)".
import { describe, expect, it } from "vitest";
import type { Column } from "../records.js";
import { distribution } from "./drift.js";

const num = (values: number[]): Column => ({ name: "x", kind: "numeric", values: Float64Array.from(values) });
const cat = (values: (string | null)[]): Column => ({ name: "c", kind: "categorical", values });
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("drift distributions", () => {
  it("bins numbers over both sides' range and leaves NaN out", () => {
    const d = distribution(num([0, 1, 2, 3, 4, 5, 6, 7, NaN]), num([8, 9, 10, 10.5, 9.5, 8.5, NaN, NaN]));
    if (d?.kind !== "numeric") throw new Error("expected numeric");
    expect(d.edges[0]).toBe(0);
    expect(sum(d.reference)).toBeCloseTo(1, 12);
    expect(sum(d.current)).toBeCloseTo(1, 12);
    expect(d.edges.at(-1)).toBe(10.5);
    expect(d.reference.slice(15).every((x) => x === 0)).toBe(true); // the reference lies in the low bins
    expect(d.current.at(-1)).toBeCloseTo(2 / 6, 12); // 10 and the maximum 10.5 land in the last bin, not past it
  });

  it("shows a numeric column with few values (a flag, a count) one bar per value", () => {
    const d = distribution(num([0, 1, 1, 1, NaN]), num([1, 1, 2]));
    expect(d).toEqual({ kind: "categorical", categories: ["0", "1", "2"], reference: [0.25, 0.75, 0], current: [0, 2 / 3, 1 / 3] });
  });

  it("handles a constant column, an empty side and an all-missing column", () => {
    expect(distribution(num([5, 5]), num([5]))).toMatchObject({ categories: ["5"], reference: [1], current: [1] });
    const spread = Array.from({ length: 50 }, (_, i) => i);
    const empty = distribution(num(spread), num([]));
    expect(empty?.kind === "numeric" && sum(empty.current)).toBe(0);
    expect(empty?.kind === "numeric" && sum(empty.reference)).toBeCloseTo(1, 12);
    expect(distribution(num([NaN]), num([NaN]))).toBeNull();
    expect(distribution(num([1]), cat(["a"]))).toBeNull();
  });

  it("orders categories by frequency, folds the tail into (other) and ignores nulls", () => {
    const ref = cat([...Array(20).keys()].flatMap((i) => Array(20 - i).fill(`k${i}`)).concat([null, null]));
    const cur = cat(["k0", "k0", "new", null]);
    const d = distribution(ref, cur);
    if (d?.kind !== "categorical") throw new Error("expected categorical");
    expect(d.categories[0]).toBe("k0");
    expect(d.categories.at(-1)).toBe("(other)");
    expect(d.categories).toHaveLength(13);
    expect(sum(d.reference)).toBeCloseTo(1, 12);
    expect(sum(d.current)).toBeCloseTo(1, 12);
    expect(d.current[0]).toBeCloseTo(2 / 3, 12);
  });
});
