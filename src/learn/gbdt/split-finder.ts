// Best split of a node from its histogram: numeric thresholds with a learned missing direction, and
// many-vs-many categorical splits (categories sorted by gradient ratio, as LightGBM does).

export interface SplitParams {
  lambda: number;
  alpha: number;
  minChildWeight: number;
  minDataInLeaf: number;
  minSplitGain: number;
  maxDeltaStep: number;
  catSmooth: number;
  catL2: number;
  maxCatThreshold: number;
  maxCatToOnehot: number;
  minDataPerGroup: number;
}

/** Static facts about the features, shared by every node. */
export interface FeatureMeta {
  nFeatures: number;
  off: Int32Array;
  nBins: Int32Array;
  isCat: Uint8Array;
}

export interface SplitInfo {
  gain: number;
  feature: number;
  /** Numeric: rows with bin <= bin go left. */
  bin: number;
  /** Categorical: catLeft[b] = 1 when bin b (missing slot included) goes left; null for numeric. */
  catLeft: Uint8Array | null;
  defaultLeft: boolean;
  gl: number;
  hl: number;
  gr: number;
  hr: number;
}

export function emptySplit(): SplitInfo {
  return { gain: 0, feature: -1, bin: 0, catLeft: null, defaultLeft: true, gl: 0, hl: 0, gr: 0, hr: 0 };
}

const thresholdL1 = (g: number, alpha: number): number => (g > alpha ? g - alpha : g < -alpha ? g + alpha : 0);

/** Newton leaf value -T(G)/(H + lambda), clipped to +-maxDeltaStep when that is set (> 0). */
export function leafOutput(g: number, h: number, p: SplitParams, extraL2 = 0): number {
  let w = -thresholdL1(g, p.alpha) / (h + p.lambda + extraL2);
  if (p.maxDeltaStep > 0 && Math.abs(w) > p.maxDeltaStep) w = Math.sign(w) * p.maxDeltaStep;
  return w;
}

/** Loss reduction of a leaf with value from leafOutput (twice the Newton decrease; XGBoost's scale for gamma). */
export function leafGain(g: number, h: number, p: SplitParams, extraL2 = 0): number {
  const tg = thresholdL1(g, p.alpha);
  if (p.maxDeltaStep <= 0) return (tg * tg) / (h + p.lambda + extraL2);
  const w = leafOutput(g, h, p, extraL2);
  return -(2 * tg * w + (h + p.lambda + extraL2) * w * w);
}

/** "No split yet": gain 0 (a split must beat it), no feature. */
export function clearSplit(best: SplitInfo): void {
  best.gain = 0;
  best.feature = -1;
  best.catLeft = null;
}

/**
 * Writes the best split of a node into `best` (gain 0 and feature -1 when none beats minSplitGain).
 * `count` is the node's row count; counts of candidate children are estimated from their hessian share.
 */
export function findBestSplit(
  hist: Float64Array,
  meta: FeatureMeta,
  featureMask: Uint8Array | null,
  G: number,
  H: number,
  count: number,
  p: SplitParams,
  best: SplitInfo,
): void {
  clearSplit(best);
  const parent = leafGain(G, H, p);
  const cntFactor = H > 0 ? count / H : 0;
  const minH = Math.max(p.minChildWeight, 1e-12);
  const minCnt = p.minDataInLeaf;
  // No L1, no step clip, no row minimum: the scan's gain is g^2 / (h + lambda) per side (the same doubles).
  const plain = p.alpha === 0 && p.maxDeltaStep <= 0 && minCnt <= 0;
  for (let f = 0; f < meta.nFeatures; f++) {
    if (featureMask && !featureMask[f]) continue;
    const base = meta.off[f];
    const nb = meta.nBins[f];
    if (meta.isCat[f]) {
      categoricalSplit(hist, base, nb, f, G, H, cntFactor, parent, p, best);
      continue;
    }
    numericScan(hist, base, nb, f, G, H, cntFactor, parent, minH, plain, p, best);
  }
}

