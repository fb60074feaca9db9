import { describe, expect, it } from "vitest";
import type { Task } from "../records.js";
import { pairedBootstrap, resampledMetric, type ScoredRows } from "./bootstrap.js";
import { rocAuc } from "./metrics.js";
import { Rng } from "./rng.js";

/** n rows with 0/1 labels; two binary models whose scores carry `signal` of the label plus noise. */
function scored(n: number, signal: number, seed: number, y?: Float64Array): ScoredRows {
  const rng = new Rng(seed);
  const labels = y ?? Float64Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const p = Math.min(0.999, Math.max(0.001, 0.5 + signal * (labels[i] - 0.5) + (rng.next() - 0.5) * 0.8));
    out[i * 2 + 1] = p;
    out[i * 2] = 1 - p;
  }
  return { y: labels, out, k: 2 };
}

describe("paired bootstrap", () => {
  it("gives each model's plain metric and an interval around the difference", () => {
    const a = scored(2_000, 0.2, 1);
    const b = scored(2_000, 0.4, 2, a.y);
    const r = pairedBootstrap("binary", "roc_auc", a, b, { resamples: 1000, seed: 42 });
    expect(r.a).toBeCloseTo(rocAuc(a.y, Float64Array.from({ length: 2000 }, (_, i) => a.out[i * 2 + 1])), 12);
    expect(r.diff).toBeGreaterThan(0);
    expect(r.lo).toBeLessThan(r.diff);
    expect(r.hi).toBeGreaterThan(r.diff);
    expect(r.lo).toBeGreaterThan(0); // a real difference of this size is resolved on 2,000 rows
    expect(r.resamples).toBe(1000);
  });

  it("straddles zero for two models of equal skill, and repeats for a seed", () => {
    const a = scored(800, 0.3, 3);
    const b = scored(800, 0.3, 4, a.y);
    const r = pairedBootstrap("binary", "roc_auc", a, b, { resamples: 500, seed: 7 });
    expect(r.lo).toBeLessThan(0);
    expect(r.hi).toBeGreaterThan(0);
    expect(pairedBootstrap("binary", "roc_auc", a, b, { resamples: 500, seed: 7 })).toEqual(r);
  });

  it("computes every weighted metric exactly as on expanded copies of the resampled rows", () => {
    const rng = new Rng(21);
    const bin = scored(400, 0.3, 8);
    const yr = Float64Array.from({ length: 400 }, () => rng.next() * 5);
    const reg = { y: yr, out: Float64Array.from(yr, (v) => v + rng.next() - 0.5), k: 0 };
    const yk = Float64Array.from({ length: 400 }, () => Math.floor(rng.next() * 3));
    const multi = { y: yk, out: Float64Array.from({ length: 1200 }, () => rng.next()), k: 3 };
    const cases: [Task, string, ScoredRows][] = [
      ...["roc_auc", "accuracy", "precision", "recall", "f1", "log_loss", "brier"].map((m) => ["binary", m, bin] as [Task, string, ScoredRows]),
      ...["rmse", "mae", "r2", "mape"].map((m) => ["regression", m, reg] as [Task, string, ScoredRows]),
      ...["accuracy", "log_loss"].map((m) => ["multiclass", m, multi] as [Task, string, ScoredRows]),
    ];
    for (const [task, metric, rows] of cases) {
      const fast = resampledMetric(task, metric, rows, "weighted");
      const slow = resampledMetric(task, metric, rows, "copies");
      for (let t = 0; t < 3; t++) {
        const w = new Float64Array(400);
        for (let j = 0; j < 400; j++) w[Math.floor(rng.next() * 400)]++;
        expect(fast(w), `${task} ${metric}`).toBeCloseTo(slow(w), 9);
      }
    }
  });

  it("handles regression errors (lower is better) with the difference in the metric's units", () => {
    const rng = new Rng(11);
    const y = Float64Array.from({ length: 500 }, () => rng.next() * 10);
    const near = { y, out: Float64Array.from(y, (v) => v + (rng.next() - 0.5)), k: 0 };
    const far = { y, out: Float64Array.from(y, (v) => v + (rng.next() - 0.5) * 4), k: 0 };
    const r = pairedBootstrap("regression", "rmse", near, far, { resamples: 400, seed: 1 });
    expect(r.diff).toBeGreaterThan(0);
    expect(r.lo).toBeGreaterThan(0);
  });
});
