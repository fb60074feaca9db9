// The classic learners beside the conformance suite: linear SVM optimality and Platt scaling, a single decision tree,
// bagging's contract.
import { describe, expect, it } from "vitest";
import type { FeatureMatrix } from "../features/matrix.js";
import { BaggingEnsemble } from "./ensemble/bagging.js";
import { fitMember, predictMember } from "./ensemble/members.js";
import { DecisionTree } from "./forest/decision-tree.js";
import { LinearSvm } from "./linear/linear-svm.js";
import { modelKind } from "./models.js";
import { Rng } from "./rng.js";

function blobs(n: number, seed: number, noise = 1): { X: FeatureMatrix; y: Float64Array } {
  const rng = new Rng(seed);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    a[i] = (y[i] ? 1 : -1) + noise * rng.normal();
    b[i] = 0.5 * (y[i] ? 1 : -1) + noise * rng.normal();
  }
  return { X: { nRows: n, columns: [{ name: "a", kind: "numeric", values: a }, { name: "b", kind: "numeric", values: b }] }, y };
}

/** 0.5 |w|^2 + C sum hinge, the bias penalised as LIBLINEAR does. */
function primal(w: Float64Array, X: FeatureMatrix, y: Float64Array, C: number): number {
  let obj = 0.5 * w.reduce((s, v) => s + v * v, 0);
  for (let i = 0; i < X.nRows; i++) {
    let f = w[2];
    X.columns.forEach((c, j) => c.kind === "numeric" && (f += w[j] * c.values[i]));
    obj += C * Math.max(0, 1 - (y[i] ? 1 : -1) * f);
  }
  return obj;
}

describe("linear_svm", () => {
  it("minimises the hinge-loss objective (no nearby point is lower) and its Platt probabilities rise with the decision value", () => {
    const { X, y } = blobs(300, 1);
    const fitted = new LinearSvm({ C: 0.5, tol: 1e-8, max_iter: 5000 }).fit({ X, y, nClasses: 2, seed: 1 });
    const w = fitted.s.coef;
    const best = primal(w, X, y, 0.5);
    const rng = new Rng(2);
    for (let t = 0; t < 50; t++) {
      const v = Float64Array.from(w, (x) => x + 0.01 * rng.normal());
      expect(primal(v, X, y, 0.5)).toBeGreaterThanOrEqual(best - 1e-6);
    }
    const f = fitted.decisionFunction(X);
    const p = fitted.predict(X);
    const order = Array.from(f.keys()).sort((i, j) => f[i] - f[j]);
    for (let k = 1; k < order.length; k++) expect(p[2 * order[k] + 1]).toBeGreaterThanOrEqual(p[2 * order[k - 1] + 1] - 1e-12);
    expect(fitted.s.platt[0]).toBeLessThan(0); // larger decision value, larger P(class 1)
  });
});

describe("decision_tree", () => {
  it("grown without limits it fits distinct training rows exactly; max_depth bounds it", async () => {
    const { X, y } = blobs(200, 3);
    const full = await new DecisionTree().fit({ X, y, nClasses: 2, seed: 1 });
    const p = full.predict(X);
    for (let i = 0; i < X.nRows; i++) expect(p[2 * i + 1]).toBe(y[i]);
    const stump = await new DecisionTree({ max_depth: 1 }).fit({ X, y, nClasses: 2, seed: 1 });
    expect(stump.s.forest.feature.length).toBe(1);
    expect(full.name).toBe("decision_tree");
  });
});

describe("bagging", () => {
  it("one member on every row (no bootstrap) predicts as the base learner; more members average bootstrap fits", async () => {
    const { X, y } = blobs(200, 4);
    const lookup = (name: string) => modelKind(name);
    const one = await new BaggingEnsemble({ base: "logistic_regression", n_estimators: 1, bootstrap: false }, lookup).fit({ X, y, nClasses: 2, seed: 1 });
    // A linear base is fit on the imputed, scaled matrix, as ensemble members are.
    const direct = await fitMember(lookup, "logistic_regression", {}, { X, y, nClasses: 2, seed: 1 });
    // The member sees rows in a shuffled order (pasting draws a permutation): same optimum up to the solver's tolerance.
    const a = one.predict(X);
    const b = predictMember(direct, X);
    for (let j = 0; j < a.length; j++) expect(a[j]).toBeCloseTo(b[j], 3);
    const many = await new BaggingEnsemble({ n_estimators: 5 }, lookup).fit({ X, y, nClasses: 2, seed: 1 });
    const p = many.predict(X);
    for (let i = 0; i < X.nRows; i++) expect(p[2 * i] + p[2 * i + 1]).toBeCloseTo(1, 12);
    await expect(() => new BaggingEnsemble({ base: "stacking" }, lookup).fit({ X, y, nClasses: 2, seed: 1 })).rejects.toThrow(/base of bagging: bagging cannot hold stacking/);
  });
});
