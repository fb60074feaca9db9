// Tests of the linear learners against scikit-learn 1.2's coefficients on the same data.
import { describe, expect, it } from "vitest";
import type { FeatureMatrix } from "../../features/matrix.js";
import { lbfgs } from "./lbfgs.js";
import { LogisticRegression } from "./logistic.js";
import { Ridge } from "./ridge.js";
import { ElasticNet } from "./elastic-net.js";
import { linearScores } from "./design.js";

const X1 = [0.5, 1.5, 2, -1, -2, 0.1, 3, -0.5, 1, -1.5];
const X2 = [1, -1, 0.3, 2, -0.5, 0.2, 1, -2, 1, 0.7];
const matrix: FeatureMatrix = {
  nRows: 10,
  columns: [
    { name: "a", kind: "numeric", values: Float64Array.from(X1) },
    { name: "b", kind: "numeric", values: Float64Array.from(X2) },
  ],
};

describe("lbfgs", () => {
  it("minimises the Rosenbrock function", () => {
    const res = lbfgs(
      (x, g) => {
        g[0] = -2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2);
        g[1] = 200 * (x[1] - x[0] ** 2);
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2;
      },
      Float64Array.from([-1.2, 1]),
      { maxIter: 500, gtol: 1e-8, ftol: 0 },
    );
    expect(res.x[0]).toBeCloseTo(1, 5);
    expect(res.x[1]).toBeCloseTo(1, 5);
  });
});

describe("LogisticRegression matches scikit-learn 1.2 (lbfgs, tol 1e-10)", () => {
  it("binary, C = 1", () => {
    const y = Float64Array.from([1, 1, 0, 0, 0, 1, 1, 0, 1, 0]);
    const fit = new LogisticRegression({ tol: 1e-10 }).fit({ X: matrix, y, nClasses: 2, seed: 0 });
    const c = fit.s.coef;
    expect(c[0]).toBeCloseTo(0.7930814536004961, 6);
    expect(c[1]).toBeCloseTo(0.17977362316660356, 6);
    expect(c[2]).toBeCloseTo(-0.27905318601855983, 6);
    const p = fit.predict(matrix);
    expect(p[1]).toBeCloseTo(1 / (1 + Math.exp(-(0.5 * c[0] + 1 * c[1] + c[2]))), 12);
    expect(p[0] + p[1]).toBeCloseTo(1, 12);
  });
  it("multinomial, C = 0.5", () => {
    const y = Float64Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 2]);
    const fit = new LogisticRegression({ C: 0.5, tol: 1e-10 }).fit({ X: matrix, y, nClasses: 3, seed: 0 });
    const c = fit.s.coef; // per class: [a, b, intercept]
    const want = [
      [0.18674641910206866, 0.7102206605851197, -0.42366602759212363],
      [-0.20438273356001962, -0.8421216132630249, 0.0658830535269422],
      [0.017636314457950986, 0.13190095267790475, 0.35778297406518206],
    ];
    for (let k = 0; k < 3; k++) for (let j = 0; j < 3; j++) expect(c[k * 3 + j]).toBeCloseTo(want[k][j], 5);
    const p = fit.predict(matrix);
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 12);
  });
  it("a categorical column acts as one-hot; an unseen code adds nothing", () => {
    const X: FeatureMatrix = {
      nRows: 6,
      columns: [{ name: "c", kind: "categorical", codes: Int32Array.from([0, 0, 1, 1, 2, 2]), levels: 3 }],
    };
    const y = Float64Array.from([1, 1, 0, 0, 1, 0]);
    const fit = new LogisticRegression({ C: 100 }).fit({ X, y, nClasses: 2, seed: 0 });
    const p = fit.predict(X);
    expect(p[1]).toBeGreaterThan(0.9);
    expect(p[5]).toBeLessThan(0.1);
    expect(p[9]).toBeCloseTo(0.5, 2);
    const unseen = fit.predict({ nRows: 1, columns: [{ name: "c", kind: "categorical", codes: Int32Array.of(-1), levels: 3 }] });
    expect(unseen[1]).toBeCloseTo(1 / (1 + Math.exp(-fit.s.coef[3])), 12);
  });
});

