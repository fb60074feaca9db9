import { describe, expect, it } from "vitest";
import { Rng } from "../learn/rng.js";
import type { FeatureMatrix } from "./matrix.js";
import { applyPca, fitPca } from "./pca.js";

function correlated(n: number): FeatureMatrix {
  const rng = new Rng(3);
  const t = Float64Array.from({ length: n }, () => rng.normal());
  const cols = [
    Float64Array.from(t, (v) => 3 * v + 0.1 * rng.normal()),
    Float64Array.from(t, (v) => -2 * v + 0.1 * rng.normal()),
    Float64Array.from({ length: n }, () => rng.normal()),
    Float64Array.from({ length: n }, () => 0.5 * rng.normal()),
  ];
  return { nRows: n, columns: [...cols.map((values, j) => ({ name: `x${j}`, kind: "numeric" as const, values })), { name: "c", kind: "categorical", codes: new Int32Array(n), levels: 1 }] };
}

describe("pca", () => {
  it("components are orthonormal eigenvectors of the covariance, by falling variance; scores have that variance", () => {
    const X = correlated(2000);
    const s = fitPca(X, 4);
    const p = 4;
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        let dot = 0;
        for (let j = 0; j < p; j++) dot += s.components[a * p + j] * s.components[b * p + j];
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 9);
      }
    }
    for (let c = 1; c < 4; c++) expect(s.explainedVariance[c]).toBeLessThanOrEqual(s.explainedVariance[c - 1]);
    // The first component is the shared direction (3, -2, 0, 0)/sqrt(13) up to the noise.
    expect(Math.abs(s.components[0])).toBeCloseTo(3 / Math.sqrt(13), 2);
    expect(Math.abs(s.components[1])).toBeCloseTo(2 / Math.sqrt(13), 2);
    const Z = applyPca(s, X);
    expect(Z.columns.map((c) => c.name)).toEqual(["pc1", "pc2", "pc3", "pc4", "c"]);
    const z1 = (Z.columns[0] as { values: Float64Array }).values;
    const m = z1.reduce((a, b) => a + b, 0) / z1.length;
    const v = z1.reduce((a, b) => a + (b - m) ** 2, 0) / (z1.length - 1);
    expect(v).toBeCloseTo(s.explainedVariance[0], 6);
    expect(s.explainedRatio.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it("a share below 1 keeps the fewest components reaching it; missing values are refused with a hint", () => {
    const X = correlated(500);
    expect(fitPca(X, 0.5).k).toBe(1);
    expect(fitPca(X, 0.999).k).toBeGreaterThan(2);
    (X.columns[0] as { values: Float64Array }).values[3] = NaN;
    expect(() => fitPca(X, 2)).toThrow(/impute it first|missing/);
  });
});
