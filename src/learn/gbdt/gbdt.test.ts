// Tests of the GBDT pieces (binning, histograms, splits) and of the booster on toy sets with known answers.
import { describe, expect, it } from "vitest";
import type { FeatureMatrix } from "../../features/matrix.js";
import { Rng } from "../rng.js";
import { binColumns, binOf, fitBinMapper } from "./binning.js";
import { FittedGBDT, GradientBoosting } from "./booster.js";
import { buildDense, buildRows, histogramKernel, partitionRows, subtractHistogram } from "./histogram.js";
import { workerScript } from "./threads.js";
import { gatherBytes, wasmApi, wasmRowKernels } from "./wasm-kernel.js";

const num = (name: string, v: number[]) => ({ name, kind: "numeric" as const, values: Float64Array.from(v) });
const one = { n_estimators: 1, learning_rate: 1, reg_lambda: 0, min_child_weight: 0, max_depth: 1 };

describe("binning", async () => {
  it("few distinct values: one bin each, cuts at midpoints; NaN to the missing bin", async () => {
    const m = fitBinMapper(num("x", [3, 1, 2, 2, NaN]), 255, 1000, 0);
    if (m.kind !== "numeric") throw new Error("numeric expected");
    expect([...m.cuts]).toEqual([1.5, 2.5]);
    expect([binOf(m, 1), binOf(m, 2), binOf(m, 3), binOf(m, 99), binOf(m, NaN)]).toEqual([0, 1, 2, 2, 3]);
  });
  it("many values: at most maxBins bins of about equal size; a heavy value keeps its own bin", async () => {
    const v = Array.from({ length: 10000 }, (_, i) => (i < 3000 ? 0 : i));
    const m = fitBinMapper(num("x", v), 16, 100000, 0);
    expect(m.nBins).toBeLessThanOrEqual(16);
    const counts = new Array(m.nBins + 1).fill(0);
    for (const x of v) counts[binOf(m, x)]++;
    expect(counts[0]).toBe(3000);
    expect(Math.max(...counts.slice(1, m.nBins))).toBeLessThan(800);
  });
  it("the branch-free column binning agrees with binOf, ties and NaN included", async () => {
    const rng = new Rng(8);
    const v = Array.from({ length: 5000 }, (_, i) => (i % 97 === 0 ? NaN : Math.round(rng.normal() * 50) / 10));
    const col = num("x", v);
    const m = fitBinMapper(col, 255, 100000, 0);
    const cols = binColumns({ nRows: v.length, columns: [col] }, [m]);
    for (let i = 0; i < v.length; i++) expect(cols[i]).toBe(binOf(m, v[i]));
    if (m.kind === "numeric") for (const c of m.cuts) expect(cols[0] >= 0 && binOf(m, c) <= binOf(m, c + 1e-9)).toBe(true);
  });
  it("categoricals beyond maxBins: the most frequent keep bins, the rest share one", async () => {
    const codes = Int32Array.from([0, 0, 0, 1, 1, 2, 3, -1]);
    const m = fitBinMapper({ name: "c", kind: "categorical", codes, levels: 4 }, 3, 1000, 0);
    expect([binOf(m, 0), binOf(m, 1), binOf(m, 2), binOf(m, 3), binOf(m, -1)]).toEqual([0, 1, 2, 2, 3]);
  });
  it("the column binning of categoricals agrees with binOf (missing, folded and out-of-range codes)", async () => {
    const codes = Int32Array.from({ length: 400 }, (_, i) => (i % 13 === 0 ? -1 : i % 17 === 0 ? 9 : i % 5));
    const col = { name: "c", kind: "categorical" as const, codes, levels: 5 };
    const m = fitBinMapper(col, 3, 1000, 0);
    const bins = binColumns({ nRows: codes.length, columns: [col] }, [m]);
    for (let i = 0; i < codes.length; i++) expect(bins[i]).toBe(binOf(m, codes[i]));
    expect(new Set(bins).size).toBe(4);
  });
});

