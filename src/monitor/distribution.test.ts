// distributionOf must equal the run-length encoding of the sorted column on both of its paths (hashing and sorting).
import { describe, expect, it } from "vitest";
import { distributionOf, fromSorted, meanStd, valueAtRank } from "./distribution.js";
import { sortedFinite } from "./sort.js";

const viaSort = (x: Float64Array) => fromSorted(sortedFinite(x), x.length - sortedFinite(x).length);

describe("distributionOf", () => {
  it("hashes a few-valued column into the same distribution a sort gives, -0 and 0 as one value, missing counted", () => {
    const x = Float64Array.from({ length: 50_000 }, (_, i) => (i % 97 === 0 ? NaN : i % 13 === 0 ? -0 : (i * 7919) % 40));
    x[5] = Infinity;
    const d = distributionOf(x);
    expect(d).toEqual(viaSort(x));
    expect(d.values.length).toBe(40);
    expect(d.missing).toBe(x.filter((v) => !Number.isFinite(v)).length);
    expect(Object.is(d.values[0], 0)).toBe(true);
  });

  it("sorts a continuous column, and falls back to sorting when distinct values keep growing past the probe", () => {
    const cont = Float64Array.from({ length: 20_000 }, (_, i) => Math.sin(i) * 1000);
    expect(distributionOf(cont)).toEqual(viaSort(cont));
    // The probe sees only repeats; the tail has 10,000 distinct values.
    const late = Float64Array.from({ length: 40_000 }, (_, i) => (i < 30_000 ? i % 3 : i));
    expect(distributionOf(late)).toEqual(viaSort(late));
  });

  it("gives mean, population std and ranks", () => {
    const d = distributionOf(Float64Array.from([1, 2, 2, 3, NaN]));
    expect(meanStd(d).mean).toBe(2);
    expect(meanStd(d).std).toBeCloseTo(Math.sqrt(0.5), 14);
    expect([0, 1, 2, 3].map((r) => valueAtRank(d, r))).toEqual([1, 2, 2, 3]);
  });
});
