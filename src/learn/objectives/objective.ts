// The objective interface: a loss gives gradients and hessians of raw scores; the tree learner never sees the loss.

/**
 * Raw scores and gradients are class-major: output c of row i sits at [c * n + i], so the trees of
 * output c read a contiguous block. `gh` interleaves gradient and hessian: gh[2(c*n+i)], gh[2(c*n+i)+1].
 */
export interface Objective {
  readonly name: string;
  /** Number of raw outputs per row (1, or the number of classes for softmax). */
  readonly outputs: number;
  /** Starting raw score per output (e.g. the log-odds of the base rate). */
  initScore(y: Float64Array, w: Float64Array | undefined): Float64Array;
  /** Rows start..end-1 only (a thread computes its own rows); gh is laid out for all rows. */
  gradients(y: Float64Array, raw: Float64Array, w: Float64Array | undefined, gh: Float32Array, start?: number, end?: number): void;
  /** Raw scores -> row-major predictions: n x k probabilities for classification, n values for regression. */
  transform(raw: Float64Array, n: number): Float64Array;
  /** Mean loss (for early stopping and tests). */
  loss(y: Float64Array, raw: Float64Array, w: Float64Array | undefined): number;
}

/** A hessian floor: keeps leaf values finite when a leaf's rows are all predicted with certainty. */
export const HESS_FLOOR = 1e-16;

export function weightedMean(y: Float64Array, w: Float64Array | undefined): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    s += wi * y[i];
    sw += wi;
  }
  return sw > 0 ? s / sw : 0;
}

/**
 * The q-quantile of y: linear between order statistics without weights (numpy's default, so q = 0.5 is the median),
 * else the smallest value whose cumulative weight reaches q of the total (scikit-learn's _weighted_percentile).
 */
export function weightedQuantile(y: Float64Array, w: Float64Array | undefined, q: number): number {
  const n = y.length;
  if (n === 0) return 0;
  if (!w) {
    const s = y.slice().sort();
    const pos = q * (n - 1);
    const lo = Math.floor(pos);
    return lo + 1 < n ? s[lo] + (pos - lo) * (s[lo + 1] - s[lo]) : s[lo];
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => y[a] - y[b]);
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i];
  let cum = 0;
  for (const i of order) if ((cum += w[i]) >= q * total) return y[i];
  return y[order[n - 1]];
}
