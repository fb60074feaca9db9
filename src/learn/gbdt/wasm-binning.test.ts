// The wasm binning kernels against the JavaScript ones: the same sorted sample and the same bins, edge values included.
import { describe, expect, it } from "vitest";
import { Rng } from "../rng.js";
import { binColumns, binOf, fitBinMapper } from "./binning.js";
import { WasmBinning } from "./wasm-binning.js";

describe("WasmBinning", () => {
  it("sorts like Float64Array.prototype.sort: negatives, -0 before +0, infinities, subnormals, duplicates", () => {
    const rng = new Rng(9);
    const special = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1];
    const a = Float64Array.from({ length: 7001 }, (_, i) =>
      i % 5 === 0 ? special[rng.int(special.length)] : i % 3 === 0 ? Math.round(rng.normal() * 3) : rng.normal() * 10 ** rng.int(9),
    );
    const binner = WasmBinning.create(8000)!;
    const got = Float64Array.from(a);
    binner.sort(got, got.length - 1); // the last value stays where it is
    const want = Float64Array.from(a.subarray(0, a.length - 1)).sort();
    for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) throw new Error(`at ${i}: ${got[i]} vs ${want[i]}`);
    expect(Object.is(got[a.length - 1], a[a.length - 1])).toBe(true);
  });
  it("fits the same cuts and bins the same values as JavaScript, NaN to the missing bin, ties at the cuts", () => {
    const rng = new Rng(10);
    const v = Float64Array.from({ length: 150000 }, (_, i) => (i % 101 === 0 ? NaN : i % 7 === 0 ? Math.round(rng.normal() * 20) / 4 : rng.normal()));
    const col = { name: "x", kind: "numeric" as const, values: v };
    const binner = WasmBinning.create(100000)!;
    const js = fitBinMapper(col, 255, 100000, 3);
    const wa = fitBinMapper(col, 255, 100000, 3, binner);
    expect(wa).toEqual(js);
    if (js.kind !== "numeric") throw new Error("numeric expected");
    const probe = Float64Array.from([...v.subarray(0, 1000), ...js.cuts, NaN, Infinity, -Infinity, -0]);
    const X = { nRows: probe.length, columns: [{ name: "x", kind: "numeric" as const, values: probe }] };
    const a = binColumns(X, [js]);
    const b = binColumns(X, [js], undefined, binner);
    expect([...b]).toEqual([...a]);
    for (let i = 0; i < probe.length; i++) expect(b[i]).toBe(binOf(js, probe[i]));
  });
});
