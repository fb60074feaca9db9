// Extremely randomised splits (Geurts et al. 2006) on a histogram: one random cut per drawn feature, best wins.

import { leafGain, type FeatureMeta, type SplitInfo, type SplitParams } from "../gbdt/split-finder.js";
import type { Rng } from "../rng.js";

export function randomSplit(hist: Float64Array, meta: FeatureMeta, mask: Uint8Array, G: number, H: number, p: SplitParams, best: SplitInfo, rng: Rng): void {
  best.gain = 0;
  best.feature = -1;
  best.catLeft = null;
  const parent = leafGain(G, H, p);
  const minH = Math.max(p.minChildWeight, 1e-12);
  for (let f = 0; f < meta.nFeatures; f++) {
    if (!mask[f]) continue;
    const base = meta.off[f];
    const nb = meta.nBins[f];
    let lo = -1;
    let hi = -1;
    for (let b = 0; b < nb; b++) if (hist[2 * (base + b) + 1] > 0) (lo < 0 && (lo = b), (hi = b));
    if (lo < 0 || lo === hi) continue;
    const hm = hist[2 * (base + nb) + 1];
    let gl = 0;
    let hl = 0;
    let catLeft: Uint8Array | null = null;
    let cut = lo;
    if (meta.isCat[f]) {
      // One random present category against the rest.
      const present: number[] = [];
      for (let b = lo; b <= hi; b++) if (hist[2 * (base + b) + 1] > 0) present.push(b);
      cut = present[rng.int(present.length)];
      catLeft = new Uint8Array(nb + 1);
      catLeft[cut] = 1;
      gl = hist[2 * (base + cut)];
      hl = hist[2 * (base + cut) + 1];
    } else {
      cut = lo + rng.int(hi - lo);
      for (let b = 0; b <= cut; b++) (gl += hist[2 * (base + b)]), (hl += hist[2 * (base + b) + 1]);
    }
    // Missing values join the side with more weight.
    const missingLeft = hm > 0 && hl >= H - hl - hm;
    if (missingLeft) (gl += hist[2 * (base + nb)]), (hl += hm);
    const hr = H - hl;
    if (hl < minH || hr < minH) continue;
    const gain = leafGain(gl, hl, p) + leafGain(G - gl, hr, p) - parent;
    if (gain > best.gain) {
      best.gain = gain;
      best.feature = f;
      best.bin = meta.isCat[f] ? -1 : cut;
      best.catLeft = catLeft;
      if (catLeft && missingLeft) catLeft[nb] = 1;
      best.defaultLeft = hm > 0 ? missingLeft : hl >= hr;
      best.gl = gl;
      best.hl = hl;
      best.gr = G - gl;
      best.hr = hr;
    }
  }
}
