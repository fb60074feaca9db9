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
