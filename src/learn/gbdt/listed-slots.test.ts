// Listed histograms (listed-slots.ts) give the splits and the models of whole ones, bit for bit.
import { describe, expect, it } from "vitest";
import type { FeatureMatrix } from "../../features/matrix.js";
import { Rng } from "../rng.js";
import { GradientBoosting } from "./booster.js";
import { listedCount, setListMax } from "./listed-slots.js";
import { emptySplit, findBestSplit, findBestSplitListed, type FeatureMeta, type SplitParams } from "./split-finder.js";

const params: SplitParams = {
  lambda: 1, alpha: 0, minChildWeight: 1, minDataInLeaf: 0, minSplitGain: 0, maxDeltaStep: 0,
  catSmooth: 0, catL2: 0, maxCatThreshold: 16, maxCatToOnehot: 2, minDataPerGroup: 1,
};

describe("findBestSplitListed", () => {
  it("equals the whole scan of the same histogram, whatever the unlisted slots hold", () => {
    const rng = new Rng(3);
    const nBins = Int32Array.from([40, 7, 255, 12, 3]);
    const isCat = Uint8Array.from([0, 1, 0, 1, 0]);
    const off = new Int32Array(nBins.length + 1);
    for (let f = 0; f < nBins.length; f++) off[f + 1] = off[f] + nBins[f] + 1;
    const meta: FeatureMeta = { nFeatures: nBins.length, off, nBins, isCat };
    const slots = off[nBins.length];
    let splits = 0;
    for (let trial = 0; trial < 200; trial++) {
      // A node's histogram: each feature's bins of 20 rows (missing ones included), the rest zero.
      const whole = new Float64Array(2 * slots);
      const rows = 5 + Math.floor(rng.next() * 30);
      for (let r = 0; r < rows; r++) {
        const g = rng.normal();
        const h = 0.05 + rng.next();
        for (let f = 0; f < nBins.length; f++) {
          const s = off[f] + Math.floor(rng.next() * (nBins[f] + 1));
          whole[2 * s] += g;
          whole[2 * s + 1] += h;
        }
      }
      let G = 0;
      let H = 0;
      for (let s = off[0]; s < off[1]; s++) (G += whole[2 * s]), (H += whole[2 * s + 1]);
      const list = new Int32Array(slots + 3);
      let n = 0;
      for (let s = 0; s < slots; s++) if (whole[2 * s] !== 0 || whole[2 * s + 1] !== 0 || rng.next() < 0.05) list[3 + n++] = s;
      const listed = whole.map((v, i) => (list.subarray(3, 3 + n).includes(i >> 1) ? v : rng.normal() * 1e3));
      const p = { ...params, minChildWeight: trial % 2 ? 1 : 0.01 };
      const a = emptySplit();
      const b = emptySplit();
      findBestSplit(whole, meta, trial % 3 ? null : Uint8Array.from([1, 1, 0, 1, 1]), G, H, rows, p, a);
      findBestSplitListed(listed, list, 3, n, meta, trial % 3 ? null : Uint8Array.from([1, 1, 0, 1, 1]), G, H, rows, p, b);
      expect(b).toEqual(a);
      if (a.feature >= 0) splits++;
    }
    expect(splits).toBeGreaterThan(100);
  });
});

describe("listed histograms in a fit", () => {
  const n = 3000;
  const rng = new Rng(11);
  const columns: FeatureMatrix["columns"] = [];
  for (let f = 0; f < 8; f++) {
    columns.push({ name: `x${f}`, kind: "numeric", values: Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? NaN : rng.normal())) });
  }
  columns.push({ name: "c", kind: "categorical", codes: Int32Array.from({ length: n }, () => (rng.next() < 0.05 ? -1 : Math.floor(rng.next() * 30))), levels: 30 });
  const X: FeatureMatrix = { nRows: n, columns };
  const v = (i: number) => (columns[0] as { values: Float64Array }).values[i] || 0;
  const cases = [
    { nClasses: 2, y: Float64Array.from({ length: n }, (_, i) => (v(i) + rng.normal() > 0 ? 1 : 0)) },
    { nClasses: 3, y: Float64Array.from({ length: n }, (_, i) => Math.floor(rng.next() * 3 + (v(i) > 0 ? 0.5 : 0)) % 3) },
    { nClasses: 0, y: Float64Array.from({ length: n }, (_, i) => v(i) * 3 + rng.normal()) },
  ];
  for (const { nClasses, y } of cases) {
    it(`the same model with and without lists (classes ${nClasses})`, async () => {
      const p = { n_estimators: 12, n_threads: 1, subsample: 0.8, min_child_weight: 0.01 };
      const before = listedCount();
      const listed = await new GradientBoosting(p).fit({ X, y, nClasses, seed: 5 });
      expect(listedCount()).toBeGreaterThan(before);
      const old = setListMax(0);
      try {
        const whole = await new GradientBoosting(p).fit({ X, y, nClasses, seed: 5 });
        expect(listed.predictRaw(X)).toEqual(whole.predictRaw(X));
        expect(JSON.stringify(listed.state())).toBe(JSON.stringify(whole.state()));
      } finally {
        setListMax(old);
      }
    });
  }
});
