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
function recursive(s: ForestState, X: FeatureMatrix, scale: number, outputs = 1, base: ArrayLike<number> = [0]): Float64Array {
  const F = X.columns.length;
  const width = outputs * (F + 1);
  const ex = new TreeExplainer(s);
  const out = new Float64Array(X.nRows * width);
  const x = new Float64Array(F);
  for (let i = 0; i < X.nRows; i++) {
    X.columns.forEach((c, f) => (x[f] = c.kind === "numeric" ? c.values[i] : c.codes[i] < 0 ? NaN : c.codes[i]));
    const phi = out.subarray(i * width, (i + 1) * width);
    for (let k = 0; k < outputs; k++) phi[k * (F + 1) + F] = base[k];
    for (let t = 0; t < s.treeRoot.length; t++) ex.addTree(t, x, 0, F, phi, scale);
  }
  return out;
}

/** Each row's raw score per output, by walking every tree to its leaf: base[k] + scale × sum of output k's leaves. */
function rawScores(s: ForestState, X: FeatureMatrix, outputs: number, base: ArrayLike<number>, scale: number): Float64Array {
  const raw = new Float64Array(X.nRows * outputs);
  for (let i = 0; i < X.nRows; i++) {
    for (let k = 0; k < outputs; k++) raw[i * outputs + k] = base[k];
    for (let t = 0; t < s.treeRoot.length; t++) {
      let node = s.treeRoot[t];
      while (node >= 0) {
        const c = X.columns[s.feature[node]];
        const v = c.kind === "numeric" ? c.values[i] : c.codes[i] < 0 ? NaN : c.codes[i];
        const left =
          s.flags[node] & 2
            ? v !== v ? (s.flags[node] & 1) !== 0 : (v >>> 5) < s.catLen[node] && (s.catBits[s.catStart[node] + (v >>> 5)] & (1 << (v & 31))) !== 0
            : v <= s.threshold[node] || (v !== v && (s.flags[node] & 1) !== 0);
        node = left ? s.left[node] : s.right[node];
      }
      raw[i * outputs + s.treeOutput[t]] += scale * s.leafValue[~node];
    }
  }
  return raw;
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
  it.each([
    ["gbdt regression", "gbdt", 0],
    ["gbdt binary", "gbdt", 2],
    ["gbdt multiclass", "gbdt", 3],
    ["random forest regression", "rf", 0],
    ["random forest binary", "rf", 2],
    ["random forest multiclass", "rf", 3],
  ] as const)("%s: equal to the recursion within 1e-10 on every row, contributions + base = the raw score within 1e-6", async (_name, kind, nClasses) => {
    const { X, y } = data(2000, 7, 4);
    const labels = Float64Array.from(y, (v) => (nClasses === 0 ? v : nClasses === 2 ? (v > 0 ? 1 : 0) : v < -1 ? 0 : v < 1 ? 1 : 2));
    const fitted =
      kind === "gbdt"
        ? await new GradientBoosting({ n_estimators: 25, max_cat_to_onehot: 2 }).fit({ X, y: labels, nClasses, seed: 1 })
        : await new RandomForest({ n_estimators: 8, max_depth: 7 }).fit({ X, y: labels, nClasses, seed: 2 });
    const s = fitted.s.forest;
    const outputs = fitted.s.outputs;
    const scale = kind === "gbdt" ? 1 : 1 / 8;
    const base = kind === "gbdt" ? (fitted.s as { baseScore: Float64Array }).baseScore : new Float64Array(outputs);
    expect(new LeafPaths(s).tabled.every((on) => on === 1)).toBe(true);
    if (kind === "gbdt") expect(s.flags.some((f) => (f & 2) !== 0)).toBe(true); // categorical splits are covered
    const rows = data(400, 7, 11).X;
    const fast = explainForest(s, rows, outputs, base, "raw", scale).values;
    expectClose(fast, recursive(s, rows, scale, outputs, base), 1e-10);
    const F = rows.columns.length;
    const raw = rawScores(s, rows, outputs, base, scale);
    const sums = new Float64Array(rows.nRows * outputs);
    for (let j = 0; j < sums.length; j++) for (let f = 0; f <= F; f++) sums[j] += fast[j * (F + 1) + f];
    expectClose(sums, raw, 1e-6);
  });
});
