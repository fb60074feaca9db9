// Categorical columns with more than 255 bins (Uint16 bins, wide-columns.ts): one split separates the right levels of
// 1,000, the feature order maps back to the input columns, every prediction path agrees, threads and kernels agree,
// validation rows are binned the same way, and a model survives save/load.
import { describe, expect, it } from "vitest";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { Frame } from "../../records.js";
import { Rng } from "../rng.js";
import { loadModel, trainCandidate } from "../train.js";
import { fitBinMapper } from "./binning.js";
import { GradientBoosting } from "./booster.js";
import { addForestScores, compileForest } from "./forest.js";
import { WasmForest } from "./predict-pool.js";
import { workerScript } from "./threads.js";

const LEVELS = 1000;
/** Level c is "good" by a rule unrelated to its code's frequency order: a split must pick these levels by name. */
const good = (c: number): boolean => (c * 7919) % 13 < 5;

/** A 1,000-level categorical `c` (20 rows a level, some missing) before a numeric column, and a target of `c` alone. */
function data(n: number, seed: number): { X: FeatureMatrix; y: Float64Array } {
  const rng = new Rng(seed);
  const codes = Int32Array.from({ length: n }, (_, i) => (i % 997 === 3 ? -1 : (i * 31) % LEVELS));
  const noise = Float64Array.from({ length: n }, () => rng.normal());
  const y = Float64Array.from(codes, (c) => (c >= 0 && good(c) ? 1 : 0));
  return { X: { nRows: n, columns: [{ name: "c", kind: "categorical", codes, levels: LEVELS }, { name: "x", kind: "numeric", values: noise }] }, y };
}

const oneSplit = { n_estimators: 1, learning_rate: 1, reg_lambda: 0, min_child_weight: 0, max_depth: 1, cat_smooth: 0, cat_l2: 0, min_data_per_group: 1, max_cat_threshold: LEVELS };

