// Ridge and logistic regression on wide one-hot designs (hundreds of levels, a few rows each): the solvers converge
// in few iterations to the same answer as an exact solve.
import { describe, expect, it } from "vitest";
import type { FeatureMatrix } from "../../features/matrix.js";
import { Rng } from "../rng.js";
import { LogisticRegression } from "./logistic.js";
import { ridgeNormalEquations } from "./normal-equations.js";
import { Ridge } from "./ridge.js";

/** n rows: two numeric columns, an id-like column of `levels` levels (a few rows each) and a 7-level column. */
function wide(n: number, levels: number, seed: number): { X: FeatureMatrix; y: Float64Array; effect: Float64Array } {
  const rng = new Rng(seed);
  const a = Float64Array.from({ length: n }, () => rng.normal());
  const b = Float64Array.from({ length: n }, (_, i) => 0.6 * a[i] + rng.normal());
  const id = Int32Array.from({ length: n }, () => Math.floor(rng.next() * levels));
  const g = Int32Array.from({ length: n }, () => Math.floor(rng.next() * 7));
  const effect = Float64Array.from({ length: levels }, () => rng.normal());
  const y = Float64Array.from({ length: n }, (_, i) => 50 + 3 * a[i] - 2 * b[i] + 4 * effect[id[i]] + g[i] + rng.normal());
  return {
    X: {
      nRows: n,
      columns: [
        { name: "a", kind: "numeric", values: a },
        { name: "id", kind: "categorical", codes: id, levels },
        { name: "b", kind: "numeric", values: b },
        { name: "g", kind: "categorical", codes: g, levels: 7 },
      ],
    },
    y,
    effect,
  };
}

describe("ridge on a wide one-hot design (conjugate gradients)", () => {
  it("converges in a few hundred iterations to the normal equations' answer", () => {
    const { X, y } = wide(3000, 900, 1);
    const fit = new Ridge({ alpha: 1 }).fit({ X, y, nClasses: 0, seed: 0 });
    expect(fit.s.width).toBe(909);
    expect(fit.s.converged).toBe(true);
    expect(fit.s.iterations).toBeLessThan(300);
    const exact = ridgeNormalEquations(X, y, undefined, 1, true)!;
    let worst = 0;
    for (let j = 0; j < exact.length; j++) worst = Math.max(worst, Math.abs(fit.s.coef[j] - exact[j]));
    expect(worst).toBeLessThan(1e-5);
  });

  it("honours sample weights and fit_intercept: false", () => {
    const { X, y } = wide(2000, 500, 2);
    const weights = Float64Array.from({ length: 2000 }, (_, i) => 0.5 + (i % 3));
    const fit = new Ridge({ alpha: 3, fit_intercept: false }).fit({ X, y, weights, nClasses: 0, seed: 0 });
    expect(fit.s.converged).toBe(true);
    const exact = ridgeNormalEquations(X, y, weights, 3, false)!;
    expect(fit.s.coef[fit.s.width]).toBe(0);
    for (let j = 0; j < exact.length; j++) expect(fit.s.coef[j]).toBeCloseTo(exact[j], 5);
  });

  it("linear_regression (alpha 0) on one-hot columns alone fits each level's mean; an unseen level gets the intercept", () => {
    const n = 1500;
    const rng = new Rng(3);
    const codes = Int32Array.from({ length: n }, () => Math.floor(rng.next() * 600));
    const y = Float64Array.from(codes, (c) => c * 0.1 + rng.normal());
    const X: FeatureMatrix = { nRows: n, columns: [{ name: "c", kind: "categorical", codes, levels: 600 }] };
    const fit = new Ridge({}, "linear_regression").fit({ X, y, nClasses: 0, seed: 0 });
    expect(fit.s.converged).toBe(true);
    const sum = new Float64Array(600);
    const count = new Float64Array(600);
    for (let i = 0; i < n; i++) (sum[codes[i]] += y[i]), count[codes[i]]++;
    const p = fit.predict(X);
    for (let i = 0; i < n; i += 7) expect(p[i]).toBeCloseTo(sum[codes[i]] / count[codes[i]], 5);
    const unseen = fit.predict({ nRows: 1, columns: [{ name: "c", kind: "categorical", codes: Int32Array.of(-1), levels: 600 }] });
    expect(unseen[0]).toBe(fit.s.coef[600]);
  });

  it("reports progress between iterations, so a caller can stop it", () => {
    const { X, y } = wide(2000, 800, 4);
    let asked = 0;
    const stop = () => {
      if (++asked === 2) throw new Error("stopped");
    };
    expect(() => new Ridge({ alpha: 0.01, tol: 1e-14 }).fit({ X, y, nClasses: 0, seed: 0, onProgress: stop })).toThrow("stopped");
    expect(asked).toBe(2);
  });
});

describe("logistic regression on a wide one-hot design (preconditioned L-BFGS)", () => {
  it("binary: converges in few iterations to the tightly converged answer", () => {
    const { X, y: t, effect } = wide(3000, 900, 5);
    const y = Float64Array.from(t, (v) => (v > 50 ? 1 : 0));
    expect(effect.length).toBe(900);
    const fit = new LogisticRegression({}).fit({ X, y, nClasses: 2, seed: 0 });
    expect(fit.s.converged).toBe(true);
    expect(fit.s.iterations).toBeLessThan(30);
    const tight = new LogisticRegression({ tol: 1e-9, max_iter: 20_000 }).fit({ X, y, nClasses: 2, seed: 0 });
    expect(tight.s.converged).toBe(true);
    const p = fit.predict(X);
    const q = tight.predict(X);
    let worst = 0;
    for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - q[i]));
    expect(worst).toBeLessThan(3e-3);
  });

  it("multinomial: converges in few iterations to the tightly converged answer", () => {
    const { X, y: t } = wide(3000, 700, 6);
    const y = Float64Array.from(t, (v) => (v < 46 ? 0 : v < 54 ? 1 : 2));
    const fit = new LogisticRegression({}).fit({ X, y, nClasses: 3, seed: 0 });
    expect(fit.s.converged).toBe(true);
    expect(fit.s.iterations).toBeLessThan(40);
    const tight = new LogisticRegression({ tol: 1e-9, max_iter: 20_000 }).fit({ X, y, nClasses: 3, seed: 0 });
    const p = fit.predict(X);
    const q = tight.predict(X);
    let worst = 0;
    for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - q[i]));
    // tol 1e-4 (the default) on the gradient: within 0.01 of the optimum's probabilities (0.011 before preconditioning).
    expect(worst).toBeLessThan(0.01);
  });

  it("reports progress between iterations, so a caller can stop it", () => {
    const { X, y: t } = wide(2000, 800, 7);
    const y = Float64Array.from(t, (v) => (v > 50 ? 1 : 0));
    let asked = 0;
    const stop = () => {
      if (++asked === 3) throw new Error("stopped");
    };
    expect(() => new LogisticRegression({ tol: 1e-12 }).fit({ X, y, nClasses: 2, seed: 0, onProgress: stop })).toThrow("stopped");
    expect(asked).toBe(3);
  });
});
