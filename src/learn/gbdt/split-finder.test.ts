import { describe, expect, it } from "vitest";
import { emptySplit, findBestSplit, type FeatureMeta, type SplitParams } from "./split-finder.js";

// One categorical feature, levels as (gradient sum, hessian sum); the missing slot is empty.
function node(levels: [number, number][]): { hist: Float64Array; meta: FeatureMeta; G: number; H: number } {
  const nb = levels.length;
  const hist = new Float64Array(2 * (nb + 1));
  let G = 0;
  let H = 0;
  levels.forEach(([g, h], b) => {
    hist[2 * b] = g;
    hist[2 * b + 1] = h;
    G += g;
    H += h;
  });
  return { hist, meta: { nFeatures: 1, off: Int32Array.of(0), nBins: Int32Array.of(nb), isCat: Uint8Array.of(1) }, G, H };
}

const params: SplitParams = {
  lambda: 1, alpha: 0, minChildWeight: 0, minDataInLeaf: 0, minSplitGain: 0, maxDeltaStep: 0,
  catSmooth: 4, catL2: 0, maxCatThreshold: 64, maxCatToOnehot: 1, minDataPerGroup: 0,
};

describe("categorical many-vs-many split", () => {
  it("shrinks a small level's ratio toward the node's, so it joins the levels it resembles", () => {
    // Ratios A -4, B -3, C -2, D -1 (10 hessian each) and a small level E -6 (hessian 1, 10 rows: 10 rows per unit).
    // Shrunk toward 0, E's key -6 / 5 = -1.2 would rank it beside D; toward the node's ratio (-106 / 41) it ranks
    // beside A: A, E, B | C, D is the best cut of that order.
    const { hist, meta, G, H } = node([[-40, 10], [-30, 10], [-20, 10], [-10, 10], [-6, 1]]);
    const best = emptySplit();
    findBestSplit(hist, meta, null, G, H, 10 * H, params, best);
    expect(best.feature).toBe(0);
    expect(Array.from(best.catLeft!)).toEqual([1, 1, 0, 0, 1, 0]);
    const gain = (76 * 76) / 22 + (30 * 30) / 21 - (106 * 106) / 42;
    expect(best.gain).toBeCloseTo(gain, 9);
    expect([best.gl, best.hl, best.gr, best.hr]).toEqual([-76, 21, -30, 20]);
  });

  it("leaves levels with fewer rows than cat_smooth unranked, on the right", () => {
    // E holds 1 row here (rows = hessian): below cat_smooth 4, it is not ranked and stays right whichever end of the
    // ranked order A, B, C, D the left side is read from. A, B | C, D cut from the front would put E with C, D; from
    // the back, C, D go left and E stays with A, B, whose ratios it shares: that cut wins.
    const { hist, meta, G, H } = node([[-40, 10], [-30, 10], [-20, 10], [-10, 10], [-6, 1]]);
    const best = emptySplit();
    findBestSplit(hist, meta, null, G, H, H, params, best);
    expect(Array.from(best.catLeft!)).toEqual([0, 0, 1, 1, 0, 0]);
    expect([best.gl, best.hl]).toEqual([-30, 20]);
  });
});
