// The evaluation summaries against brute force: confusion counts at every threshold, curve ends, residuals.
import { describe, expect, it } from "vitest";
import { binaryEvaluation, regressionEvaluation } from "./evaluation.js";

/** A seeded stream of numbers in [0, 1). */
function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

describe("binary evaluation", () => {
  const rnd = stream(7);
  const n = 500;
  const y = new Float64Array(n);
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    y[i] = rnd() < 0.3 ? 1 : 0;
    // Scores on a 0.005 grid (ties, and values exactly on thresholds) leaning towards the truth.
    const p = Math.min(1, Math.max(0, Math.round((0.6 * rnd() + 0.4 * y[i]) * 200) / 200));
    out[2 * i] = 1 - p;
    out[2 * i + 1] = p;
  }
  const e = binaryEvaluation(y, out, ["No", "Yes"]);

  it("counts the confusion matrix at every threshold as a direct count does (positive when p >= t)", () => {
    expect(e.byThreshold.threshold).toHaveLength(101);
    for (let s = 0; s <= 100; s++) {
      const t = e.byThreshold.threshold[s];
      expect(t).toBeCloseTo(s / 100, 12);
      let tp = 0, fp = 0, fn = 0, tn = 0;
      for (let i = 0; i < n; i++) {
        const pos = out[2 * i + 1] >= t;
        if (y[i] === 1) pos ? tp++ : fn++;
        else pos ? fp++ : tn++;
      }
      expect([e.byThreshold.tp[s], e.byThreshold.fp[s], e.byThreshold.fn[s], e.byThreshold.tn[s]], `t=${t}`).toEqual([tp, fp, fn, tn]);
    }
    expect(e.positives + e.negatives).toBe(n);
    expect([e.negative, e.positive]).toEqual(["No", "Yes"]);
  });

  it("draws ROC from (0,0) to (1,1) with the AUC of the pairwise definition", () => {
    expect([e.roc.fpr[0], e.roc.tpr[0]]).toEqual([0, 0]);
    expect([e.roc.fpr.at(-1), e.roc.tpr.at(-1)]).toEqual([1, 1]);
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      if (y[i] !== 1 || y[j] !== 0) continue;
      pairs++;
      wins += out[2 * i + 1] > out[2 * j + 1] ? 1 : out[2 * i + 1] === out[2 * j + 1] ? 0.5 : 0;
    }
    expect(e.roc.auc).toBeCloseTo(wins / pairs, 10);
    expect(e.pr.recall.at(-1)).toBe(1);
    expect(e.calibration.count.reduce((a, b) => a + b, 0)).toBe(n);
  });

  it("thins long curves to at most 400 points, keeping both ends", () => {
    const m = 3000;
    const yy = Float64Array.from({ length: m }, (_, i) => i % 2);
    const oo = new Float64Array(2 * m);
    for (let i = 0; i < m; i++) (oo[2 * i + 1] = (i + 0.5) / m), (oo[2 * i] = 1 - oo[2 * i + 1]);
    const big = binaryEvaluation(yy, oo, ["a", "b"]);
    expect(big.roc.fpr.length).toBe(400);
    expect([big.roc.fpr[0], big.roc.fpr.at(-1)]).toEqual([0, 1]);
  });

  it("gives no AUC when the rows hold one class", () => {
    const one = binaryEvaluation(Float64Array.from([1, 1]), Float64Array.from([0.2, 0.8, 0.4, 0.6]), ["a", "b"]);
    expect(one.roc.auc).toBeNull();
    expect(one.pr.averagePrecision).toBeNull();
  });
});

describe("regression evaluation", () => {
  it("samples residuals as truth minus prediction and bins every row", () => {
    const n = 4000;
    const y = Float64Array.from({ length: n }, (_, i) => i);
    const pred = Float64Array.from({ length: n }, (_, i) => i + (i % 7) - 3);
    const r = regressionEvaluation(y, pred);
    expect(r.actual.length).toBe(1500); // a sample of the 4000 rows, capped (an empty one would leave the loop below nothing to check)
    for (let j = 0; j < r.actual.length; j++) expect(r.residual[j]).toBe(r.actual[j] - r.predicted[j]);
    expect(r.histogram.counts.reduce((a, b) => a + b, 0)).toBe(n);
    expect(r.histogram.edges[0]).toBe(-3);
    expect(r.histogram.edges.at(-1)).toBeCloseTo(3, 12);
  });
});
