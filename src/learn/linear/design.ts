// The design matrix of linear models: numeric columns as they are, categorical columns as implicit one-hot.

import type { FeatureMatrix } from "../../features/matrix.js";
import type { Explanation } from "../explain/tree-shap.js";

/**
 * Weights are laid out per output k as a block of (width + 1): the column weights, then the intercept.
 * One-hot columns are never materialised: a categorical column adds w[offset + code] (code -1 adds nothing).
 */
export class Design {
  readonly width: number;
  readonly offsets: Int32Array;

  constructor(readonly X: FeatureMatrix) {
    this.offsets = new Int32Array(X.columns.length);
    let w = 0;
    X.columns.forEach((c, j) => {
      this.offsets[j] = w;
      w += c.kind === "numeric" ? 1 : c.levels;
    });
    this.width = w;
  }

  /** z[k * n + i] = intercept_k + x_i . w_k for K outputs. */
  scores(w: Float64Array, K: number, z: Float64Array): void {
    linearScores(this.X, w, K, z);
  }

  /**
   * Coefficient × value of each column per row and output (a categorical column: its level's weight), the intercept in
   * the last slot: values[(i * K + k) * (F + 1) + f], summing to the row's score.
   */
  contributions(w: Float64Array, K: number, scale: string): Explanation {
    const n = this.X.nRows;
    const F = this.X.columns.length;
    const W = this.width;
    const values = new Float64Array(n * K * (F + 1));
    for (let k = 0; k < K; k++) {
      const base = k * (W + 1);
      for (let i = 0; i < n; i++) values[(i * K + k) * (F + 1) + F] = w[base + W];
      this.X.columns.forEach((c, j) => {
        const off = base + this.offsets[j];
        for (let i = 0; i < n; i++) {
          const at = (i * K + k) * (F + 1) + j;
          if (c.kind === "numeric") values[at] = w[off] * c.values[i];
          else if (c.codes[i] >= 0) values[at] = w[off + c.codes[i]];
        }
      });
    }
    return { features: this.X.columns.map((c) => c.name), outputs: K, values, scale };
  }

  /**
   * The diagonal of [X, 1]'W[X, 1] (one output): Σ w·x² per expanded column (a level: its rows' weight), the
   * intercept's (Σ w) last. What diagonal preconditioners of one-hot designs are made of.
   */
  squaredNorms(w: Float64Array | undefined): Float64Array {
    const n = this.X.nRows;
    const out = new Float64Array(this.width + 1);
    this.X.columns.forEach((c, j) => {
      const off = this.offsets[j];
      if (c.kind === "numeric") {
        let s = 0;
        for (let i = 0; i < n; i++) s += (w ? w[i] : 1) * c.values[i] * c.values[i];
        out[off] = s;
      } else for (let i = 0; i < n; i++) if (c.codes[i] >= 0) out[off + c.codes[i]] += w ? w[i] : 1;
    });
    for (let i = 0; i < n; i++) out[this.width] += w ? w[i] : 1;
    return out;
  }

  /** g[block k] += X^T r_k (and the intercept gets sum r_k), for residuals r laid out like z. */
  addGradient(r: Float64Array, K: number, g: Float64Array): void {
    const n = this.X.nRows;
    const W = this.width;
    for (let k = 0; k < K; k++) {
      const base = k * (W + 1);
      const rk = r.subarray(k * n, (k + 1) * n);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += rk[i];
      g[base + W] += sum;
      this.X.columns.forEach((c, j) => {
        const off = base + this.offsets[j];
        if (c.kind === "numeric") {
          const v = c.values;
          let s = 0;
          for (let i = 0; i < n; i++) s += rk[i] * v[i];
          g[off] += s;
        } else {
          const codes = c.codes;
          for (let i = 0; i < n; i++) if (codes[i] >= 0) g[off + codes[i]] += rk[i];
        }
      });
    }
  }
}

/**
 * Design.scores without a Design: z[k * n + i] = intercept_k + x_i . w_k, the columns added in order (the same sums,
 * bit for bit). Allocates nothing (no offsets array, views or closures): what a fitted linear model's predict calls,
 * once per request on a server.
 */
export function linearScores(X: FeatureMatrix, w: Float64Array, K: number, z: Float64Array): void {
  const n = X.nRows;
  const cols = X.columns;
  let W = 0;
  for (let j = 0; j < cols.length; j++) {
    const c = cols[j];
    W += c.kind === "numeric" ? 1 : c.levels;
  }
  for (let k = 0; k < K; k++) {
    const base = k * (W + 1);
    const at = k * n;
    const intercept = w[base + W];
    for (let i = 0; i < n; i++) z[at + i] = intercept;
    let off = base;
    for (let j = 0; j < cols.length; j++) {
      const c = cols[j];
      if (c.kind === "numeric") {
        const wj = w[off++];
        if (wj === 0) continue;
        const v = c.values;
        for (let i = 0; i < n; i++) z[at + i] += wj * v[i];
      } else {
        const codes = c.codes;
        for (let i = 0; i < n; i++) if (codes[i] >= 0) z[at + i] += w[off + codes[i]];
        off += c.levels;
      }
    }
  }
}
