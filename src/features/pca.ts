// Principal component analysis of a matrix's numeric columns (categorical columns pass through): the eigenvectors
// of the covariance matrix by cyclic Jacobi rotations, largest variance first.

import { ValidationError } from "../errors.js";
import type { FeatureColumn, FeatureMatrix } from "./matrix.js";

export interface PcaState {
  /** Names of the numeric input columns, in the order the components weigh them. */
  inputs: string[];
  mean: Float64Array;
  /** k x p, row c = component c's unit loading vector. */
  components: Float64Array;
  k: number;
  explainedVariance: Float64Array;
  /** Share of the total variance each component explains. */
  explainedRatio: Float64Array;
  whiten: boolean;
}

/** Largest number of numeric inputs: the covariance is p x p and Jacobi costs O(p^3) per sweep. */
export const PCA_MAX_INPUTS = 400;

/** Eigen-decomposition of a symmetric p x p matrix a (overwritten): eigenvalues and column eigenvectors v. */
function jacobi(a: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += a[i * p + j] ** 2;
    if (off < 1e-22) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = a[i * p + j];
        if (Math.abs(aij) < 1e-300) continue;
        const theta = (a[j * p + j] - a[i * p + i]) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const aki = a[k * p + i];
          const akj = a[k * p + j];
          a[k * p + i] = c * aki - s * akj;
          a[k * p + j] = s * aki + c * akj;
        }
        for (let k = 0; k < p; k++) {
          const aik = a[i * p + k];
          const ajk = a[j * p + k];
          a[i * p + k] = c * aik - s * ajk;
          a[j * p + k] = s * aik + c * ajk;
        }
        for (let k = 0; k < p; k++) {
          const vki = v[k * p + i];
          const vkj = v[k * p + j];
          v[k * p + i] = c * vki - s * vkj;
          v[k * p + j] = s * vki + c * vkj;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: p }, (_, i) => a[i * p + i]), vectors: v };
}

/**
 * Fits PCA on the numeric columns of X (no NaN: impute first). `nComponents` >= 1 is a count; in (0, 1) the
 * smallest count that explains that share of the variance.
 */
export function fitPca(X: FeatureMatrix, nComponents: number, whiten = false): PcaState {
  const cols = X.columns.filter((c): c is Extract<FeatureColumn, { kind: "numeric" }> => c.kind === "numeric");
  const p = cols.length;
  const n = X.nRows;
  if (p === 0) throw new ValidationError("pca needs at least one numeric input column", { path: "params.n_components" });
  if (p > PCA_MAX_INPUTS) throw new ValidationError(`pca takes at most ${PCA_MAX_INPUTS} numeric inputs, got ${p}`, { path: "features", hint: "select fewer columns" });
  const mean = Float64Array.from(cols, (c) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += c.values[i];
    if (!Number.isFinite(s)) throw new ValidationError(`pca input "${c.name}" has missing or infinite values`, { path: c.name, hint: "impute it first" });
    return s / n;
  });
  const cov = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      const va = cols[a].values;
      const vb = cols[b].values;
      let s = 0;
      for (let i = 0; i < n; i++) s += (va[i] - mean[a]) * (vb[i] - mean[b]);
      cov[a * p + b] = cov[b * p + a] = s / Math.max(n - 1, 1);
    }
  }
  const { values, vectors } = jacobi(cov, p);
  const order = Array.from({ length: p }, (_, i) => i).sort((i, j) => values[j] - values[i]);
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0) || 1;
  let k = Math.min(p, Math.floor(nComponents));
  if (nComponents < 1) {
    let acc = 0;
    k = 0;
    while (k < p && acc < nComponents * total - 1e-12) acc += Math.max(values[order[k++]], 0);
    k = Math.max(k, 1);
  }
  const components = new Float64Array(k * p);
  for (let c = 0; c < k; c++) {
    // Sign fixed so the largest loading is positive: the same data gives the same components on every machine.
    let big = 0;
    for (let j = 0; j < p; j++) if (Math.abs(vectors[j * p + order[c]]) > Math.abs(big)) big = vectors[j * p + order[c]];
    for (let j = 0; j < p; j++) components[c * p + j] = vectors[j * p + order[c]] * (big < 0 ? -1 : 1);
  }
  const explainedVariance = Float64Array.from({ length: k }, (_, c) => Math.max(values[order[c]], 0));
  return { inputs: cols.map((c) => c.name), mean, components, k, explainedVariance, explainedRatio: explainedVariance.map((v) => v / total), whiten };
}

/** The k component scores as columns pc1..pck, then X's categorical columns unchanged. */
export function applyPca(s: PcaState, X: FeatureMatrix): FeatureMatrix {
  const p = s.inputs.length;
  const n = X.nRows;
  const byName = new Map(X.columns.map((c) => [c.name, c]));
  const inputs = s.inputs.map((name) => {
    const c = byName.get(name);
    if (!c || c.kind !== "numeric") throw new ValidationError(`pca input "${name}" is missing`, { path: name });
    return c.values;
  });
  const out: FeatureColumn[] = [];
  for (let c = 0; c < s.k; c++) {
    const v = new Float64Array(n);
    const scale = s.whiten && s.explainedVariance[c] > 0 ? 1 / Math.sqrt(s.explainedVariance[c]) : 1;
    for (let j = 0; j < p; j++) {
      const w = s.components[c * p + j] * scale;
      if (w === 0) continue;
      const x = inputs[j];
      const m = s.mean[j];
      for (let i = 0; i < n; i++) v[i] += w * (x[i] - m);
    }
    out.push({ name: `pc${c + 1}`, kind: "numeric", values: v });
  }
  for (const c of X.columns) if (c.kind === "categorical") out.push(c);
  return { nRows: n, columns: out };
}
