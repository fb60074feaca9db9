// The prediction reference of the drift history, read off a version's evaluation: shares per probability bin from
// the confusion counts by threshold (checked against the scores themselves), the mean from the calibration bins,
// predicted-class shares from the confusion matrix's columns, value bins from the regression sample.
import { describe, expect, it } from "vitest";
import { binaryEvaluation, regressionEvaluation, type EvaluationReport } from "../app/evaluation.js";
import { predictionReference } from "./drift-history.js";

function report(over: Partial<EvaluationReport>): EvaluationReport {
  return { binary: null, multiclass: null, regression: null, classes: null, ...over } as EvaluationReport;
}

describe("predictionReference", () => {
  it("bins positive-class probabilities as the scores fall, with their mean", () => {
    const n = 500;
    const scores = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % n) / n); // 0 … 0.998, evenly spread
    const y = Float64Array.from(scores, (s, i) => (s > 0.6 || i % 9 === 0 ? 1 : 0));
    const out = Float64Array.from({ length: 2 * n }, (_, j) => (j % 2 ? scores[j >> 1] : 1 - scores[j >> 1])); // [p(No), p(Yes)] per row
    const ref = predictionReference(report({ binary: binaryEvaluation(y, out, ["No", "Yes"]) }))!;
    expect(ref.kind).toBe("probability");
    const expected = Array.from({ length: 10 }, (_, k) => scores.filter((s) => s >= k / 10 && (k === 9 || s < (k + 1) / 10)).length / n);
    expect(ref.reference).toHaveLength(10);
    ref.reference.forEach((share, k) => expect(share).toBeCloseTo(expected[k], 12));
    expect(ref.referenceMean).toBeCloseTo(scores.reduce((s, x) => s + x, 0) / n, 9);
  });

  it("takes predicted-class shares from the confusion matrix and value bins from the regression sample", () => {
    const mc = predictionReference(report({ classes: ["a", "b", "c"], multiclass: { confusion: [[5, 1, 0], [2, 6, 0], [0, 0, 6]] } }))!;
    expect(mc.reference).toEqual([7 / 20, 7 / 20, 6 / 20]);
    const pred = Float64Array.from({ length: 100 }, (_, i) => i);
    const rg = predictionReference(report({ regression: regressionEvaluation(Float64Array.from(pred, (x) => x + 1), pred) }))!;
    expect(rg.kind).toBe("value");
    expect(rg.reference.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(rg.referenceMean).toBeCloseTo(rg.edges![0] + (rg.edges![10] - rg.edges![0]) / 2, 0);
  });
});
