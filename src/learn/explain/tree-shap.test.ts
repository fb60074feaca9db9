import { describe, expect, it } from "vitest";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { ForestState } from "../gbdt/forest.js";
import { GradientBoosting } from "../gbdt/booster.js";
import { RandomForest } from "../forest/random-forest.js";
import { Rng } from "../rng.js";
import { ValidationError } from "../../errors.js";
import { explainForest } from "./tree-shap.js";

function matrix(n: number, seed: number): { X: FeatureMatrix; score: Float64Array } {
  const rng = new Rng(seed);
  const a = Float64Array.from({ length: n }, () => rng.normal());
  const b = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN : rng.normal()));
  const c = Int32Array.from({ length: n }, (_, i) => (i % 13 === 0 ? -1 : rng.int(12)));
  const d = Float64Array.from({ length: n }, () => rng.normal());
  const score = Float64Array.from({ length: n }, (_, i) => a[i] * (Number.isNaN(b[i]) ? 1 : b[i]) + (c[i] % 3 === 0 ? 1 : -0.5) + 0.2 * d[i] + 0.3 * rng.normal());
  const X: FeatureMatrix = {
    nRows: n,
    columns: [
      { name: "a", kind: "numeric", values: a },
      { name: "b", kind: "numeric", values: b },
      { name: "c", kind: "categorical", codes: c, levels: 12 },
      { name: "d", kind: "numeric", values: d },
    ],
  };
  return { X, score };
}

/** Row sums of an explanation per output (contributions + expected value). */
function sums(values: Float64Array, n: number, K: number, F: number): Float64Array {
  const out = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) for (let f = 0; f <= F; f++) out[k * n + i] += values[(i * K + k) * (F + 1) + f];
  return out;
}

/** Shapley values by enumerating every coalition, with E[f | x_S] taken along cover-weighted paths (what TreeSHAP computes). */
function bruteForce(s: ForestState, t: number, x: number[], F: number): number[] {
  const cover = (c: number) => (c >= 0 ? s.cover![c] : s.leafCover![~c]);
  const expect_ = (node: number, inS: (f: number) => boolean): number => {
    if (node < 0) return s.leafValue[~node];
    const f = s.feature[node];
    if (inS(f)) {
      const v = x[f];
      const cat = (s.flags[node] & 2) !== 0;
      const left = cat
        ? v !== v ? (s.flags[node] & 1) !== 0 : (s.catBits[s.catStart[node] + (v >>> 5)] & (1 << (v & 31))) !== 0
        : v <= s.threshold[node] || (v !== v && (s.flags[node] & 1) !== 0);
      return expect_(left ? s.left[node] : s.right[node], inS);
    }
    return (cover(s.left[node]) * expect_(s.left[node], inS) + cover(s.right[node]) * expect_(s.right[node], inS)) / cover(node);
  };
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Array(F).fill(0);
  for (let mask = 0; mask < 1 << F; mask++) {
    const size = [...Array(F).keys()].filter((f) => mask & (1 << f)).length;
    const base = expect_(s.treeRoot[t], (f) => (mask & (1 << f)) !== 0);
    for (let f = 0; f < F; f++) {
      if (mask & (1 << f)) continue;
      const withF = expect_(s.treeRoot[t], (g) => g === f || (mask & (1 << g)) !== 0);
      phi[f] += ((fact(size) * fact(F - size - 1)) / fact(F)) * (withF - base);
    }
  }
  return phi;
}

describe("TreeSHAP", () => {
  it("gbdt binary / multiclass / regression: contributions + expected value = raw score within 1e-9", async () => {
    const { X, score } = matrix(600, 3);
    for (const nClasses of [0, 2, 3]) {
      const y = Float64Array.from(score, (v) => (nClasses === 0 ? v : nClasses === 2 ? (v > 0 ? 1 : 0) : v < -0.5 ? 0 : v < 0.7 ? 1 : 2));
      const fitted = await new GradientBoosting({ n_estimators: 40, max_depth: 5, max_cat_to_onehot: 2 }).fit({ X, y, nClasses, seed: 1 });
      const K = fitted.s.outputs;
      const e = fitted.explain(X);
      expect(e.features).toEqual(["a", "b", "c", "d"]);
      const raw = fitted.predictRaw(X);
      const got = sums(e.values, X.nRows, K, 4);
      let worst = 0;
      for (let j = 0; j < raw.length; j++) worst = Math.max(worst, Math.abs(got[j] - raw[j]));
      expect(worst).toBeLessThan(1e-9);
    }
  });

  it("a forest saved without node covers (an older artifact) refuses to explain with a ValidationError", async () => {
    const { X, score } = matrix(100, 6);
    const fitted = await new GradientBoosting({ n_estimators: 2 }).fit({ X, y: score, nClasses: 0, seed: 1 });
    const { cover: _c, leafCover: _l, ...old } = fitted.s.forest;
    expect(() => explainForest(old, X, 1, [0], "value")).toThrow(ValidationError);
  });

  it("random forest regression: contributions + expected value = the prediction within 1e-9", async () => {
    const { X, score } = matrix(300, 4);
    const fitted = await new RandomForest({ n_estimators: 8 }).fit({ X, y: score, nClasses: 0, seed: 2 });
    const e = fitted.explain(X);
    const pred = fitted.predict(X);
    const got = sums(e.values, X.nRows, 1, 4);
    for (let i = 0; i < X.nRows; i++) expect(Math.abs(got[i] - pred[i])).toBeLessThan(1e-9);
  });

  it("equals the Shapley values of the path-dependent expectation, enumerated over every coalition", async () => {
    const { X, score } = matrix(400, 5);
    const fitted = await new GradientBoosting({ n_estimators: 3, max_depth: 4, max_cat_to_onehot: 2 }).fit({ X, y: score, nClasses: 0, seed: 1 });
    const s = fitted.s.forest;
    for (const i of [0, 7, 13, 99]) {
      const one: FeatureMatrix = { nRows: 1, columns: X.columns.map((c) => (c.kind === "numeric" ? { ...c, values: c.values.slice(i, i + 1) } : { ...c, codes: c.codes.slice(i, i + 1) })) };
      const e = explainForest(s, one, 1, [0], "value");
      const x = X.columns.map((c) => (c.kind === "numeric" ? c.values[i] : c.codes[i] < 0 ? NaN : c.codes[i]));
      const want = [0, 0, 0, 0];
      for (let t = 0; t < s.treeRoot.length; t++) bruteForce(s, t, x, 4).forEach((v, f) => (want[f] += v));
      for (let f = 0; f < 4; f++) expect(e.values[f]).toBeCloseTo(want[f], 10);
    }
  });
});