/**
 * Two scans of a numeric feature: missing values on the right, then (if there are any) on the left; the better wins.
 * A bin with no gradient and no hessian repeats the candidate before it, which cannot win a strict comparison: it is
 * skipped (deep nodes of small sets touch few of their 255 bins). `plain` (no L1, no step clip, no row minimum):
 * the gain is g^2 / (h + lambda) per side inline, the same doubles as leafGain.
 */
function numericScan(
  hist: Float64Array,
  base: number,
  nb: number,
  f: number,
  G: number,
  H: number,
  cntFactor: number,
  parent: number,
  minH: number,
  plain: boolean,
  p: SplitParams,
  best: SplitInfo,
): void {
  const lambda = p.lambda;
  const minCnt = p.minDataInLeaf;
  const gm = hist[2 * (base + nb)];
  const hm = hist[2 * (base + nb) + 1];
  for (let dir = 0; dir < 2; dir++) {
    const missingLeft = dir === 1;
    if (missingLeft && hm <= 0) break;
    let gl = missingLeft ? gm : 0;
    let hl = missingLeft ? hm : 0;
    const last = !missingLeft && hm > 0 ? nb - 1 : nb - 2;
    for (let b = 0; b <= last; b++) {
      const g = hist[2 * (base + b)];
      const h = hist[2 * (base + b) + 1];
      if (g === 0 && h === 0) continue;
      gl += g;
      hl += h;
      if (hl < minH || hl * cntFactor < minCnt) continue;
      const hr = H - hl;
      if (hr < minH || hr * cntFactor < minCnt) break;
      const gr = G - gl;
      const gain = plain ? (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent : leafGain(gl, hl, p) + leafGain(gr, hr, p) - parent;
      if (gain > best.gain && gain > p.minSplitGain) {
        best.gain = gain;
        best.feature = f;
        best.bin = b;
        best.catLeft = null;
        best.defaultLeft = hm > 0 ? missingLeft : hl >= hr;
        best.gl = gl;
        best.hl = hl;
        best.gr = gr;
        best.hr = hr;
      }
    }
  }
}

/** Scratch of categoricalSplit (one thread per module instance), grown for wide categoricals (wide-columns.ts). */
let usedBuf = new Int32Array(257);
let rankBuf = new Int32Array(257);
let keyBuf = new Float64Array(257);
let keyOfBin = new Float64Array(257);
/** Above this many ranked levels the ranking is a typed-array sort instead of the insertion sort (quadratic). */
const INSERTION_MAX = 64;
const byKey = (x: number, y: number): number => keyOfBin[x] - keyOfBin[y] || x - y;

/**
 * Many-vs-many (or one-vs-rest up to maxCatToOnehot used levels) split of a categorical feature, written into `best`
 * when it beats max(best.gain, minSplitGain) (`parent` and `cntFactor` as findBestSplit computes them). Written over
 * preallocated scratch without closures: on wa_churn (16 categoricals, 200 trees) the array-and-closure version
 * allocated per node and feature.
 */
export function categoricalSplit(
  hist: Float64Array,
  base: number,
  nb: number,
  f: number,
  G: number,
  H: number,
  cntFactor: number,
  parent: number,
  p: SplitParams,
  best: SplitInfo,
): void {
  if (usedBuf.length < nb + 1) {
    usedBuf = new Int32Array(nb + 1);
    rankBuf = new Int32Array(nb + 1);
    keyBuf = new Float64Array(nb + 1);
    keyOfBin = new Float64Array(nb + 1);
  }
  let nUsed = 0;
  for (let b = 0; b <= nb; b++) if (hist[2 * (base + b) + 1] > 0) usedBuf[nUsed++] = b;
  if (nUsed < 2) return;
  const minH = Math.max(p.minChildWeight, 1e-12);
  let bestLocal = Math.max(best.gain, p.minSplitGain);
  // The winner: one level (onehot), or the first `take` of the ranking read forward (dir 0) or backward (dir 1).
  let winOne = -1;
  let winDir = -1;
  let winTake = 0;
  let cg = 0;
  let ch = 0;
  let m = 0;
  if (nUsed <= p.maxCatToOnehot) {
    for (let j = 0; j < nUsed; j++) {
      const b = usedBuf[j];
      const gl = hist[2 * (base + b)];
      const hl = hist[2 * (base + b) + 1];
      const hr = H - hl;
      if (hl < minH || hr < minH || hl * cntFactor < p.minDataInLeaf || hr * cntFactor < p.minDataInLeaf) continue;
      const gain = leafGain(gl, hl, p) + leafGain(G - gl, hr, p) - parent;
      if (gain > bestLocal) (bestLocal = gain), (winOne = b), (cg = gl), (ch = hl);
    }
  } else {
    // Categories with too little data are not ranked (they stay right): their gradient ratio is noise. Ranked by
    // (G_c + cat_smooth x G / H) / (H_c + cat_smooth): shrunk toward the node's own ratio, not toward 0 as LightGBM
    // does. Toward 0, the small levels of a node whose ratio is far from 0 (deep nodes) bunch at one end of the
    // ranking and ride with the extreme levels; flights_3m (2.4M train rows, ~300-level origin and destination) lost
    // 0.0034 AUC to XGBoost that way and gains 0.0005 on it with the node prior (bench/RESULTS.md "learn: L2").
    // Ties by bin: an insertion sort (stable, levels in bin order), as sort() with that order.
    const prior = p.catSmooth * (G / H);
    if (nUsed <= INSERTION_MAX) {
      for (let j = 0; j < nUsed; j++) {
        const b = usedBuf[j];
        const h = hist[2 * (base + b) + 1];
        if (h * cntFactor < p.catSmooth) continue;
        const key = (hist[2 * (base + b)] + prior) / (h + p.catSmooth);
        let i = m++;
        while (i > 0 && keyBuf[i - 1] > key) (keyBuf[i] = keyBuf[i - 1]), (rankBuf[i] = rankBuf[i - 1]), i--;
        keyBuf[i] = key;
        rankBuf[i] = b;
      }
    } else {
      // The same order (key, then bin) by a sort of the bins.
      for (let j = 0; j < nUsed; j++) {
        const b = usedBuf[j];
        const h = hist[2 * (base + b) + 1];
        if (h * cntFactor < p.catSmooth) continue;
        keyOfBin[b] = (hist[2 * (base + b)] + prior) / (h + p.catSmooth);
        rankBuf[m++] = b;
      }
      rankBuf.subarray(0, m).sort(byKey);
    }
    const maxTake = Math.min(p.maxCatThreshold, Math.floor((m + 1) / 2));
    for (let dir = 0; dir < 2; dir++) {
      let gl = 0;
      let hl = 0;
      for (let j = 0; j < maxTake && j < m - 1; j++) {
        const b = rankBuf[dir === 0 ? j : m - 1 - j];
        gl += hist[2 * (base + b)];
        hl += hist[2 * (base + b) + 1];
        if (hl * cntFactor < p.minDataPerGroup) continue;
        if ((H - hl) * cntFactor < p.minDataPerGroup) break;
        const hr = H - hl;
        if (hl < minH || hr < minH || hl * cntFactor < p.minDataInLeaf || hr * cntFactor < p.minDataInLeaf) continue;
        const gain = leafGain(gl, hl, p, p.catL2) + leafGain(G - gl, hr, p, p.catL2) - parent;
        if (gain > bestLocal) (bestLocal = gain), (winDir = dir), (winTake = j + 1), (cg = gl), (ch = hl);
      }
    }
  }
  if (winOne < 0 && winDir < 0) return;
  const catLeft = new Uint8Array(nb + 1);
  if (winOne >= 0) catLeft[winOne] = 1;
  else for (let j = 0; j < winTake; j++) catLeft[rankBuf[winDir === 0 ? j : m - 1 - j]] = 1;
  const hm = hist[2 * (base + nb) + 1];
  best.gain = bestLocal;
  best.feature = f;
  best.bin = -1;
  best.catLeft = catLeft;
  best.defaultLeft = hm > 0 ? catLeft[nb] === 1 : ch >= H - ch;
  best.gl = cg;
  best.hl = ch;
  best.gr = G - cg;
  best.hr = H - ch;
}
