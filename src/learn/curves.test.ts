// Tests of curves, PR-AUC, Brier, confusion matrix, permutation importance and feature selection.
import { describe, expect, it } from "vitest";
import type { Frame } from "../records.js";
import { averagePrecision, brierScore, calibrationCurve, confusionMatrix, precisionRecallCurve, rocCurve } from "./curves.js";
import { permutationImportance, selectFeatures } from "./importance.js";
import { Rng } from "./rng.js";
import { trainCandidate } from "./train.js";

describe("curves and scores against hand-computed values", () => {
  const y = [0, 0, 1, 1];
  const s = [0.1, 0.4, 0.35, 0.8];
  it("average precision, Brier, confusion matrix", () => {
    expect(averagePrecision(y, s)).toBeCloseTo(0.5 + 0.5 * (2 / 3), 12);
    expect(brierScore([1, 0], [0.8, 0.3])).toBeCloseTo(0.065, 12);
    expect(confusionMatrix([0, 1, 1, 2], [0, 1, 2, 2], 3)).toEqual([[1, 0, 0], [0, 1, 1], [0, 0, 1]]);
  });
  it("ROC and PR points, calibration bins", () => {
    const roc = rocCurve(y, s);
    expect(roc.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    const pr = precisionRecallCurve(y, s);
    expect(pr.recall).toEqual([0.5, 0.5, 1, 1]);
    expect(pr.precision[2]).toBeCloseTo(2 / 3, 12);
    const cal = calibrationCurve([0, 1, 1, 0], [0.05, 0.95, 0.9, 0.15], 2);
    expect(cal).toEqual({ predicted: [0.1, 0.925], observed: [0, 1], count: [2, 2] });
  });
});

describe("permutation importance and selection", () => {
  const rng = new Rng(9);
  const n = 400;
  const x = Float64Array.from({ length: n }, () => rng.normal());
  const noise = Float64Array.from({ length: n }, () => rng.normal());
  const other = Float64Array.from({ length: n }, () => rng.normal());
  const frame: Frame = {
    rowCount: n,
    columns: [
      { name: "x", kind: "numeric", values: x },
      { name: "noise", kind: "numeric", values: noise },
      { name: "other", kind: "numeric", values: other },
      { name: "y", kind: "categorical", values: Array.from(x, (v) => (v + 0.3 * rng.normal() > 0 ? "1" : "0")) },
    ],
  };
  const base = { frame, target: "y", features: ["x", "noise", "other"], task: "binary" as const, testRows: Uint32Array.from({ length: 100 }, (_, i) => i), cvFolds: 0, seed: 1 };
  it("the signal column matters, noise does not", async () => {
    const r = await trainCandidate({ ...base, candidate: { name: "lr", model: "logistic_regression" } });
    const imp = permutationImportance(r.model as never, frame, base.testRows, "y", "roc_auc", 3, 0);
    expect(imp.x).toBeGreaterThan(0.2);
    expect(Math.abs(imp.noise)).toBeLessThan(0.03);
  });
  it("selection keeps the signal, by importance and by recursive elimination", async () => {
    for (const method of ["importance", "rfe"] as const) {
      const s = await selectFeatures({ ...base, candidate: { name: "g", model: "gbdt", params: { n_estimators: 20 } }, method, keep: 1 });
      expect(s.selected).toEqual(["x"]);
    }
    await expect(selectFeatures({ ...base, candidate: { name: "g", model: "gbdt" }, method: "rfe", keep: 5 })).rejects.toThrow(/keep must be/);
  });
});
