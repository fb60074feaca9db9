// Feature binning: quantile cuts for numeric columns, code -> bin maps for categoricals; a row-major Uint8 bin matrix.

import type { FeatureColumn, FeatureMatrix } from "../../features/matrix.js";
import { Rng } from "../rng.js";
import { sortFloat64 } from "./radix-sort.js";
import type { WasmBinning } from "./wasm-binning.js";

/**
 * Bin b of a numeric feature holds x <= cuts[b] (and > cuts[b-1]); the last value bin holds x > the last cut.
 * Missing values (NaN; categorical code -1) go to `missingBin` = nBins, so a feature uses nBins + 1 <= 256 slots.
 */
export type BinMapper =
  | { kind: "numeric"; cuts: Float64Array; nBins: number; missingBin: number }
  | { kind: "categorical"; codeToBin: Int32Array; binToCodes: Int32Array[]; nBins: number; missingBin: number };

/**
 * Fits cuts on at most `sampleRows` rows (a seeded sample), as LightGBM's bin_construct_sample_cnt does; the
 * sample is sorted by `binner` (wasm) when given, else in JavaScript (the same order either way). A categorical
 * column gets up to max(maxBins, maxCatBins) bins: more than 255 makes it a wide column (wide-columns.ts).
 */
export function fitBinMapper(col: FeatureColumn, maxBins: number, sampleRows: number, seed: number, binner?: WasmBinning | null, maxCatBins = maxBins): BinMapper {
  if (col.kind === "categorical") return categoricalMapper(col.codes, col.levels, Math.max(maxBins, maxCatBins));
  const v = col.values;
  const n = v.length;
  let sample: Float64Array;
  if (n <= sampleRows) sample = Float64Array.from(v);
  else {
    // Uniform draws with replacement: quantiles of 200k draws are as good, at a tenth of a reservoir's cost. The
    // draws are counted per row and read in row order (the same values as reading them in draw order, which
    // sorting then forgets; random reads of a big column cost ~75 ns each).
    const rng = new Rng(seed);
    const times = new Uint16Array(n);
    for (let j = 0; j < sampleRows; j++) times[rng.int(n)]++;
    sample = new Float64Array(sampleRows);
    let k = 0;
    for (let i = 0; i < n; i++) for (let c = times[i]; c > 0; c--) sample[k++] = v[i];
  }
  let m = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === sample[i]) sample[m++] = sample[i]; // NaN out
  if (binner && m <= binner.maxKeys) binner.sort(sample, m);
  else sortFloat64(sample.subarray(0, m));
  const distinct = new Float64Array(m);
  const counts = new Float64Array(m);
  let nd = 0;
  for (let i = 0; i < m; i++) {
    if (nd > 0 && sample[i] === distinct[nd - 1]) counts[nd - 1]++;
    else (distinct[nd] = sample[i]), (counts[nd++] = 1);
  }
  const cuts = greedyCuts(distinct.subarray(0, nd), counts.subarray(0, nd), m, maxBins);
  return { kind: "numeric", cuts, nBins: cuts.length + 1, missingBin: cuts.length + 1 };
}

/**
 * Cuts between distinct values so each bin holds about the same number of sample rows; a value heavier than
 * one bin's share gets a bin of its own and the remaining rows are spread over the remaining bins.
 */
function greedyCuts(distinct: Float64Array, counts: Float64Array, total: number, maxBins: number): Float64Array {
  const cuts: number[] = [];
  const mid = (j: number) => {
    const a = distinct[j];
    const b = distinct[j + 1];
    const c = a + (b - a) / 2;
    return c < b ? c : a; // keeps a < cut < b even for adjacent floats
  };
  if (distinct.length <= maxBins) {
    for (let j = 0; j + 1 < distinct.length; j++) cuts.push(mid(j));
    return Float64Array.from(cuts);
  }
  let acc = 0;
  let target = total / maxBins;
  for (let j = 0; j + 1 < distinct.length && cuts.length < maxBins - 1; j++) {
    acc += counts[j];
    if (acc >= target || counts[j + 1] >= total / maxBins) {
      cuts.push(mid(j));
      const binsLeft = maxBins - cuts.length;
      target = acc + (total - acc) / binsLeft;
    }
  }
  return Float64Array.from(cuts);
}