describe("histogram", async () => {
  it("sums per bin, and parent - child = sibling", async () => {
    const bins = Uint8Array.from([0, 1, 1, 0, 1, 1]); // 3 rows x 2 features
    const off = Int32Array.from([0, 3, 6]);
    const gh = Float32Array.from([1, 1, 2, 1, 4, 1]);
    const all = new Float64Array(12);
    const buildHistogram = (h: Float64Array, b: Uint8Array, _f: number, o: Int32Array, g: Float32Array, rows: Uint32Array, s: number, e: number) =>
      buildRows(histogramKernel(2, o), h, b, g, rows, s, e);
    buildHistogram(all, bins, 2, off, gh, Uint32Array.from([0, 1, 2]), 0, 3);
    expect(all[0]).toBe(1); // f0 bin0: row 0
    expect(all[2]).toBe(6); // f0 bin1: rows 1, 2
    expect(all[2 * 4]).toBe(5); // f1 bin1: rows 0, 2 -> 1 + 4
    const child = new Float64Array(12);
    buildHistogram(child, bins, 2, off, gh, Uint32Array.from([2]), 0, 1);
    const sib = new Float64Array(12);
    subtractHistogram(sib, all, child);
    const direct = new Float64Array(12);
    buildHistogram(direct, bins, 2, off, gh, Uint32Array.from([0, 1]), 0, 2);
    expect([...sib]).toEqual([...direct]);
  });
  it("the generated kernel equals a plain loop, dense or indexed, for many features (blocks of 32)", async () => {
    const rng = new Rng(2);
    const n = 300;
    const F = 70;
    const nb = Array.from({ length: F }, () => 1 + rng.int(20));
    const off = new Int32Array(F + 1);
    for (let f = 0; f < F; f++) off[f + 1] = off[f] + nb[f] + 1;
    const bins = new Uint8Array(n * F);
    for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) bins[r * F + f] = rng.int(nb[f] + 1);
    const gh = Float32Array.from({ length: 2 * n }, () => rng.normal());
    const rows = Uint32Array.from({ length: n }, (_, i) => i).filter(() => rng.next() < 0.5);
    const want = new Float64Array(2 * off[F]);
    for (const r of rows) for (let f = 0; f < F; f++) (want[2 * (off[f] + bins[r * F + f])] += gh[2 * r]), (want[2 * (off[f] + bins[r * F + f]) + 1] += gh[2 * r + 1]);
    const k = histogramKernel(F, off);
    const got = new Float64Array(2 * off[F]).fill(7);
    buildRows(k, got, bins, gh, rows, 0, rows.length);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 9);
    const dense = new Float64Array(2 * off[F]);
    buildDense(k, dense, bins, gh, 0, n);
    let total = 0;
    for (let s = off[5]; s < off[6]; s++) total += dense[2 * s + 1];
    let direct = 0;
    for (let r = 0; r < n; r++) direct += gh[2 * r + 1];
    expect(total).toBeCloseTo(direct, 9);
  });
  // Row widths around the wasm gather's copy sizes (bytes, 4/8/16-byte moves, overlapped tails); odd row counts.
  for (const F of [1, 3, 5, 9, 16, 17, 28, 70]) {
    it(`the wasm kernels equal the JS ones bit for bit (${F} features): histograms dense and over rows, partitions`, async () => {
      const rng = new Rng(F);
      const n = 301;
      const nb = Array.from({ length: F }, () => 1 + rng.int(40));
      const off = new Int32Array(F + 1);
      for (let f = 0; f < F; f++) off[f + 1] = off[f] + nb[f] + 1;
      const slots = off[F];
      const mem = new wasmApi!.Memory({ initial: 4, maximum: 4, shared: false });
      let at = 0;
      const place = <T>(make: (o: number) => T, bytes: number): T => {
        const v = make(at);
        at += Math.ceil(bytes / 64) * 64;
        return v;
      };
      const bins = place((o) => new Uint8Array(mem.buffer, o, n * F), n * F);
      const col = place((o) => new Uint8Array(mem.buffer, o, n), n);
      const gh = place((o) => new Float32Array(mem.buffer, o, 2 * n), 8 * n);
      const rows = place((o) => new Uint32Array(mem.buffer, o, n), 4 * n);
      const scratch = place((o) => new Uint32Array(mem.buffer, o, n), 4 * n);
      const table = place((o) => new Uint8Array(mem.buffer, o, 257), 257);
      const hist = place((o) => new Float64Array(mem.buffer, o, 2 * slots), 16 * slots);
      const gather = place((o) => new Uint8Array(mem.buffer, o, gatherBytes(F)), gatherBytes(F));
      for (let r = 0; r < n; r++) for (let f = 0; f < F; f++) bins[r * F + f] = rng.int(nb[f] + 1);
      for (let i = 0; i < 2 * n; i++) gh[i] = rng.normal();
      const subset = Uint32Array.from({ length: n }, (_, i) => i).filter(() => rng.next() < 0.6);
      rows.set(subset);
      const js = histogramKernel(F, off);
      const wk = wasmRowKernels(F, off, mem, false, hist, gather);
      for (const [s, e] of [[0, subset.length], [3, 4], [5, 5], [1, subset.length - 2]]) {
        const want = new Float64Array(2 * slots);
        buildRows(js, want, bins, gh, rows, s, e);
        const got = new Float64Array(2 * slots).fill(7);
        buildRows(wk, got, bins, gh, rows, s, e);
        expect([...got]).toEqual([...want]);
      }
      const dense = new Float64Array(2 * slots);
      buildDense(js, dense, bins, gh, 2, n);
      const viaWasm = new Float64Array(2 * slots);
      buildDense(wk, viaWasm, bins, gh, 2, n);
      expect([...viaWasm]).toEqual([...dense]);
      // Partitions: same split as the JS loop, rows outside [s, e) untouched.
      for (let i = 0; i < n; i++) col[i] = rng.int(nb[0] + 1);
      for (let b = 0; b < 257; b++) table[b] = rng.next() < 0.5 ? 1 : 0;
      const jsRows = Uint32Array.from(rows);
      const jsScratch = new Uint32Array(n);
      const s = 2;
      const e = subset.length - 1;
      const lj = partitionRows(jsRows, jsScratch, col, table, s, e);
      const lw = wk.partition(rows, scratch, col, table, s, e);
      expect(lw).toBe(lj);
      expect([...rows]).toEqual([...jsRows]);
      for (let p = s; p < e; p++) expect(table[col[rows[p]]]).toBe(p < lw ? 1 : 0);
    });
  }
  it("fits the same model with the wasm and the JS kernel", async () => {
    const { X, y } = blobs(2000, 12, 2);
    const js = await new GradientBoosting({ n_estimators: 10, histogram_kernel: "js" }).fit({ X, y, nClasses: 2, seed: 1 });
    const wa = await new GradientBoosting({ n_estimators: 10, histogram_kernel: "wasm" }).fit({ X, y, nClasses: 2, seed: 1 });
    expect([...wa.predict(X)]).toEqual([...js.predict(X)]);
  });
});