describe("linearScores", () => {
  const X: FeatureMatrix = {
    nRows: 4,
    columns: [
      { name: "a", kind: "numeric", values: Float64Array.of(0.1, -3, 1e-17, 7.25) },
      { name: "c", kind: "categorical", codes: Int32Array.of(2, -1, 0, 1), levels: 3 },
      { name: "z", kind: "numeric", values: Float64Array.of(1, 2, 3, 4) },
      { name: "b", kind: "numeric", values: Float64Array.of(0.3, 0.2, -0.1, 1e16) },
    ],
  };
  // Per output: a, c's 3 levels, z (weight 0: skipped), b, then the intercept.
  const w = Float64Array.of(0.7, 1.1, -2.3, 0.01, 0, 1e-3, 0.5, -0.7, 3.3, 0.2, 4.4, 0, 1.5, 0.25);

  it("is the intercept plus each column's term added in column order, bit for bit, for every output", () => {
    const z = new Float64Array(8).fill(99);
    linearScores(X, w, 2, z);
    const cols = X.columns;
    for (let k = 0; k < 2; k++) {
      for (let i = 0; i < 4; i++) {
        const b = k * 7;
        let want = w[b + 6];
        if (cols[0].kind === "numeric") want += w[b] * cols[0].values[i];
        if (cols[1].kind === "categorical" && cols[1].codes[i] >= 0) want += w[b + 1 + cols[1].codes[i]];
        if (cols[3].kind === "numeric") want += w[b + 5] * cols[3].values[i];
        expect(Object.is(z[k * 4 + i], want)).toBe(true);
      }
    }
  });

  it("leaves a logistic model's earlier answers alone (its scores array is reused, its outputs are not)", () => {
    const y = Float64Array.from([1, 0, 1, 0, 1, 1, 0, 0, 1, 0]);
    const fit = new LogisticRegression({}).fit({ X: matrix, y, nClasses: 2, seed: 0 });
    const all = fit.predict(matrix);
    const copy = Float64Array.from(all);
    for (let i = 0; i < 10; i++) {
      const one = fit.predict({ nRows: 1, columns: matrix.columns.map((c) => (c.kind === "numeric" ? { ...c, values: c.values.subarray(i, i + 1) } : c)) });
      expect([one[0], one[1]]).toEqual([all[2 * i], all[2 * i + 1]]);
    }
    expect(all).toEqual(copy);
  });

  it("predictInto writes predict's answer into a used array (binary and multinomial)", () => {
    for (const [y, nClasses] of [[Float64Array.from([1, 0, 1, 0, 1, 1, 0, 0, 1, 0]), 2], [Float64Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 2]), 3]] as const) {
      const fit = new LogisticRegression({}).fit({ X: matrix, y, nClasses, seed: 0 });
      const out = new Float64Array(40).fill(Number.NaN);
      fit.predictInto(matrix, out);
      expect(Array.from(out.subarray(0, 10 * nClasses))).toEqual(Array.from(fit.predict(matrix)));
    }
  });
});

describe("Ridge", () => {
  it("matches the closed form on one feature (alpha = 1, intercept unpenalised)", () => {
    const X: FeatureMatrix = { nRows: 4, columns: [{ name: "x", kind: "numeric", values: Float64Array.from([1, 2, 3, 4]) }] };
    const fit = new Ridge({ alpha: 1 }).fit({ X, y: Float64Array.from([2, 4, 5, 8]), nClasses: 0, seed: 0 });
    // centred: Sxy = 9.5, Sxx = 5 -> w = 9.5 / 6, b = 4.75 - 2.5 w
    expect(fit.s.coef[0]).toBeCloseTo(9.5 / 6, 6);
    expect(fit.s.coef[1]).toBeCloseTo(4.75 - 2.5 * (9.5 / 6), 6);
  });
  it("linear_regression is ridge with alpha 0 and recovers an exact line at any scale", () => {
    const X: FeatureMatrix = { nRows: 5, columns: [{ name: "x", kind: "numeric", values: Float64Array.from([0, 1, 2, 3, 4]) }] };
    const y = Float64Array.from([0, 1, 2, 3, 4], (x) => 5000 + 1234.5 * x);
    const m = new Ridge({}, "linear_regression");
    expect(m.getParams().alpha).toBe(0);
    const pred = m.fit({ X, y, nClasses: 0, seed: 0 }).predict(X);
    for (let i = 0; i < 5; i++) expect(pred[i]).toBeCloseTo(y[i], 3);
  });
  it("refuses unknown or out-of-range parameters", () => {
    expect(() => new Ridge({ alpah: 1 })).toThrow(/unknown parameter "alpah"/);
    expect(() => new LogisticRegression({ C: 0 })).toThrow(/"C" of logistic_regression must be > 0/);
    expect(new LogisticRegression({ C: 2 }).clone().getParams().C).toBe(2);
  });
});

