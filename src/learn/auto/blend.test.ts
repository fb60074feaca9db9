import { describe, expect, it } from "vitest";
import { Rng } from "../rng.js";
import { selectBlend } from "./blend.js";

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
