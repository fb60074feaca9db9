// Categorical columns with more bins than a byte holds (max_cat_bins > 255, e.g. 2,972 student ids): their bins live in
// Uint16 columns beside the byte matrix; a fit orders them after the byte-binned features, so they own the tail of
// every histogram, summed here (and partitioned by histogram.ts's partitionRows) while the byte kernels (wasm or JS)
// handle the rest unchanged.

import type { FeatureMatrix } from "../../features/matrix.js";
import { binOf, type BinMapper } from "./binning.js";
import type { RowKernels } from "./histogram.js";
import type { FitArrays } from "./shard.js";

/** Value bins a byte-binned feature may have (its missing slot is bin 255 at most). */
export const BYTE_BINS = 255;

export const isWide = (m: BinMapper): boolean => m.nBins > BYTE_BINS;

/** The fit's feature order, byte-binned features first then the wide ones (column order kept in each); null when none is wide. */
export function wideLast(mappers: BinMapper[]): Int32Array | null {
  if (!mappers.some(isWide)) return null;
  const narrow: number[] = [];
  const wide: number[] = [];
  mappers.forEach((m, f) => (isWide(m) ? wide : narrow).push(f));
  return Int32Array.from([...narrow, ...wide]);
}

/** The matrix with its columns in `order` (no copy of the values). */
export function permuteColumns(X: FeatureMatrix, order: Int32Array | null): FeatureMatrix {
  return order ? { nRows: X.nRows, columns: Array.from(order, (f) => X.columns[f]) } : X;
}

/** The first `count` columns. */
export function leadingColumns(X: FeatureMatrix, count: number): FeatureMatrix {
  return count === X.columns.length ? X : { nRows: X.nRows, columns: X.columns.slice(0, count) };
}

/** Column-major Uint16 bins of features nNarrow.. (all wide): out[(f - nNarrow) * n + i]. */
export function binWide(X: FeatureMatrix, mappers: BinMapper[], nNarrow: number, out: Uint16Array): Uint16Array {
  const n = X.nRows;
  for (let f = nNarrow; f < X.columns.length; f++) {
    const col = X.columns[f];
    const m = mappers[f];
    const o = out.subarray((f - nNarrow) * n, (f - nNarrow + 1) * n);
    if (col.kind !== "categorical") throw new Error(`wide bins of numeric column ${col.name}`); // a bug: only categoricals get > 255 bins
    for (let i = 0; i < n; i++) o[i] = binOf(m, col.codes[i]);
  }
  return out;
}

/**
 * The byte kernels plus the wide columns: their histogram part (slots off[nNarrow].. of the layout) is summed in
 * JavaScript, one column at a time, into an accumulator of this thread's, and flushed after the byte part.
 */
export function withWideColumns(inner: RowKernels, a: FitArrays): RowKernels {
  const wide = a.wide;
  if (!wide) return inner;
  const { n, nNarrow, nFeatures } = a;
  const off = a.meta.off;
  const from = off[nNarrow];
  const acc = new Float64Array(2 * (off[nFeatures] - from));
  const bases = Int32Array.from({ length: nFeatures - nNarrow }, (_, j) => 2 * (off[nNarrow + j] - from));
  const cols = Array.from(bases, (_, j) => wide.subarray(j * n, (j + 1) * n));
  return {
    clear: () => {
      inner.clear();
      acc.fill(0);
    },
    addRows: (bins, gh, rows, start, end) => {
      inner.addRows(bins, gh, rows, start, end);
      for (let j = 0; j < cols.length; j++) {
        const col = cols[j];
        const base = bases[j];
        for (let p = start; p < end; p++) {
          const r = rows[p];
          const s = base + 2 * col[r];
          acc[s] += gh[2 * r];
          acc[s + 1] += gh[2 * r + 1];
        }
      }
    },
    addDense: (bins, gh, start, end) => {
      inner.addDense(bins, gh, start, end);
      for (let j = 0; j < cols.length; j++) {
        const col = cols[j];
        const base = bases[j];
        for (let r = start; r < end; r++) {
          const s = base + 2 * col[r];
          acc[s] += gh[2 * r];
          acc[s + 1] += gh[2 * r + 1];
        }
      }
    },
    flush: (out, add) => {
      inner.flush(out, add);
      const tail = out.subarray(2 * from, 2 * from + acc.length);
      if (!add) tail.set(acc);
      else for (let i = 0; i < acc.length; i++) tail[i] += acc[i];
    },
    partition: inner.partition,
  };
}
