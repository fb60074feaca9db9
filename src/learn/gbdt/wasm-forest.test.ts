// The wasm forest walk against the JavaScript walk: the same raw scores to the last bit, for numeric and categorical
// trees, missing values, codes past a bitset, several outputs, and row counts that are not multiples of the lanes.
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import type { FeatureMatrix } from "../../features/matrix.js";
import { Rng } from "../rng.js";
import { GradientBoosting } from "./booster.js";
import { addForestScores } from "./forest.js";
import { WasmForest } from "./predict-pool.js";
import { workerScript } from "./threads.js";

function data(n: number, seed: number, k: number, withCat: boolean, missing: number): { X: FeatureMatrix; y: Float64Array } {
  const rng = new Rng(seed);
  const y = Float64Array.from({ length: n }, (_, i) => i % k);
  const a = Float64Array.from(y, (v) => v + rng.normal() * 0.8);
  const b = Float64Array.from(y, (v) => (rng.next() < missing ? NaN : rng.normal() - v * 0.5));
  // 70 levels: bitsets of three words, so some codes fall past a node's bitset
  const c = Int32Array.from(y, (v) => (rng.next() < missing ? -1 : (v * 17 + rng.int(20)) % 70));
  const columns: FeatureMatrix["columns"] = [
    { name: "a", kind: "numeric", values: a },
    { name: "b", kind: "numeric", values: b },
  ];
  if (withCat) columns.push({ name: "c", kind: "categorical", codes: c, levels: 70 });
  return { X: { nRows: n, columns }, y };
}

async function same(params: Record<string, unknown>, k: number, withCat: boolean, missing: number) {
  const { X, y } = data(3001, 4, k, withCat, missing);
  const fit = await new GradientBoosting({ n_estimators: 12, max_cat_to_onehot: 1, ...params }).fit({ X, y, nClasses: k, seed: 2 });
  const s = fit.s.forest;
  const K = fit.s.outputs;
  for (const rows of [3001, 517, 64, 9]) {
    // Codes past the training levels (and past every bitset) on some rows.
    const unseen = (codes: Int32Array) => Int32Array.from(codes.subarray(0, rows), (v, i) => (i % 13 === 5 ? 64 + (i % 300) : v));
    const Xs: FeatureMatrix = { nRows: rows, columns: X.columns.map((col) => (col.kind === "numeric" ? { ...col, values: col.values.subarray(0, rows) } : { ...col, codes: unseen(col.codes) })) };
    const want = Float64Array.from({ length: rows * K }, (_, i) => i * 0.001);
    const got = Float64Array.from(want);
    addForestScores(s, Xs, want);
    WasmForest.create(s, X.columns.length, K)!.addScores(Xs, got);
    expect([...got]).toEqual([...want]);
  }
  return s;
}

describe("WasmForest", () => {
  it("numeric trees without missing values", async () => {
    const s = await same({}, 2, false, 0);
    expect(s.flags.every((f) => (f & 2) === 0)).toBe(true);
  });
  it("numeric trees with missing values routed both ways", async () => {
    const s = await same({}, 2, false, 0.15);
    const defaults = new Set(Array.from(s.flags, (f) => f & 1));
    expect(defaults.size).toBe(2);
  });
  it("categorical trees, unseen and missing codes, three outputs", async () => {
    const s = await same({ max_depth: 4 }, 3, true, 0.1);
    expect(s.flags.some((f) => (f & 2) === 2)).toBe(true);
  });
  it("best-first trees of uneven depth", async () => {
    await same({ grow_policy: "lossguide", max_leaves: 9, max_depth: 0 }, 2, true, 0.05);
  });
  it("big batches shared with the prediction worker score the same (needs the dist/ build)", async (ctx) => {
    // CI (MILLRACE_REQUIRE_SERVICES=1) builds dist/ before the tests and has 2 cores: there this test fails, never skips.
    const why = !workerScript("predict-worker.js") ? "dist/learn/gbdt/predict-worker.js is missing (npm run build)"
      : availableParallelism() < 2 ? "one core: big batches are scored without the prediction worker" : null;
    if (why && process.env.MILLRACE_REQUIRE_SERVICES === "1") throw new Error(`${why} (MILLRACE_REQUIRE_SERVICES=1: CI must run this test)`);
    if (why) {
      console.warn(`skipping the prediction-worker test: ${why}`);
      return ctx.skip();
    }
    const { X, y } = data(30001, 5, 3, true, 0.05);
    const fit = await new GradientBoosting({ n_estimators: 8 }).fit({ X, y, nClasses: 3, seed: 3 });
    const want = new Float64Array(3 * X.nRows);
    addForestScores(fit.s.forest, X, want);
    const wasm = WasmForest.create(fit.s.forest, 3, 3)!;
    const before = WasmForest.workerJobs;
    // The worker starts on the first big batch and takes work once ready.
    for (let tries = 0; tries < 100 && WasmForest.workerJobs === before; tries++) {
      const got = new Float64Array(3 * X.nRows);
      wasm.addScores(X, got);
      expect([...got]).toEqual([...want]);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(WasmForest.workerJobs).toBeGreaterThan(before);
  });
});