describe("GradientBoosting on toy sets with known answers", async () => {
  it("a single split: threshold between 3 and 4, leaf values -0.5 / +0.5 around the mean", async () => {
    const X: FeatureMatrix = { nRows: 6, columns: [num("x", [1, 2, 3, 4, 5, 6])] };
    const fit = await new GradientBoosting(one).fit({ X, y: Float64Array.from([0, 0, 0, 1, 1, 1]), nClasses: 0, seed: 0 });
    const f = fit.s.forest;
    expect(f.threshold[0]).toBe(3.5);
    expect(fit.s.baseScore[0]).toBe(0.5);
    expect([...f.leafValue]).toEqual([-0.5, 0.5]);
    expect([...fit.predict(X)]).toEqual([0, 0, 0, 1, 1, 1]);
  });
  it("learns where missing values go", async () => {
    const X: FeatureMatrix = { nRows: 6, columns: [num("x", [1, 2, 3, NaN, NaN, 6])] };
    const y = Float64Array.from([0, 0, 0, 1, 1, 1]);
    const fit = await new GradientBoosting(one).fit({ X, y, nClasses: 0, seed: 0 });
    expect([...fit.predict(X)]).toEqual([0, 0, 0, 1, 1, 1]);
    const q: FeatureMatrix = { nRows: 1, columns: [num("x", [NaN])] };
    expect(fit.predict(q)[0]).toBe(1);
  });
  it("a categorical many-vs-many split in one node, unseen code -> the default side", async () => {
    const codes = Int32Array.from({ length: 100 }, (_, i) => i % 5);
    const X: FeatureMatrix = { nRows: 100, columns: [{ name: "c", kind: "categorical", codes, levels: 5 }] };
    const y = Float64Array.from(codes, (c) => (c === 0 || c === 2 || c === 4 ? 1 : 0));
    const fit = await new GradientBoosting({ ...one, max_cat_to_onehot: 1, cat_smooth: 0, cat_l2: 0, min_data_per_group: 1 }).fit({ X, y, nClasses: 0, seed: 0 });
    const p = fit.predict(X);
    for (let i = 0; i < 100; i++) expect(p[i]).toBeCloseTo(y[i], 6); // float32 gradients
    expect(fit.s.forest.flags[0] & 2).toBe(2);
    const unseen = fit.predict({ nRows: 1, columns: [{ name: "c", kind: "categorical", codes: Int32Array.of(-1), levels: 5 }] });
    expect([0, 1].some((v) => Math.abs(unseen[0] - v) < 1e-6)).toBe(true);
  });
  it("respects max_leaves and max_depth", async () => {
    const rng = new Rng(1);
    const x = Array.from({ length: 500 }, () => rng.next());
    const X: FeatureMatrix = { nRows: 500, columns: [num("x", x)] };
    const y = Float64Array.from(x, (v) => Math.sin(10 * v));
    const a = await new GradientBoosting({ n_estimators: 1, max_leaves: 5, max_depth: 0, min_child_weight: 0 }).fit({ X, y, nClasses: 0, seed: 0 });
    expect(a.s.forest.leafValue.length).toBe(5);
    const b = await new GradientBoosting({ n_estimators: 1, max_leaves: 100, max_depth: 2 }).fit({ X, y, nClasses: 0, seed: 0 });
    expect(b.s.forest.leafValue.length).toBe(4);
  });
});