function categoricalMapper(codes: Int32Array, levels: number, maxBins: number): BinMapper {
  const codeToBin = new Int32Array(levels);
  if (levels <= maxBins) {
    for (let c = 0; c < levels; c++) codeToBin[c] = c;
  } else {
    // More levels than bins: the maxBins - 1 most frequent keep a bin each, the rest share the last bin.
    const freq = new Float64Array(levels);
    for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) freq[codes[i]]++;
    const order = Array.from({ length: levels }, (_, c) => c).sort((a, b) => freq[b] - freq[a] || a - b);
    codeToBin.fill(maxBins - 1);
    order.slice(0, maxBins - 1).sort((a, b) => a - b).forEach((c, b) => (codeToBin[c] = b));
  }
  const nBins = Math.min(levels, maxBins);
  const lists: number[][] = Array.from({ length: nBins }, () => []);
  for (let c = 0; c < levels; c++) lists[codeToBin[c]].push(c);
  return { kind: "categorical", codeToBin, binToCodes: lists.map((l) => Int32Array.from(l)), nBins, missingBin: nBins };
}

/** Bin of one raw value (numeric) or code (categorical, -1 missing). */
export function binOf(m: BinMapper, v: number): number {
  if (m.kind === "categorical") return v >= 0 && v < m.codeToBin.length ? m.codeToBin[v] : m.missingBin;
  if (v !== v) return m.missingBin;
  const cuts = m.cuts;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= cuts[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Column-major bins: binsT[f * n + i] (sequential writes, one column at a time); numeric ones by `binner` if given. */
export function binColumns(X: FeatureMatrix, mappers: BinMapper[], into?: Uint8Array, binner?: WasmBinning | null): Uint8Array {
  const F = X.columns.length;
  const n = X.nRows;
  const out = into ?? new Uint8Array(n * F);
  X.columns.forEach((col, f) => {
    const m = mappers[f];
    const o = out.subarray(f * n, (f + 1) * n);
    if (col.kind === "categorical" && m.kind === "categorical") {
      // binOf's categorical branch inline (a call per row ran in V8's interpreter for most of a small set's first fit).
      const { codes } = col;
      const { codeToBin, missingBin } = m;
      const levels = codeToBin.length;
      for (let i = 0; i < n; i++) {
        const c = codes[i];
        o[i] = c >= 0 && c < levels ? codeToBin[c] : missingBin;
      }
      return;
    }
    if (col.kind === "categorical" || m.kind === "categorical") {
      for (let i = 0; i < n; i++) o[i] = binOf(m, col.kind === "categorical" ? col.codes[i] : col.values[i]);
      return;
    }
    if (binner) return binner.binColumn(col.values, m.cuts, m.missingBin, o);
    // Branch-free binary search over the cuts padded to 256 with +Infinity: eight unrolled compare-and-add
    // steps, 4x faster than a branching search (whose branches mispredict on half the steps).
    const v = col.values;
    const pc = new Float64Array(256).fill(Infinity);
    pc.set(m.cuts);
    const missing = m.missingBin;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      let lo = 0;
      lo += +(x > pc[lo + 127]) << 7;
      lo += +(x > pc[lo + 63]) << 6;
      lo += +(x > pc[lo + 31]) << 5;
      lo += +(x > pc[lo + 15]) << 4;
      lo += +(x > pc[lo + 7]) << 3;
      lo += +(x > pc[lo + 3]) << 2;
      lo += +(x > pc[lo + 1]) << 1;
      lo += +(x > pc[lo]);
      o[i] = x !== x ? missing : lo;
    }
  });
  return out;
}

/** Row-major copy of column-major bins, in row blocks so both sides stay in cache. */
export function transposeBins(binsT: Uint8Array, n: number, F: number, into?: Uint8Array): Uint8Array {
  const out = into ?? new Uint8Array(n * F);
  const B = 4096;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let f = 0; f < F; f++) {
      const col = f * n;
      for (let i = i0; i < i1; i++) out[i * F + f] = binsT[col + i];
    }
  }
  return out;
}

/** Row-major bins: bins[i * F + f]. */
export function binMatrix(X: FeatureMatrix, mappers: BinMapper[]): Uint8Array {
  return transposeBins(binColumns(X, mappers), X.nRows, X.columns.length);
}

/** Per-feature offsets into a histogram: feature f uses slots off[f] .. off[f+1]-1 (value bins, then missing). */
export function binOffsets(mappers: BinMapper[]): Int32Array {
  const off = new Int32Array(mappers.length + 1);
  for (let f = 0; f < mappers.length; f++) off[f + 1] = off[f] + mappers[f].nBins + 1;
  return off;
}
