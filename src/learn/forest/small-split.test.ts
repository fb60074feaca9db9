// A small node's split from its occupied bins is findBestSplit's, field for field (numeric and categorical
// features, missing values, masks, ties of equal gain, min_child_weight).
import { describe, expect, it } from "vitest";
import { emptySplit, findBestSplit, type FeatureMeta, type SplitParams } from "../gbdt/split-finder.js";
import { Rng } from "../rng.js";
import { SmallSplitter } from "./small-split.js";

const params = (minChildWeight: number): SplitParams => ({
  lambda: 0, alpha: 0, minChildWeight, minDataInLeaf: 0, minSplitGain: 0, maxDeltaStep: 0,
  catSmooth: 1, catL2: 0, maxCatThreshold: 64, maxCatToOnehot: 4, minDataPerGroup: 0,
});

describe("SmallSplitter", () => {
  it("finds findBestSplit's split over 2,000 random small nodes", () => {
    const rng = new Rng(9);
    const nBins = Int32Array.of(255, 40, 6, 255, 3);
    const isCat = Uint8Array.of(0, 0, 1, 0, 1);
    const off = new Int32Array(6);
    for (let f = 0; f < 5; f++) off[f + 1] = off[f] + nBins[f] + 1;
    const meta: FeatureMeta = { nFeatures: 5, off, nBins, isCat };
    const n = 500;
    const binsT = new Uint8Array(5 * n);
    for (let f = 0; f < 5; f++) for (let i = 0; i < n; i++) binsT[f * n + i] = rng.next() < 0.1 ? nBins[f] : rng.int(f === 3 ? 4 : nBins[f]);
    const y = Float64Array.from({ length: n }, () => Math.round(rng.normal() * 4));
    const small = new SmallSplitter(meta);
    let splits = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const count = 2 + rng.int(trial % 2 ? 12 : 150);
      const rows = Uint32Array.from({ length: count }, () => rng.int(n));
      const mask = Uint8Array.from({ length: 5 }, () => (rng.next() < 0.7 ? 1 : 0));
      const hist = new Float64Array(2 * off[5]);
      let G = 0;
      let H = 0;
      for (const r of rows) {
        const w = 1 + rng.int(2);
        for (let f = 0; f < 5; f++) (hist[2 * (off[f] + binsT[f * n + r])] += -w * y[r]), (hist[2 * (off[f] + binsT[f * n + r]) + 1] += w);
        (G += -w * y[r]), (H += w);
      }
      const p = params(trial % 3 === 0 ? 3 : 1);
      const want = emptySplit();
      findBestSplit(hist, meta, mask, G, H, count, p, want);
      const got = emptySplit();
      small.find(hist, binsT, n, rows, 0, count, mask, G, H, p, got);
      expect(got).toEqual(want);
      if (want.feature >= 0) splits++;
    }
    expect(splits).toBeGreaterThan(1000);
  });
});
