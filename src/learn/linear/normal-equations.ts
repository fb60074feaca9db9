// Ridge by its normal equations: (X'WX + alpha I) w = X'Wy with an unpenalised intercept, solved by Cholesky.
// For designs up to a few hundred columns this is exact and takes milliseconds (L-BFGS took 0.7 s on diamonds).

import type { FeatureMatrix } from "../../features/matrix.js";
import { Design } from "./design.js";

/** The (width + 1)^2 Gram matrix of [X, 1] and X'y (weighted), from the implicit one-hot design. */
function gram(X: FeatureMatrix, d: Design, y: Float64Array, w: Float64Array | undefined): { A: Float64Array; b: Float64Array } {
  const W = d.width + 1;
  const n = X.nRows;
  const A = new Float64Array(W * W);
  const b = new Float64Array(W);
  // Expanded row i as (index, value) pairs: numeric columns give (offset, x), categorical (offset + code, 1).
  const idx = new Int32Array(X.columns.length + 1);
  const val = new Float64Array(X.columns.length + 1);
  for (let i = 0; i < n; i++) {
    let m = 0;
    X.columns.forEach((c, j) => {
      if (c.kind === "numeric") (idx[m] = d.offsets[j]), (val[m++] = c.values[i]);
      else if (c.codes[i] >= 0) (idx[m] = d.offsets[j] + c.codes[i]), (val[m++] = 1);
    });
    idx[m] = W - 1;
    val[m++] = 1;
    const wi = w ? w[i] : 1;
    for (let p = 0; p < m; p++) {
      const vp = wi * val[p];
      b[idx[p]] += vp * y[i];
      for (let q = 0; q < m; q++) A[idx[p] * W + idx[q]] += vp * val[q];
    }
  }
  return { A, b };
}

/** Solves A x = b for symmetric positive definite A; null when A is not positive definite. */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const L = choleskyFactor(A, n);
  return L ? choleskySolveFactored(L, b, n) : null;
}

/** The lower Cholesky factor L (n × n, row-major) of symmetric A = L L'; null when A is not positive definite. */
export function choleskyFactor(A: Float64Array, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 1e-12 * Math.max(1, Math.abs(A[i * n + i])))) return null;
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  return L;
}

/** x with L L' x = b, for L from choleskyFactor. */
export function choleskySolveFactored(L: Float64Array, b: Float64Array, n: number): Float64Array {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
    z[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/** Ridge coefficients [w..., intercept], or null when the system is singular (caller falls back to L-BFGS). */
export function ridgeNormalEquations(X: FeatureMatrix, y: Float64Array, w: Float64Array | undefined, alpha: number, fitIntercept: boolean): Float64Array | null {
  const d = new Design(X);
  const W = d.width + 1;
  const { A, b } = gram(X, d, y, w);
  for (let j = 0; j < d.width; j++) A[j * W + j] += alpha;
  if (!fitIntercept) {
    const sub = new Float64Array(d.width * d.width);
    for (let i = 0; i < d.width; i++) for (let j = 0; j < d.width; j++) sub[i * d.width + j] = A[i * W + j];
    const x = choleskySolve(sub, b.subarray(0, d.width), d.width);
    return x ? Float64Array.from([...x, 0]) : null;
  }
  return choleskySolve(A, b, W);
}