describe("wide categorical columns", () => {
  it("bins: one per level up to max_cat_bins, the most frequent kept beyond it", () => {
    const { X } = data(20000, 1);
    const col = X.columns[0];
    expect(fitBinMapper(col, 255, 200000, 0, null, 4096).nBins).toBe(LEVELS);
    expect(fitBinMapper(col, 255, 200000, 0).nBins).toBe(255);
    expect(fitBinMapper(col, 255, 200000, 0, null, 600).nBins).toBe(600);
  });

  it("one split sends exactly the right levels of 1,000 left; with byte bins (max_cat_bins 255) it cannot", async () => {
    const { X, y } = data(20000, 1);
    const fit = await new GradientBoosting(oneSplit).fit({ X, y, nClasses: 0, seed: 0 });
    const f = fit.s.forest;
    expect(f.feature[0]).toBe(0); // fitted last internally, mapped back to input column 0
    expect(f.flags[0] & 2).toBe(2);
    const p = fit.predict(X);
    for (let i = 0; i < X.nRows; i++) if (X.columns[0].kind === "categorical" && X.columns[0].codes[i] >= 0) expect(p[i]).toBeCloseTo(y[i], 5);
    const narrow = await new GradientBoosting({ ...oneSplit, max_cat_bins: 255 }).fit({ X, y, nClasses: 0, seed: 0 });
    const q = narrow.predict(X);
    let wrong = 0;
    for (let i = 0; i < X.nRows; i++) wrong += Math.abs(q[i] - y[i]) > 0.1 ? 1 : 0;
    expect(wrong).toBeGreaterThan(1000);
  });

  it("the walked, compiled and wasm forests score the same, unseen and missing codes included", async () => {
    const { X, y } = data(6000, 2);
    const fit = await new GradientBoosting({ n_estimators: 20, max_depth: 4 }).fit({ X, y, nClasses: 2, seed: 3 });
    const s = fit.s.forest;
    const c = X.columns[0];
    if (c.kind !== "categorical") throw new Error("categorical expected");
    const codes = Int32Array.from(c.codes, (v, i) => (i % 17 === 0 ? LEVELS + i : i % 19 === 0 ? -1 : v));
    const Xs: FeatureMatrix = { nRows: X.nRows, columns: [{ ...c, codes, levels: LEVELS + X.nRows }, X.columns[1]] };
    const walked = new Float64Array(X.nRows);
    addForestScores(s, Xs, walked);
    const compiled = new Float64Array(X.nRows);
    addForestScores(s, Xs, compiled, compileForest(s, 2));
    const wasm = new Float64Array(X.nRows);
    WasmForest.create(s, 2, 1)!.addScores(Xs, wasm);
    expect([...compiled]).toEqual([...walked]);
    expect([...wasm]).toEqual([...walked]);
  });

  it("the JS and wasm kernels, and one and two threads, fit the same trees", async () => {
    expect(workerScript(), "dist/learn/gbdt/shard-worker.js is missing: build it (npx tsc -p tsconfig.build.json)").not.toBeNull();
    const { X, y } = data(40000, 4);
    const params = { n_estimators: 6, max_depth: 5 };
    const js = await new GradientBoosting({ ...params, histogram_kernel: "js", n_threads: 1 }).fit({ X, y, nClasses: 2, seed: 1 });
    const wa = await new GradientBoosting({ ...params, histogram_kernel: "wasm", n_threads: 1 }).fit({ X, y, nClasses: 2, seed: 1 });
    const two = await new GradientBoosting({ ...params, histogram_kernel: "wasm", n_threads: 2 }).fit({ X, y, nClasses: 2, seed: 1 });
    expect([...wa.s.forest.leafValue]).toEqual([...js.s.forest.leafValue]);
    expect([...two.s.forest.leafValue]).toEqual([...js.s.forest.leafValue]);
    expect([...two.s.forest.catBits]).toEqual([...js.s.forest.catBits]);
  });

  it("column sampling (colsample_bytree < 1) covers the wide columns too: it fits, and trees split on both columns", async () => {
    const { X, y } = data(20000, 7); // 20 rows a level: enough for a categorical split (6 are not)
    const fit = await new GradientBoosting({ n_estimators: 30, max_depth: 2, colsample_bytree: 0.5, max_cat_threshold: LEVELS }).fit({ X, y, nClasses: 0, seed: 2 });
    const used = new Set(fit.s.forest.feature);
    expect(used.has(0)).toBe(true); // the wide column, fitted last, mapped back to input column 0
    expect(used.has(1)).toBe(true);
  });

  it("validation rows are binned like the training rows: the last round's validation loss is the model's", async () => {
    const { X, y } = data(30000, 5);
    const v = data(5000, 6);
    const rounds: Record<string, number>[] = [];
    const fit = await new GradientBoosting({ n_estimators: 8, max_depth: 3, early_stopping_rounds: 100, max_cat_threshold: LEVELS }).fit({
      X, y, nClasses: 0, seed: 0, valid: { X: v.X, y: v.y }, onRound: (_r: number, m: Record<string, number>) => void rounds.push(m),
    });
    const p = fit.predict(v.X);
    let sse = 0;
    for (let i = 0; i < v.X.nRows; i++) sse += (p[i] - v.y[i]) ** 2;
    expect(rounds.length).toBe(8);
    expect(fit.s.bestIteration).toBe(8); // every round improved: the model is all 8 trees
    expect(rounds[7].valid_squared_error).toBeLessThan(rounds[0].valid_squared_error * 0.7);
    expect(rounds[7].valid_squared_error).toBeCloseTo(sse / v.X.nRows / 2, 9);
  });

  it("a trained model with a 1,000-level column saves and loads to the same predictions", async () => {
    const n = 30000;
    const rng = new Rng(9);
    const ids = Array.from({ length: n }, (_, i) => `id${(i * 31) % LEVELS}`);
    const x = Float64Array.from({ length: n }, () => rng.normal());
    const y = Float64Array.from(ids, (s, i) => (good(Number(s.slice(2))) ? 2 : 0) + 0.1 * x[i]);
    const frame: Frame = { rowCount: n, columns: [{ name: "id", kind: "categorical", values: ids }, { name: "x", kind: "numeric", values: x }, { name: "y", kind: "numeric", values: y }] };
    const r = await trainCandidate({ frame, target: "y", features: ["id", "x"], task: "regression", testRows: Uint32Array.from({ length: n / 7 }, (_, i) => 7 * i), cvFolds: 0, seed: 1, candidate: { name: "gbdt", model: "gbdt", params: { n_estimators: 50, max_cat_threshold: LEVELS } } });
    const out = r.model.predictFrame(frame);
    expect(loadModel(r.model.toBytes()).predictFrame(frame)).toEqual(out);
    expect(r.testMetrics.rmse).toBeLessThan(0.3); // the id column was used (a constant model: ~0.95)
  });
});