function blobs(n: number, seed: number, k: number): { X: FeatureMatrix; y: Float64Array } {
  const rng = new Rng(seed);
  const y = new Float64Array(n);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const c = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % k;
    a[i] = y[i] + rng.normal() * 0.8;
    b[i] = rng.next() < 0.1 ? NaN : rng.normal() - y[i] * 0.5;
    c[i] = (y[i] + (rng.next() < 0.3 ? 1 : 0)) % 4;
  }
  return { X: { nRows: n, columns: [{ name: "a", kind: "numeric", values: a }, { name: "b", kind: "numeric", values: b }, { name: "c", kind: "categorical", codes: c, levels: 4 }] }, y };
}

describe("GradientBoosting behaviour", async () => {
  it("binary: deterministic for a seed, with and without subsampling", async () => {
    const { X, y } = blobs(600, 3, 2);
    const params = { n_estimators: 20, subsample: 0.7, colsample_bytree: 0.67 };
    const p1 = (await new GradientBoosting(params).fit({ X, y, nClasses: 2, seed: 9 })).predict(X);
    const p2 = (await new GradientBoosting(params).fit({ X, y, nClasses: 2, seed: 9 })).predict(X);
    const p3 = (await new GradientBoosting(params).fit({ X, y, nClasses: 2, seed: 10 })).predict(X);
    expect([...p1]).toEqual([...p2]);
    expect([...p1]).not.toEqual([...p3]);
  });
  it("multiclass probabilities sum to one and beat the prior", async () => {
    const { X, y } = blobs(900, 4, 3);
    const fit = await new GradientBoosting({ n_estimators: 30 }).fit({ X, y, nClasses: 3, seed: 0 });
    const p = fit.predict(X);
    let correct = 0;
    for (let i = 0; i < 900; i++) {
      expect(p[3 * i] + p[3 * i + 1] + p[3 * i + 2]).toBeCloseTo(1, 12);
      const best = [0, 1, 2].reduce((m, c) => (p[3 * i + c] > p[3 * i + m] ? c : m), 0);
      if (best === y[i]) correct++;
    }
    expect(correct / 900).toBeGreaterThan(0.7);
  });
  it("early stopping keeps the best prefix of rounds", async () => {
    const { X, y } = blobs(600, 5, 2);
    const fit = await new GradientBoosting({ n_estimators: 500, learning_rate: 0.3, early_stopping_rounds: 5 }).fit({ X, y, nClasses: 2, seed: 0 });
    expect(fit.s.bestIteration).toBeLessThan(500);
    expect(fit.s.forest.treeRoot.length).toBe(fit.s.bestIteration);
    const again = new FittedGBDT(fit.s);
    expect([...again.predict(X)]).toEqual([...fit.predict(X)]);
  });
  it("a constant column is never split on; importance names the useful column", async () => {
    const { X, y } = blobs(300, 6, 2);
    X.columns.push(num("k", new Array(300).fill(7)));
    const fit = await new GradientBoosting({ n_estimators: 10 }).fit({ X, y, nClasses: 2, seed: 0 });
    const imp = fit.importance("split");
    expect(imp.k).toBe(0);
    expect(imp.a).toBeGreaterThan(0);
    expect(Object.keys(fit.importance("gain"))).toEqual(["a", "b", "c", "k"]);
  });
  it("sample weights matter: zero-weight rows are ignored", async () => {
    const X: FeatureMatrix = { nRows: 4, columns: [num("x", [1, 2, 3, 4])] };
    const y = Float64Array.from([0, 0, 10, 10]);
    const w = Float64Array.from([1, 1, 0, 0]);
    const fit = await new GradientBoosting({ n_estimators: 1 }).fit({ X, y, nClasses: 0, seed: 0, weights: w });
    expect(fit.s.baseScore[0]).toBe(0);
  });
});

