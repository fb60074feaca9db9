// Tests of the feature pipeline: imputation, scaling, encoding, records, and bad input.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import type { Frame } from "../records.js";
import { expandedWidth, takeRows } from "./matrix.js";
import { FeaturePipeline, FittedFeaturePipeline, LINEAR_PIPELINE, TREE_PIPELINE } from "./pipeline.js";
import { recordsToFrame } from "./records.js";

const frame: Frame = {
  rowCount: 5,
  columns: [
    { name: "x", kind: "numeric", values: Float64Array.from([1, 2, NaN, 4, 100]) },
    { name: "k", kind: "numeric", values: Float64Array.from([3, 3, 3, 3, 3]) },
    { name: "c", kind: "categorical", values: ["b", "a", null, "b", "a"] },
  ],
};

describe("FeaturePipeline (linear options)", () => {
  const fitted = new FeaturePipeline(LINEAR_PIPELINE).fit(frame, ["x", "k", "c"], Uint32Array.from([0, 1, 2, 3]));
  it("imputes the training median and standard-scales after imputation", () => {
    const m = fitted.transform(frame);
    const x = m.columns[0];
    if (x.kind !== "numeric") throw new Error("x should be numeric");
    // training rows 1,2,NaN,4: median 2; imputed 1,2,2,4 -> mean 2.25, std sqrt(1.1875)
    const sd = Math.sqrt(((1 - 2.25) ** 2 + 2 * (2 - 2.25) ** 2 + (4 - 2.25) ** 2) / 4);
    expect(x.values[0]).toBeCloseTo((1 - 2.25) / sd, 12);
    expect(x.values[2]).toBeCloseTo((2 - 2.25) / sd, 12);
    expect(x.values[4]).toBeCloseTo((100 - 2.25) / sd, 12);
  });
  it("a constant column scales by 1 to zeros, never NaN", () => {
    const k = fitted.transform(frame).columns[1];
    if (k.kind !== "numeric") throw new Error("k should be numeric");
    expect([...k.values]).toEqual([0, 0, 0, 0, 0]);
  });
  it("categories sorted, missing as its own level", () => {
    const c = fitted.transform(frame).columns[2];
    if (c.kind !== "categorical") throw new Error("c should be categorical");
    expect(c.levels).toBe(3); // a, b, __NA__
    expect([...c.codes]).toEqual([1, 0, 2, 1, 0]);
    expect(expandedWidth(fitted.transform(frame))).toBe(5);
  });
  it("an unseen category codes -1 (all-zero one-hot)", () => {
    const f2 = recordsToFrame([{ x: 1, k: 3, c: "zzz" }], [
      { name: "x", kind: "numeric" }, { name: "k", kind: "numeric" }, { name: "c", kind: "categorical" },
    ]);
    const c = fitted.transform(f2).columns[2];
    expect(c.kind === "categorical" && c.codes[0]).toBe(-1);
  });
  it("state round-trips through JSON", () => {
    const again = new FittedFeaturePipeline(JSON.parse(JSON.stringify(fitted.state)));
    const a = fitted.transform(frame);
    const b = again.transform(frame);
    expect(b).toEqual(a);
  });
});

describe("FeaturePipeline (tree options)", () => {
  it("keeps NaN and shares untouched numeric columns; missing category stays -1", () => {
    const fitted = new FeaturePipeline(TREE_PIPELINE).fit(frame, ["x", "c"]);
    const m = fitted.transform(frame);
    const x = m.columns[0];
    expect(x.kind === "numeric" && x.values).toBe(frame.columns[0].values);
    const c = m.columns[1];
    expect(c.kind === "categorical" && [...c.codes]).toEqual([1, 0, -1, 1, 0]);
    const sub = takeRows(m, Uint32Array.from([4, 2]));
    expect(sub.nRows).toBe(2);
    expect(sub.columns[0].kind === "numeric" && [...sub.columns[0].values]).toEqual([100, NaN]);
  });
});

describe("bad input", () => {
  it("Infinity in a feature is a ValidationError naming the column", () => {
    const bad: Frame = { rowCount: 2, columns: [{ name: "v", kind: "numeric", values: Float64Array.from([1, Infinity]) }] };
    expect(() => new FeaturePipeline(LINEAR_PIPELINE).fit(bad, ["v"])).toThrow(/column "v" holds Infinity at row 1/);
    const fitted = new FeaturePipeline(TREE_PIPELINE).fit(frame, ["x"]);
    const bad2: Frame = { rowCount: 1, columns: [{ name: "x", kind: "numeric", values: Float64Array.from([-Infinity]) }] };
    expect(() => fitted.transform(bad2)).toThrow(ValidationError);
  });
  it("a missing column or a text column where a number was trained is refused", () => {
    expect(() => new FeaturePipeline(TREE_PIPELINE).fit(frame, ["nope"])).toThrow(/"nope" is not in the data/);
    const fitted = new FeaturePipeline(TREE_PIPELINE).fit(frame, ["x"]);
    const text: Frame = { rowCount: 1, columns: [{ name: "x", kind: "categorical", values: ["1"] }] };
    expect(() => fitted.transform(text)).toThrow(/numeric in training/);
  });
  it("records: coercions and errors with a path", () => {
    const inputs = [{ name: "x", kind: "numeric" as const }, { name: "c", kind: "categorical" as const }];
    const f = recordsToFrame([{ x: "2.5", c: 7 }, { c: true }, { x: null, c: null }], inputs);
    expect(f.columns[0].kind === "numeric" && [...f.columns[0].values]).toEqual([2.5, NaN, NaN]);
    expect(f.columns[1].values).toEqual(["7", "true", null]);
    expect(() => recordsToFrame([{ x: 1 }, { x: "abc" }], inputs)).toThrow(/records\[1\]\.x must be a number/);
    expect(() => recordsToFrame([{ c: { a: 1 } }], inputs)).toThrow(/records\[0\]\.c must be a string, got an object/);
  });
});
