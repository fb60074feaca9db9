// Tests of the radix sort of doubles against Float64Array.prototype.sort (the order binning relied on before).
import { describe, expect, it } from "vitest";
import { Rng } from "../rng.js";
import { sortFloat64 } from "./radix-sort.js";

const same = (a: Float64Array, b: Float64Array) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`differs at ${i}: ${a[i]} vs ${b[i]}`);
};

describe("sortFloat64", () => {
  it("orders like TypedArray sort: negatives, -0 before +0, infinities, subnormals, duplicates, NaN last", () => {
    const rng = new Rng(3);
    const special = [0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1];
    const a = Float64Array.from({ length: 5000 }, (_, i) =>
      i % 7 === 0 ? special[rng.int(special.length)] : i % 3 === 0 ? Math.round(rng.normal() * 4) : rng.normal() * 10 ** rng.int(12),
    );
    same(sortFloat64(Float64Array.from(a)), Float64Array.from(a).sort());
  });
  it("short arrays, all-equal arrays, all-NaN arrays and empty arrays", () => {
    for (const a of [new Float64Array(0), Float64Array.of(2, 1), new Float64Array(1000).fill(3.5), new Float64Array(900).fill(NaN)]) {
      same(sortFloat64(Float64Array.from(a)), Float64Array.from(a).sort());
    }
  });
  it("a subarray view sorts only its own range", () => {
    const rng = new Rng(4);
    const buf = Float64Array.from({ length: 3000 }, () => rng.normal());
    const copy = Float64Array.from(buf);
    sortFloat64(buf.subarray(1000, 2000));
    same(buf.subarray(0, 1000), copy.subarray(0, 1000));
    same(buf.subarray(2000), copy.subarray(2000));
    same(buf.subarray(1000, 2000), copy.subarray(1000, 2000).sort());
  });
});
