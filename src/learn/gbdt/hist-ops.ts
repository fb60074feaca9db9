// The work on a node's histogram once it is summed: the sibling subtraction and the best split. In WebAssembly
// (wasm-hist-ops.ts) when the fit's histograms live in its wasm memory and the split settings allow the plain numeric
// scan; else the JavaScript (histogram.ts, split-finder.ts). Both give the same split, bit for bit.

import { addHistogram, subtractHistogram } from "./histogram.js";
import { categoricalSplit, clearSplit, findBestSplit, leafGain, type FeatureMeta, type SplitInfo, type SplitParams } from "./split-finder.js";
import type { WasmHistOps } from "./wasm-hist-ops.js";

export interface HistOps {
  /** out = parent - child. */
  subtract(out: Float64Array, parent: Float64Array, child: Float64Array): void;
  /** out += part, slot by slot (shard histograms summed in shard order). */
  accumulate(out: Float64Array, part: Float64Array): void;
  /** As findBestSplit. */
  findSplit(hist: Float64Array, meta: FeatureMeta, featureMask: Uint8Array | null, G: number, H: number, count: number, p: SplitParams, best: SplitInfo): void;
}

export const jsHistOps: HistOps = { subtract: subtractHistogram, accumulate: addHistogram, findSplit: findBestSplit };

/** No L1, no step clip, no row minimum: the settings the wasm scan covers (split-finder.ts's `plain`). */
const plain = (p: SplitParams): boolean => p.alpha === 0 && p.maxDeltaStep <= 0 && p.minDataInLeaf <= 0;

/**
 * The ops over histograms inside `memory`'s buffer: runs of numeric features scanned in wasm; each categorical
 * feature by split-finder.ts's categoricalSplit, as findBestSplit's own loop calls it: the same winner, since
 * features are visited in the same order with the same strict comparisons against the best so far. Plain
 * statements (no array destructuring, Object.assign or one-feature findBestSplit per categorical): this runs per
 * node, and its first calls run unoptimized, where those cost microseconds each.
 */
export function wasmBackedHistOps(w: WasmHistOps, buffer: ArrayBufferLike): HistOps {
  const out = w.out;
  return {
    subtract: (o, parent, child) => (o.buffer === buffer && parent.buffer === buffer && child.buffer === buffer ? w.subtract(o, parent, child) : subtractHistogram(o, parent, child)),
    accumulate: (o, part) => (o.buffer === buffer && part.buffer === buffer ? w.accumulate(o, part) : addHistogram(o, part)),
    findSplit(hist, meta, mask, G, H, count, p, best) {
      if (hist.buffer !== buffer || !plain(p)) return findBestSplit(hist, meta, mask, G, H, count, p, best);
      clearSplit(best);
      // As findBestSplit: the parent's gain, rows per unit of hessian, the least child hessian.
      const parent = leafGain(G, H, p);
      const cntFactor = H > 0 ? count / H : 0;
      const minH = Math.max(p.minChildWeight, 1e-12);
      const F = meta.nFeatures;
      const isCat = meta.isCat;
      // From half a row per slot on, the scan evaluates empty bins rather than branch on them (wasm-hist-ops.ts):
      // a 30 x 255-bin histogram of 150 rows 47 vs 60 us, of 455 rows 50 vs 51-70; of 60 rows 45 vs 30 (load 14).
      const denseFrom = (0.5 * meta.off[F]) / F;
      let f = 0;
      while (f < F) {
        if (mask && !mask[f]) {
          f++;
          continue;
        }
        if (isCat[f]) {
          categoricalSplit(hist, meta.off[f], meta.nBins[f], f, G, H, cntFactor, parent, p, best);
          f++;
          continue;
        }
        let f1 = f + 1;
        while (f1 < F && !isCat[f1] && !(mask && !mask[f1])) f1++;
        if (w.scan(hist, f, f1, G, H, cntFactor, parent, minH, p.minDataInLeaf, p.lambda, p.minSplitGain, best.gain, count < denseFrom)) {
          best.gain = out[0];
          best.feature = out[1];
          best.bin = out[2];
          best.catLeft = null;
          best.defaultLeft = out[3] === 1;
          best.gl = out[4];
          best.hl = out[5];
          best.gr = out[6];
          best.hr = out[7];
        }
        f = f1;
      }
    },
  };
}
