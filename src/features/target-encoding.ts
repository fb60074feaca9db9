// Target encoding of categorical columns: each category becomes the smoothed mean target of its rows.
// On the training rows the value comes from the other folds (out-of-fold), so a row never sees its own target.

export interface TargetEncodingState {
  /** Per output k (one for binary/regression, one per class for multiclass): mean per level. */
  means: Float64Array[];
  /** Per output: the overall mean (unseen or missing categories). */
  prior: Float64Array;
}

/**
 * Smoothed mean: (sum + m * prior) / (count + m). `targets[k][j]` is output k of the j-th row in `rows`;
 * `codes` are indexed by frame row.
 */
function encodeOn(codes: Int32Array, rows: ArrayLike<number>, targets: Float64Array[], levels: number, smoothing: number, pick: (j: number) => boolean): TargetEncodingState {
  const K = targets.length;
  const count = new Float64Array(levels);
  const sums = targets.map(() => new Float64Array(levels));
  const total = new Float64Array(K);
  let n = 0;
  for (let j = 0; j < rows.length; j++) {
    if (!pick(j)) continue;
    n++;
    const c = codes[rows[j]];
    for (let k = 0; k < K; k++) total[k] += targets[k][j];
    if (c < 0) continue;
    count[c]++;
    for (let k = 0; k < K; k++) sums[k][c] += targets[k][j];
  }
  const prior = total.map((t) => (n > 0 ? t / n : 0));
  const means = sums.map((s, k) => s.map((v, l) => (v + smoothing * prior[k]) / (count[l] + smoothing)));
  return { means, prior };
}

export function fitTargetEncoding(codes: Int32Array, rows: ArrayLike<number>, targets: Float64Array[], levels: number, smoothing: number): TargetEncodingState {
  return encodeOn(codes, rows, targets, levels, smoothing, () => true);
}

export function applyTargetEncoding(s: TargetEncodingState, codes: Int32Array): Float64Array[] {
  return s.means.map((m, k) => Float64Array.from(codes, (c) => (c >= 0 ? m[c] : s.prior[k])));
}

/** Out-of-fold encodings of the training rows (in the order of `rows`); fold[j] is row j's fold (0..folds-1). */
export function outOfFoldEncoding(codes: Int32Array, rows: ArrayLike<number>, targets: Float64Array[], levels: number, smoothing: number, fold: Int32Array, folds: number): Float64Array[] {
  const n = rows.length;
  const out = targets.map(() => new Float64Array(n));
  for (let f = 0; f < folds; f++) {
    const s = encodeOn(codes, rows, targets, levels, smoothing, (j) => fold[j] !== f);
    for (let j = 0; j < n; j++) {
      if (fold[j] !== f) continue;
      const c = codes[rows[j]];
      for (let k = 0; k < targets.length; k++) out[k][j] = c >= 0 ? s.means[k][c] : s.prior[k];
    }
  }
  return out;
}
