// The wasm histogram ops against the JavaScript: the same split (every field) from findBestSplit on random histograms
// (empty bins, missing slots, categoricals between numeric runs, feature masks, several settings), the same doubles
// from the subtraction.
import { describe, expect, it } from "vitest";
import { Rng } from "../rng.js";
import { wasmBackedHistOps } from "./hist-ops.js";
import { addHistogram, subtractHistogram } from "./histogram.js";
import { emptySplit, findBestSplit, type FeatureMeta, type SplitParams } from "./split-finder.js";
import { wasmApi } from "./wasm-asm.js";
import { wasmHistOps } from "./wasm-hist-ops.js";

const base: SplitParams = {
  lambda: 1, alpha: 0, minChildWeight: 1, minDataInLeaf: 0, minSplitGain: 0, maxDeltaStep: 0,
  catSmooth: 10, catL2: 10, maxCatThreshold: 64, maxCatToOnehot: 4, minDataPerGroup: 100,
};

function layout(rng: Rng, nFeatures: number): FeatureMeta {
  const nBins = Int32Array.from({ length: nFeatures }, () => 1 + Math.floor(rng.next() * 255));
  const isCat = Uint8Array.from({ length: nFeatures }, (_, f) => (f % 5 === 3 ? 1 : 0));
  const off = new Int32Array(nFeatures + 1);
  for (let f = 0; f < nFeatures; f++) off[f + 1] = off[f] + nBins[f] + 1;
  return { nFeatures, off, nBins, isCat };
}

/** A histogram of `rows` rows: each row in one bin per feature (missing with probability `missing`), some bins empty. */
function fill(hist: Float64Array, meta: FeatureMeta, rng: Rng, rows: number, missing: number): { G: number; H: number } {
  hist.fill(0);
  let G = 0;
  let H = 0;
  const g = Float64Array.from({ length: rows }, () => rng.normal());
  const h = Float64Array.from({ length: rows }, () => 0.05 + rng.next() * 0.2);
  for (let i = 0; i < rows; i++) (G += g[i]), (H += h[i]);
  for (let f = 0; f < meta.nFeatures; f++) {
    // Bins lo..lo+used-1 in use: empty bins before, between (sparse nodes) and after the used ones.
    const used = 1 + Math.floor(rng.next() * meta.nBins[f]);
    const lo = Math.floor(rng.next() * (meta.nBins[f] - used + 1));
    for (let i = 0; i < rows; i++) {
      const b = rng.next() < missing ? meta.nBins[f] : lo + Math.floor(rng.next() * used);
      hist[2 * (meta.off[f] + b)] += g[i];
      hist[2 * (meta.off[f] + b) + 1] += h[i];
    }
  }
  return { G, H };
}

describe("wasm histogram ops", () => {
  const mem = new wasmApi!.Memory({ initial: 64, maximum: 64, shared: true });
  const rng = new Rng(11);
  const meta = layout(rng, 23);
  const slots = meta.off[meta.nFeatures];
  const off = new Int32Array(mem.buffer, 0, meta.nFeatures + 1);
  off.set(meta.off);
  const out = new Float64Array(mem.buffer, 256, 8);
  const hist = new Float64Array(mem.buffer, 1024, 2 * slots);
  const other = new Float64Array(mem.buffer, 1024 + 16 * slots, 2 * slots);
  const diff = new Float64Array(mem.buffer, 1024 + 32 * slots, 2 * slots);
  const ops = wasmBackedHistOps(wasmHistOps(mem, true, off, out), mem.buffer);

  it("finds the split findBestSplit finds, field for field, over settings, masks, missing values and node sizes", () => {
    const settings: SplitParams[] = [
      base,
      { ...base, lambda: 0, minChildWeight: 0 },
      { ...base, minSplitGain: 3, lambda: 5 },
      { ...base, minChildWeight: 20 },
      { ...base, maxCatToOnehot: 64, catL2: 0, catSmooth: 0, minDataPerGroup: 0 },
      { ...base, alpha: 0.5 },
      { ...base, minDataInLeaf: 20 },
    ];
    let splits = 0;
    for (let trial = 0; trial < 168; trial++) {
      const p = settings[trial % settings.length];
      const rows = [3, 40, 400, 3000, 255, 256][trial % 6];
      const { G, H } = fill(hist, meta, rng, rows, [0, 0.1, 0.6][trial % 3]);
      const mask = trial % 5 === 4 ? Uint8Array.from({ length: meta.nFeatures }, () => (rng.next() < 0.5 ? 1 : 0)) : null;
      const want = emptySplit();
      const got = emptySplit();
      got.gain = 123;
      findBestSplit(hist, meta, mask, G, H, rows, p, want);
      ops.findSplit(hist, meta, mask, G, H, rows, p, got);
      expect(got).toEqual(want);
      if (want.feature >= 0) splits++;
    }
    expect(splits).toBeGreaterThan(60);
  });

  it("finds no split where findBestSplit finds none (one bin used, all-missing features)", () => {
    hist.fill(0);
    for (let f = 0; f < meta.nFeatures; f++) (hist[2 * (meta.off[f] + meta.nBins[f])] = -2), (hist[2 * (meta.off[f] + meta.nBins[f]) + 1] = 5);
    const got = emptySplit();
    ops.findSplit(hist, meta, null, -2, 5, 50, base, got);
    expect(got.feature).toBe(-1);
    expect(got.gain).toBe(0);
  });

  it("subtracts as subtractHistogram, bit for bit, and falls back to it outside the memory", () => {
    fill(hist, meta, rng, 500, 0.2);
    fill(other, meta, rng, 200, 0.2);
    for (let i = 0; i < other.length; i += 7) other[i] = -0;
    const want = new Float64Array(2 * slots);
    subtractHistogram(want, hist, other);
    ops.subtract(diff, hist, other);
    for (let i = 0; i < want.length; i++) if (!Object.is(diff[i], want[i])) throw new Error(`slot ${i}: ${diff[i]} vs ${want[i]}`);
    const outside = new Float64Array(2 * slots);
    ops.subtract(outside, hist, other);
    expect(outside).toEqual(want);
  });

  it("accumulates as addHistogram, bit for bit, and falls back to it outside the memory", () => {
    fill(hist, meta, rng, 500, 0.2);
    fill(other, meta, rng, 200, 0.2);
    for (let i = 0; i < other.length; i += 7) other[i] = -0;
    for (let i = 3; i < hist.length; i += 11) hist[i] = -0;
    const want = hist.slice();
    addHistogram(want, other);
    diff.set(hist);
    ops.accumulate(diff, other);
    for (let i = 0; i < want.length; i++) if (!Object.is(diff[i], want[i])) throw new Error(`slot ${i}: ${diff[i]} vs ${want[i]}`);
    expect(want).not.toEqual(hist);
    const outside = hist.slice();
    ops.accumulate(outside, other);
    expect(outside).toEqual(want);
  });
});
