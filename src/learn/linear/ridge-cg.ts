// Ridge on a wide design (many one-hot columns) by preconditioned conjugate gradients on the normal equations
// (X'WX + alpha P) theta = X'Wy, P penalising every weight but the intercept. One iteration is one X·v and one X'·t
// over the implicit one-hot design: O(non-zeros), never the width², which is what makes 12k one-hot columns cheap.
//
// The preconditioner is block-diagonal: one categorical column's levels are orthogonal (a row has one level), so its
// block of X'WX is exactly diagonal (the weight of each level's rows); the numeric columns and the intercept form one
// small dense block, factored once. What is left between blocks (levels summing to the intercept, crossed columns) is
// what CG iterates over: a few dozen to a few hundred iterations on the sets measured in bench/learn/linear-wide.mjs.

import type { FeatureMatrix } from "../../features/matrix.js";
import type { Design } from "./design.js";
import { choleskyFactor, choleskySolveFactored } from "./normal-equations.js";

/** The dense block (numeric columns + intercept) is factored when it has at most this many columns. */
const DENSE_BLOCK_MAX = 64;

export interface RidgeCgOptions {
  alpha: number;
  fitIntercept: boolean;
  maxIter: number;
  /** Stop when max |gradient| of (1/2sw)|y - X theta|²_W + (alpha/2sw)|w|² is at most tol (ridge's `tol`). */
  tol: number;
  /** Called after every iteration (a stopper may throw from it). */
  onIteration?: (iteration: number) => void;
}

export interface RidgeCgResult {
  /** [weights..., intercept] for the target as given. */
  theta: Float64Array;
  iterations: number;
  converged: boolean;
}

/** Block-Jacobi preconditioner: applies M⁻¹ to a residual. */
class BlockPreconditioner {
  private readonly diagInv: Float64Array;
  /** Indices of the dense block (numeric columns, then the intercept) and its Cholesky factor, or null (diagonal). */
  private readonly dense: Int32Array;
  private readonly factor: Float64Array | null;
  private readonly rhs: Float64Array;

  constructor(X: FeatureMatrix, d: Design, w: Float64Array | undefined, alpha: number, fitIntercept: boolean) {
    const W = d.width;
    const diag = d.squaredNorms(w);
    const numeric: number[] = [];
    X.columns.forEach((c, j) => c.kind === "numeric" && numeric.push(j));
    for (let j = 0; j < W; j++) diag[j] += alpha;
    if (!fitIntercept) diag[W] = 0;
    // A coordinate whose column is all zeros (a level no row has, alpha = 0; no intercept) is never moved.
    this.diagInv = diag.map((v) => (v > 0 ? 1 / v : 0));
    const q = numeric.length + (fitIntercept ? 1 : 0);
    this.dense = Int32Array.from([...numeric.map((j) => d.offsets[j]), ...(fitIntercept ? [W] : [])]);
    this.rhs = new Float64Array(q);
    this.factor = q >= 2 && q <= DENSE_BLOCK_MAX ? denseBlockFactor(X, numeric, w, alpha, fitIntercept) : null;
  }

  apply(r: Float64Array, z: Float64Array): void {
    for (let j = 0; j < r.length; j++) z[j] = r[j] * this.diagInv[j];
    if (!this.factor) return;
    const q = this.dense.length;
    for (let a = 0; a < q; a++) this.rhs[a] = r[this.dense[a]];
    const x = choleskySolveFactored(this.factor, this.rhs, q);
    for (let a = 0; a < q; a++) z[this.dense[a]] = x[a];
  }
}

/** Cholesky factor of [numeric columns, 1]'W[numeric columns, 1] + alpha on the numeric diagonal; null if singular. */
function denseBlockFactor(X: FeatureMatrix, numeric: number[], w: Float64Array | undefined, alpha: number, fitIntercept: boolean): Float64Array | null {
  const n = X.nRows;
  const cols = numeric.map((j) => {
    const c = X.columns[j];
    return c.kind === "numeric" ? c.values : new Float64Array(0);
  });
  if (fitIntercept) cols.push(new Float64Array(n).fill(1));
  const q = cols.length;
  const G = new Float64Array(q * q);
  for (let a = 0; a < q; a++) {
    const xa = cols[a];
    for (let b = 0; b <= a; b++) {
      const xb = cols[b];
      let s = 0;
      if (w) for (let i = 0; i < n; i++) s += w[i] * xa[i] * xb[i];
      else for (let i = 0; i < n; i++) s += xa[i] * xb[i];
      G[a * q + b] = G[b * q + a] = s;
    }
    if (a < numeric.length) G[a * q + a] += alpha;
  }
  return choleskyFactor(G, q);
}

/**
 * Minimises (1/2)|y - X theta|²_W + (alpha/2)|w|² (the intercept theta[W] unpenalised; fixed at 0 without one) by
 * preconditioned CG from zero. With alpha = 0 and one-hot columns the system is singular but consistent: CG still
 * converges, to the least-squares solution smallest in the preconditioner's norm (level effects centred on the
 * intercept by row counts).
 */
export function ridgeConjugateGradient(X: FeatureMatrix, d: Design, y: Float64Array, w: Float64Array | undefined, opts: RidgeCgOptions): RidgeCgResult {
  const n = X.nRows;
  const W = d.width;
  const dim = W + 1;
  let sw = 0;
  for (let i = 0; i < n; i++) sw += w ? w[i] : 1;
  const M = new BlockPreconditioner(X, d, w, opts.alpha, opts.fitIntercept);
  const scores = new Float64Array(n);
  // A v = X̃'W X̃ v + alpha P v, into out.
  const multiply = (v: Float64Array, out: Float64Array): void => {
    d.scores(v, 1, scores);
    if (w) for (let i = 0; i < n; i++) scores[i] *= w[i];
    out.fill(0);
    d.addGradient(scores, 1, out);
    for (let j = 0; j < W; j++) out[j] += opts.alpha * v[j];
    if (!opts.fitIntercept) out[W] = 0;
  };
  const theta = new Float64Array(dim);
  const r = new Float64Array(dim);
  const wy = w ? Float64Array.from(y, (v, i) => v * w[i]) : y;
  d.addGradient(wy, 1, r);
  if (!opts.fitIntercept) r[W] = 0;
  const z = new Float64Array(dim);
  const p = new Float64Array(dim);
  const Ap = new Float64Array(dim);
  const gradientMax = () => {
    let m = 0;
    for (let j = 0; j < dim; j++) m = Math.max(m, Math.abs(r[j]));
    return m / sw;
  };
  M.apply(r, z);
  p.set(z);
  let rz = dot(r, z);
  let iter = 0;
  for (; iter < opts.maxIter; iter++) {
    if (gradientMax() <= opts.tol || rz <= 0) return { theta, iterations: iter, converged: true };
    multiply(p, Ap);
    const pAp = dot(p, Ap);
    if (!(pAp > 0)) break;
    const step = rz / pAp;
    for (let j = 0; j < dim; j++) (theta[j] += step * p[j]), (r[j] -= step * Ap[j]);
    M.apply(r, z);
    const rzNew = dot(r, z);
    const beta = rzNew / rz;
    rz = rzNew;
    for (let j = 0; j < dim; j++) p[j] = z[j] + beta * p[j];
    opts.onIteration?.(iter + 1);
  }
  return { theta, iterations: iter, converged: gradientMax() <= opts.tol };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
