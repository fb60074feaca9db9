import { describe, expect, it } from "vitest";
import { Rng } from "../rng.js";
import { logProbs, selectBlend, softmaxRows } from "./blend.js";

const rmse = (y: Float64Array, p: Float64Array) => Math.sqrt(y.reduce((a, v, i) => a + (v - p[i]) ** 2, 0) / y.length);

describe("selectBlend", () => {
  const rng = new Rng(3);
  const parts = [0, 1, 2].map(() => Float64Array.from({ length: 400 }, () => rng.normal()));
  // Two candidates with independent errors of equal size: their average has about 1/sqrt(2) of either's error.
  const a = parts.map((y) => y.map((v) => v + rng.normal()));
  const b = parts.map((y) => y.map((v) => v + rng.normal()));
  const score = (outs: Float64Array[]) => outs.reduce((s, o, j) => s + rmse(parts[j], o), 0) / outs.length;

  it("mixes candidates with independent errors, weights summing to 1, and reports the mix's CV score", () => {
    const bad = parts.map((y) => y.map((v) => v + 3 * rng.normal()));
    const r = selectBlend([a, bad, b], score, -1)!;
    expect(r).not.toBeNull();
    expect(r.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    expect(r.weights[1]).toBe(0);
    expect(r.weights[0]).toBeGreaterThanOrEqual(0.3);
    expect(r.weights[2]).toBeGreaterThanOrEqual(0.3);
    expect(r.score).toBeLessThan(0.8 * Math.min(score(a), score(b)));
    const mixed = parts.map((_, j) => a[j].map((v, i) => r.weights[0] * v + r.weights[2] * b[j][i]));
    expect(r.score).toBeCloseTo(score(mixed), 10);
  });

  it("returns null when nothing beats the best candidate alone (a copy adds nothing; one candidate is no mix)", () => {
    expect(selectBlend([a, a.map((o) => Float64Array.from(o))], score, -1)).toBeNull();
    expect(selectBlend([a], score, -1)).toBeNull();
  });
});

describe("margin mixing", () => {
  it("softmax of Σ wᵢ·log pᵢ is σ(Σ wᵢ·logit pᵢ) for two classes, and clips 0 and 1", () => {
    const p = [0.9, 0.2, 1e-9, 0.7];
    const w = [0.25, 0.75];
    const rows = [Float64Array.from([1 - p[0], p[0], 1 - p[1], p[1]]), Float64Array.from([1 - p[2], p[2], 1 - p[3], p[3]])];
    const z = new Float64Array(4);
    for (const [m, r] of rows.entries()) logProbs(r).forEach((v, i) => (z[i] += w[m] * v));
    const out = softmaxRows(z, 2);
    const logit = (v: number) => Math.log(v / (1 - v));
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expect(out[1]).toBeCloseTo(sig(w[0] * logit(p[0]) + w[1] * logit(p[2])), 12);
    expect(out[3]).toBeCloseTo(sig(w[0] * logit(p[1]) + w[1] * logit(p[3])), 12);
    expect(out[0] + out[1]).toBeCloseTo(1, 14);
    expect(Array.from(logProbs(Float64Array.from([0, 1])))).toEqual([Math.log(1e-15), Math.log(1 - 1e-15)]);
  });
});
