// The tabled TreeSHAP (leaf-paths.ts) against the recursive algorithm on the same forests: equal to 1e-12 per
// contribution; trees with more than MAX_UNIQUE path features fall back to the recursion and still add up.
import { describe, expect, it } from "vitest";
import type { FeatureMatrix } from "../../features/matrix.js";
import { RandomForest } from "../forest/random-forest.js";
import { GradientBoosting } from "../gbdt/booster.js";
import type { ForestState } from "../gbdt/forest.js";
import { Rng } from "../rng.js";
import { LeafPaths, MAX_UNIQUE } from "./leaf-paths.js";
import { explainForest, TreeExplainer } from "./tree-shap.js";

function data(n: number, F: number, seed: number): { X: FeatureMatrix; y: Float64Array } {
  const rng = new Rng(seed);
  const cols = Array.from({ length: F }, (_, f) => Float64Array.from({ length: n }, (_, i) => (f === 1 && i % 9 === 0 ? NaN : rng.normal())));
  const codes = Int32Array.from({ length: n }, (_, i) => (i % 11 === 0 ? -1 : rng.int(20)));
  const y = Float64Array.from({ length: n }, (_, i) => cols.reduce((a, c, f) => a + (Number.isNaN(c[i]) ? 0.5 : c[i]) * (f % 3 === 0 ? 1 : -0.4), 0) + (codes[i] % 4 === 1 ? 1.5 : 0) + 0.3 * rng.normal());
  const X: FeatureMatrix = {
    nRows: n,
    columns: [...cols.map((values, f) => ({ name: `x${f}`, kind: "numeric" as const, values })), { name: "cat", kind: "categorical" as const, codes, levels: 20 }],
  };
  return { X, y };
}

/** Contributions by the recursive algorithm alone (what explainForest computed before the tables). */
function recursive(s: ForestState, X: FeatureMatrix, scale: number): Float64Array {
  const F = X.columns.length;
  const ex = new TreeExplainer(s);
  const out = new Float64Array(X.nRows * (F + 1));
  const x = new Float64Array(F);
  for (let i = 0; i < X.nRows; i++) {
    X.columns.forEach((c, f) => (x[f] = c.kind === "numeric" ? c.values[i] : c.codes[i] < 0 ? NaN : c.codes[i]));
    for (let t = 0; t < s.treeRoot.length; t++) ex.addTree(t, x, 0, F, out.subarray(i * (F + 1), (i + 1) * (F + 1)), scale);
  }
  return out;
}

function expectClose(a: Float64Array, b: Float64Array, tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j] - b[j]));
  expect(worst).toBeLessThan(tol);
}

describe("LeafPaths", () => {
  it("gives the recursive TreeSHAP's contributions on a depth-6 GBDT with a categorical column", async () => {
    const { X, y } = data(3000, 6, 1);
    const fitted = await new GradientBoosting({ n_estimators: 30, max_cat_to_onehot: 2 }).fit({ X, y, nClasses: 0, seed: 1 });
    const s = fitted.s.forest;
    expect(new LeafPaths(s).tabled.every((on) => on === 1)).toBe(true);
    const rows = data(300, 6, 9).X;
    const fast = explainForest(s, rows, 1, [0], "value").values;
    expectClose(fast, recursive(s, rows, 1), 1e-12);
  });
  it(`tables trees of up to ${MAX_UNIQUE} path features and leaves deeper ones to the recursion, with the same result`, async () => {
    const { X, y } = data(1500, 16, 2);
    const fitted = await new RandomForest({ n_estimators: 6, max_features: "all" }).fit({ X, y, nClasses: 0, seed: 3 });
    const s = fitted.s.forest;
    const paths = new LeafPaths(s);
    expect(paths.tabled.some((on) => on === 0)).toBe(true);
    const rows = data(40, 16, 9).X;
    const fast = explainForest(s, rows, 1, [0], "value", 1 / 6).values;
    expectClose(fast, recursive(s, rows, 1 / 6), 1e-12);
  });
});
