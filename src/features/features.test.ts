// Tests of datetime parts, target encoding and interactions, by hand-computed values.
import { describe, expect, it } from "vitest";
import type { Frame } from "../records.js";
import { datetimeParts, isDatetimeColumn } from "./datetime.js";
import { FeaturePipeline, LINEAR_PIPELINE, TREE_PIPELINE } from "./pipeline.js";
import { applyTargetEncoding, fitTargetEncoding, outOfFoldEncoding } from "./target-encoding.js";

describe("datetime parts", () => {
  it("recognises ISO dates and times, splits them in UTC, NaN for missing", () => {
    expect(isDatetimeColumn(["2024-02-29", null, "2024-03-01T13:45:00Z"])).toBe(true);
    expect(isDatetimeColumn(["2024-02-29", "soon"])).toBe(false);
    expect(isDatetimeColumn([null, null])).toBe(false);
    const [year, month, day, weekday, hour, doy] = datetimeParts(["2024-02-29", "2024-03-01T13:45:00Z", null], undefined, ["year", "month", "day", "weekday", "hour", "dayofyear"]);
    expect([...year]).toEqual([2024, 2024, NaN]);
    expect([...month]).toEqual([2, 3, NaN]);
    expect([...day]).toEqual([29, 1, NaN]);
    expect([...weekday]).toEqual([4, 5, NaN]); // Thursday, Friday
    expect([...hour]).toEqual([0, 13, NaN]);
    expect([...doy]).toEqual([60, 61, NaN]);
  });
});

describe("target encoding", () => {
  const codes = Int32Array.from([0, 0, 0, 1, 1, -1]);
  const rows = [0, 1, 2, 3, 4, 5];
  const y = [Float64Array.from([1, 1, 0, 0, 0, 1])];
  it("smoothed means by hand; unseen / missing get the prior", () => {
    const s = fitTargetEncoding(codes, rows, y, 2, 2);
    // prior 0.5; level 0: (2 + 2*0.5) / (3 + 2) = 0.6; level 1: (0 + 1) / (2 + 2) = 0.25
    expect(s.prior[0]).toBeCloseTo(0.5, 12);
    expect(s.means[0][0]).toBeCloseTo(0.6, 12);
    expect(s.means[0][1]).toBeCloseTo(0.25, 12);
    expect([...applyTargetEncoding(s, Int32Array.from([1, -1]))[0]]).toEqual([0.25, 0.5]);
  });
  it("out of fold: a row's value never uses its own target", () => {
    const fold = Int32Array.from([0, 1, 2, 0, 1, 2]);
    const oof = outOfFoldEncoding(codes, rows, y, 2, 0, fold, 3)[0];
    // row 0 (level 0, fold 0): level-0 rows outside fold 0 are rows 1 (y=1) and 2 (y=0) -> 0.5
    expect(oof[0]).toBeCloseTo(0.5, 12);
    // row 3 (level 1, fold 0): other level-1 row is row 4 (y=0) -> 0
    expect(oof[3]).toBeCloseTo(0, 12);
  });
});

describe("pipeline with the new steps", () => {
  const frame: Frame = {
    rowCount: 6,
    columns: [
      { name: "a", kind: "numeric", values: Float64Array.from([1, 2, 3, 4, 5, 6]) },
      { name: "b", kind: "numeric", values: Float64Array.from([2, 2, 1, 1, 0, 0]) },
      { name: "when", kind: "categorical", values: ["2024-01-01", "2024-01-02", "2024-06-01", null, "2025-01-01", "2024-01-03"] },
      { name: "city", kind: "categorical", values: ["x", "x", "y", "y", "z", "z"] },
    ],
  };
  it("datetime columns become parts; interactions add scaled products", () => {
    const { X, fitted } = new FeaturePipeline({ ...LINEAR_PIPELINE, interactions: true }).fitTransform(frame, ["a", "b", "when", "city"]);
    const names = X.columns.map((c) => c.name);
    expect(names).toEqual(["a", "b", "when.year", "when.month", "when.day", "when.weekday", "when.dayofyear", "city", "a*b"]); // dates only: no hour
    expect(fitted.inputs.map((c) => c.kind)).toEqual(["numeric", "numeric", "categorical", "categorical"]);
    const again = fitted.transform(frame);
    expect(again.columns.map((c) => c.name)).toEqual(names);
    const ab = again.columns[names.indexOf("a*b")];
    expect(ab.kind === "numeric" && ab.values.every(Number.isFinite)).toBe(true);
  });
  it("target encoding only with a target and enough categories; training rows out of fold", () => {
    const target = { outputs: [Float64Array.from([1, 1, 0, 0, 1, 0])], fold: Int32Array.from([0, 1, 0, 1, 0, 1]), folds: 2 };
    const p = new FeaturePipeline({ ...TREE_PIPELINE, targetEncodeMinLevels: 3, targetSmoothing: 0 });
    const { X, fitted } = p.fitTransform(frame, ["city"], undefined, target);
    expect(X.columns[0].name).toBe("city.te0");
    const trainValues = X.columns[0].kind === "numeric" ? [...X.columns[0].values] : [];
    // row 0 (x, fold 0): the other x row (row 1, y=1) -> 1
    expect(trainValues[0]).toBe(1);
    const full = fitted.transform(frame).columns[0];
    expect(full.kind === "numeric" && full.values[0]).toBe(1); // x: both rows 1
    expect(full.kind === "numeric" && full.values[2]).toBe(0); // y: rows 2, 3 both 0
    const none = new FeaturePipeline({ ...TREE_PIPELINE, targetEncodeMinLevels: 4 }).fitTransform(frame, ["city"], undefined, target);
    expect(none.X.columns[0].kind).toBe("categorical");
  });
});