describe("growth policies", () => {
  it("level by level and best-first make the same trees when the leaf limit cannot bind", async () => {
    const { X, y } = blobs(3000, 21, 3);
    const level = await new GradientBoosting({ n_estimators: 8, max_depth: 4, max_leaves: 16 }).fit({ X, y, nClasses: 3, seed: 2 });
    const leaf = await new GradientBoosting({ n_estimators: 8, max_depth: 4, max_leaves: 16, grow_policy: "lossguide" }).fit({ X, y, nClasses: 3, seed: 2 });
    expect(level.s.forest.leafValue.length).toBe(leaf.s.forest.leafValue.length);
    expect([...level.predict(X)]).toEqual([...leaf.predict(X)]);
  });
});

// The shard worker runs as JavaScript: from dist/ when the tests run on src/. npm test builds dist/ first; run
// alone, this fails loudly instead of skipping (a skipped thread test once hid a broken worker).
describe("GradientBoosting on two threads (worker_threads + SharedArrayBuffer)", () => {
  it("has its worker script (build dist/ with npx tsc -p tsconfig.build.json)", () => {
    expect(workerScript(), "dist/learn/gbdt/shard-worker.js is missing: build it (npx tsc -p tsconfig.build.json)").not.toBeNull();
  });
  it("makes the one-thread fit exactly, for binary, multiclass with sampling, and early stopping", async () => {
    const { X, y } = blobs(30000, 11, 3);
    for (const params of [{ n_estimators: 15 }, { n_estimators: 5, grow_policy: "lossguide" }, { n_estimators: 10, subsample: 0.8, colsample_bytree: 0.67 }, { n_estimators: 40, early_stopping_rounds: 3, learning_rate: 0.5 }]) {
      const one = await new GradientBoosting({ ...params, n_threads: 1 }).fit({ X, y, nClasses: 3, seed: 4 });
      const two = await new GradientBoosting({ ...params, n_threads: 2 }).fit({ X, y, nClasses: 3, seed: 4 });
      expect(two.s.forest.treeRoot.length).toBe(one.s.forest.treeRoot.length);
      // Work is claimed by whichever thread is free, but sums run in shard order: the very same trees.
      expect([...two.s.forest.leafValue]).toEqual([...one.s.forest.leafValue]);
      expect([...two.s.forest.threshold]).toEqual([...one.s.forest.threshold]);
      expect([...two.predict(X)]).toEqual([...one.predict(X)]);
    }
  });
});
