// The best split of a small node of a deep tree, scanning only the bins its rows fall in: findBestSplit reads every
// bin of every drawn feature (diamonds: ~1,800 numeric bins per node, for nodes of a few rows; 32% of a fit's CPU).
// The winner is findBestSplit's, field for field: its numeric scan skips empty bins (they repeat the candidate
// before them, which cannot win a strict comparison), so visiting the occupied bins in ascending order makes the
// same sums, candidates and comparisons. Categorical features still go through findBestSplit.

import { emptySplit, findBestSplit, leafGain, type FeatureMeta, type SplitInfo, type SplitParams } from "../gbdt/split-finder.js";

/** A feature whose bins outnumber the node's rows this many times is scanned over its occupied bins only. */
const SPARSE_FACTOR = 2;

export class SmallSplitter {
  /** Occupied bins of the feature being scanned (sorted), the bin → node stamp that dedupes them, and 0..255. */
  private occupied = new Int32Array(256);
  private stamp: Int32Array;
  private node = 0;
  private readonly every: Int32Array;
  private readonly catMask: Uint8Array;
  private readonly catBest: SplitInfo = emptySplit();

  constructor(private readonly meta: FeatureMeta) {
    let widest = 0;
    for (let f = 0; f < meta.nFeatures; f++) widest = Math.max(widest, meta.nBins[f] + 1);
    this.stamp = new Int32Array(widest);
    this.every = Int32Array.from({ length: widest }, (_, b) => b);
    if (this.occupied.length < widest) this.occupied = new Int32Array(widest);
    this.catMask = new Uint8Array(meta.nFeatures);
  }

  /**
   * findBestSplit(hist, meta, mask, G, H, count, p, best) for a node whose rows are rows[start..end), their bins in
   * binsT (column-major, n rows per column).
   */
  find(hist: Float64Array, binsT: Uint8Array, n: number, rows: Uint32Array, start: number, end: number, mask: Uint8Array, G: number, H: number, p: SplitParams, best: SplitInfo): void {
    const meta = this.meta;
    const count = end - start;
    best.gain = 0;
    best.feature = -1;
    best.catLeft = null;
    const parent = leafGain(G, H, p);
    const cntFactor = H > 0 ? count / H : 0;
    const minH = Math.max(p.minChildWeight, 1e-12);
    const plain = p.alpha === 0 && p.maxDeltaStep <= 0 && p.minDataInLeaf <= 0;
    let anyCat = false;
    for (let f = 0; f < meta.nFeatures; f++) {
      this.catMask[f] = 0;
      if (!mask[f]) continue;
      if (meta.isCat[f]) {
        this.catMask[f] = 1;
        anyCat = true;
        continue;
      }
      const nb = meta.nBins[f];
      let bins = this.every;
      let k = nb;
      if (count * SPARSE_FACTOR < nb) {
        k = this.gather(binsT, f * n, rows, start, end);
        bins = this.occupied;
      }
      this.scan(hist, meta.off[f], nb, f, bins, k, G, H, cntFactor, parent, minH, plain, p, best);
    }
    if (!anyCat) return;
    // The categorical winner on its own, then the better of the two (the lower feature on equal gains, as one
    // pass in feature order keeps the first of equal candidates).
    const c = this.catBest;
    findBestSplit(hist, meta, this.catMask, G, H, count, p, c);
    if (c.feature < 0 || !(c.gain > best.gain || (c.gain === best.gain && c.feature < best.feature))) return;
    best.gain = c.gain;
    best.feature = c.feature;
    best.bin = c.bin;
    best.catLeft = c.catLeft;
    best.defaultLeft = c.defaultLeft;
    best.gl = c.gl;
    best.hl = c.hl;
    best.gr = c.gr;
    best.hr = c.hr;
  }

  /** The distinct bins of rows[start..end) in column `col`, ascending, into occupied[0..k); k. */
  private gather(binsT: Uint8Array, col: number, rows: Uint32Array, start: number, end: number): number {
    const id = ++this.node;
    const stamp = this.stamp;
    const out = this.occupied;
    let k = 0;
    for (let q = start; q < end; q++) {
      const b = binsT[col + rows[q]];
      if (stamp[b] !== id) (stamp[b] = id), (out[k++] = b);
    }
    // Insertion sort: k is below the node's row count, which is small here.
    for (let i = 1; i < k; i++) {
      const v = out[i];
      let j = i - 1;
      while (j >= 0 && out[j] > v) (out[j + 1] = out[j]), j--;
      out[j + 1] = v;
    }
    return k;
  }

  /**
   * findBestSplit's numeric scan of feature f over bins[0..k) (ascending; the missing slot nb among them or not). A copy
   * of split-finder.ts's numericScan over a list of bins, kept apart on purpose: reading the whole histogram through an
   * identity list slowed GBDT fits (bench/RESULTS.md, helper G1); small-split.test.ts checks the two pick the same split.
   */
  private scan(
    hist: Float64Array,
    base: number,
    nb: number,
    f: number,
    bins: Int32Array,
    k: number,
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
      for (let j = 0; j < k; j++) {
        const b = bins[j];
        if (b > last) break;
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
}