describe("L1 and elastic-net (match scikit-learn 1.2)", () => {
  const y = Float64Array.from([1.2, 2.5, 3.1, -0.5, -2.2, 0.4, 4.0, -1.3, 1.9, -1.1]);
  it("elastic-net and lasso regression by coordinate descent", () => {
    const en = new ElasticNet({ alpha: 0.1, l1_ratio: 0.5, tol: 1e-10, max_iter: 100000 }).fit({ X: matrix, y, nClasses: 0, seed: 0 });
    expect(en.s.coef[0]).toBeCloseTo(1.2028862735740096, 6);
    expect(en.s.coef[1]).toBeCloseTo(0.22113741696829678, 6);
    expect(en.s.coef[2]).toBeCloseTo(0.36739815261061715, 6);
    const lasso = new ElasticNet({ alpha: 0.5, tol: 1e-10, max_iter: 100000 }, "lasso").fit({ X: matrix, y, nClasses: 0, seed: 0 });
    expect(lasso.s.coef[0]).toBeCloseTo(1.0503709488481063, 6);
    expect(lasso.s.coef[1]).toBe(0); // L1 zeroes the weak feature exactly
    expect(lasso.s.coef[2]).toBeCloseTo(0.47438500585708726, 6);
  });
  it("L1 and elastic-net logistic regression by FISTA", () => {
    const yb = Float64Array.from([1, 1, 0, 0, 0, 1, 1, 0, 1, 0]);
    const l1 = new LogisticRegression({ penalty: "l1", tol: 1e-8, max_iter: 100000 }).fit({ X: matrix, y: yb, nClasses: 2, seed: 0 });
    expect(l1.s.coef[0]).toBeCloseTo(0.7313048174697231, 4);
    expect(l1.s.coef[1]).toBe(0);
    expect(l1.s.coef[2]).toBeCloseTo(-0.21455326238276265, 4);
    const en = new LogisticRegression({ penalty: "elasticnet", l1_ratio: 0.5, C: 0.5, tol: 1e-8, max_iter: 100000 }).fit({ X: matrix, y: yb, nClasses: 2, seed: 0 });
    expect(en.s.coef[0]).toBeCloseTo(0.5778436305104873, 4);
    expect(en.s.coef[1]).toBe(0);
    expect(en.s.coef[2]).toBeCloseTo(-0.17235755553480178, 4);
  });
});

describe("ridge normal equations", () => {
  it("agree with coordinate descent on the same objective, one-hot columns included", () => {
    const X: FeatureMatrix = {
      nRows: 8,
      columns: [
        { name: "a", kind: "numeric", values: Float64Array.from([0.5, 1.5, 2, -1, -2, 0.1, 3, -0.5]) },
        { name: "c", kind: "categorical", codes: Int32Array.from([0, 1, 2, 0, 1, 2, 0, -1]), levels: 3 },
      ],
    };
    const y = Float64Array.from([1, 3, 2, -1, 0, 1, 4, 0.5]);
    const ridge = new Ridge({ alpha: 2 }).fit({ X, y, nClasses: 0, seed: 0 });
    expect(ridge.s.iterations).toBe(1); // solved directly
    // ElasticNet with l1_ratio 0 minimises 1/(2n)|r|^2 + alpha/2 |w|^2: the same minimiser when alpha = 2 / n.
    const cd = new ElasticNet({ alpha: 2 / 8, l1_ratio: 0, tol: 1e-12, max_iter: 100000 }).fit({ X, y, nClasses: 0, seed: 0 });
    for (let j = 0; j < 5; j++) expect(ridge.s.coef[j]).toBeCloseTo(cd.s.coef[j], 6);
  });
});
