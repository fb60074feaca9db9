// Linear SVM (hinge loss, L2 penalty) by dual coordinate descent (Hsieh et al. 2008, LIBLINEAR's L1-loss SVC),
// one-vs-rest for multiclass; probabilities by Platt scaling of the decision values, fitted on out-of-fold values.

import { LINEAR_SVM_PARAMS } from "../param-schemas.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import { sampleWeights } from "../class-weight.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import type { Explanation } from "../explain/tree-shap.js";
import { ParamHolder } from "../params.js";
import { Rng } from "../rng.js";
import { Design, linearScores } from "./design.js";

/** Row i's columns as (weight index, value) pairs: numeric columns and the one-hot slot of each category. */
function rowEntries(X: FeatureMatrix, design: Design): { idx: Int32Array; val: Float64Array; start: Int32Array } {
  const n = X.nRows;
  const F = X.columns.length;
  const idx = new Int32Array(n * (F + 1));
  const val = new Float64Array(n * (F + 1));
  const start = new Int32Array(n + 1);
  let p = 0;
  for (let i = 0; i < n; i++) {
    start[i] = p;
    X.columns.forEach((c, j) => {
      if (c.kind === "numeric") (idx[p] = design.offsets[j]), (val[p++] = c.values[i]);
      else if (c.codes[i] >= 0) (idx[p] = design.offsets[j] + c.codes[i]), (val[p++] = 1);
    });
    // The intercept as a constant feature (penalised too, as LIBLINEAR's bias term is).
    (idx[p] = design.width), (val[p++] = 1);
  }
  start[n] = p;
  return { idx, val, start };
}

/** Dual CD for min 0.5|w|^2 + sum_i C_i max(0, 1 - y_i w.x_i), y in {-1, +1}; returns w (width + 1, intercept last). */
function dualCd(rows: Uint32Array, e: ReturnType<typeof rowEntries>, width: number, y: Float64Array, Ci: Float64Array, maxIter: number, tol: number, rng: Rng): Float64Array {
  const { idx, val, start } = e;
  const w = new Float64Array(width + 1);
  const m = rows.length;
  const alpha = new Float64Array(m);
  const qd = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const i = rows[j];
    for (let p = start[i]; p < start[i + 1]; p++) qd[j] += val[p] * val[p];
  }
  const order = Uint32Array.from({ length: m }, (_, j) => j);
  for (let iter = 0; iter < maxIter; iter++) {
    rng.shuffle(order);
    let maxPg = -Infinity;
    let minPg = Infinity;
    for (const j of order) {
      const i = rows[j];
      const yi = y[j];
      let dot = 0;
      for (let p = start[i]; p < start[i + 1]; p++) dot += w[idx[p]] * val[p];
      const g = yi * dot - 1;
      const C = Ci[j];
      const a = alpha[j];
      const pg = a === 0 ? Math.min(g, 0) : a === C ? Math.max(g, 0) : g;
      maxPg = Math.max(maxPg, pg);
      minPg = Math.min(minPg, pg);
      if (pg === 0 || qd[j] === 0) continue;
      const next = Math.min(Math.max(a - g / qd[j], 0), C);
      const d = (next - a) * yi;
      alpha[j] = next;
      for (let p = start[i]; p < start[i + 1]; p++) w[idx[p]] += d * val[p];
    }
    if (maxPg - minPg < tol) break;
  }
  return w;
}

/** Platt's sigmoid P(y=1|f) = 1 / (1 + exp(A f + B)) by Newton's method with his prior-corrected targets. */
export function plattFit(f: Float64Array, y: Float64Array): { a: number; b: number } {
  let pos = 0;
  for (const v of y) pos += v;
  const neg = y.length - pos;
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  const t = Float64Array.from(y, (v) => (v === 1 ? hi : lo));
  let a = 0;
  let b = Math.log((neg + 1) / (pos + 1));
  for (let it = 0; it < 100; it++) {
    let g1 = 0;
    let g2 = 0;
    let h11 = 1e-12;
    let h22 = 1e-12;
    let h21 = 0;
    for (let i = 0; i < f.length; i++) {
      const z = a * f[i] + b;
      const p = z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
      const d1 = t[i] - p;
      const d2 = p * (1 - p);
      g1 += f[i] * d1;
      g2 += d1;
      h11 += f[i] * f[i] * d2;
      h22 += d2;
      h21 += f[i] * d2;
    }
    const det = h11 * h22 - h21 * h21;
    const da = -(h22 * g1 - h21 * g2) / det;
    const db = -(-h21 * g1 + h11 * g2) / det;
    a += da;
    b += db;
    if (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}

export interface LinearSvmState {
  /** Per output k a block of width + 1 weights (intercept last), as Design lays them out. */
  coef: Float64Array;
  outputs: number;
  nClasses: number;
  platt: Float64Array;
}

export class LinearSvm extends ParamHolder<LinearSvm> {
  constructor(params: Record<string, unknown> = {}) {
    super("linear_svm", LINEAR_SVM_PARAMS, params);
  }

  clone(): LinearSvm {
    return new LinearSvm(this.getParams());
  }

  fit(data: TrainingData): FittedLinearSvm {
    const { X, y, nClasses } = data;
    const n = X.nRows;
    const K = nClasses === 2 ? 1 : nClasses;
    const design = new Design(X);
    const W = design.width;
    const e = rowEntries(X, design);
    const sw = sampleWeights(y, nClasses, this.params.class_weight as string, data.weights);
    const C = this.num("C");
    const all = Uint32Array.from({ length: n }, (_, i) => i);
    const folds = this.num("platt_cv");
    const coef = new Float64Array(K * (W + 1));
    const platt = new Float64Array(2 * K);
    const rng = new Rng(data.seed);
    for (let k = 0; k < K; k++) {
      const target = (i: number) => ((K === 1 ? y[i] === 1 : y[i] === k) ? 1 : -1);
      const train = (rows: Uint32Array) =>
        dualCd(rows, e, W, Float64Array.from(rows, target), Float64Array.from(rows, (i) => C * (sw ? sw[i] : 1)), this.num("max_iter"), this.num("tol"), rng);
      const w = train(all);
      coef.set(w, k * (W + 1));
      // Out-of-fold decision values, so the sigmoid is not fitted on values the SVM was trained to push past 1.
      const f = new Float64Array(n);
      if (folds >= 2 && n >= 2 * folds) {
        const byRow = new Int32Array(n);
        rng.shuffle(Uint32Array.from(all)).forEach((r, j) => (byRow[r] = j % folds));
        for (let q = 0; q < folds; q++) {
          const wq = train(all.filter((i) => byRow[i] !== q));
          for (let i = 0; i < n; i++) if (byRow[i] === q) f[i] = decision(e, wq, i);
        }
      } else for (let i = 0; i < n; i++) f[i] = decision(e, w, i);
      const { a, b } = plattFit(f, Float64Array.from(all, (i) => (target(i) === 1 ? 1 : 0)));
      platt[2 * k] = a;
      platt[2 * k + 1] = b;
    }
    return new FittedLinearSvm({ coef, outputs: K, nClasses, platt });
  }
}

function decision(e: ReturnType<typeof rowEntries>, w: Float64Array, i: number): number {
  let s = 0;
  for (let p = e.start[i]; p < e.start[i + 1]; p++) s += w[e.idx[p]] * e.val[p];
  return s;
}

export class FittedLinearSvm implements FittedEstimator {
  readonly name = "linear_svm";

  constructor(readonly s: LinearSvmState) {}

  /** Decision values, class-major n x outputs (intercept included). */
  decisionFunction(X: FeatureMatrix): Float64Array {
    const z = new Float64Array(X.nRows * this.s.outputs);
    linearScores(X, this.s.coef, this.s.outputs, z);
    return z;
  }

  predict(X: FeatureMatrix): Float64Array {
    const n = X.nRows;
    const { outputs: K, nClasses: C, platt } = this.s;
    const z = this.decisionFunction(X);
    const sig = (k: number, v: number) => 1 / (1 + Math.exp(platt[2 * k] * v + platt[2 * k + 1]));
    const out = new Float64Array(n * C);
    for (let i = 0; i < n; i++) {
      if (K === 1) {
        const p = sig(0, z[i]);
        (out[2 * i] = 1 - p), (out[2 * i + 1] = p);
        continue;
      }
      let sum = 0;
      for (let k = 0; k < K; k++) sum += out[i * C + k] = sig(k, z[k * n + i]);
      for (let k = 0; k < K; k++) out[i * C + k] /= sum;
    }
    return out;
  }

  /** Coefficient × (imputed, scaled) value per column of the decision value (per class, one-vs-rest); base = intercept. */
  explain(X: FeatureMatrix): Explanation {
    return new Design(X).contributions(this.s.coef, this.s.outputs, "decision value");
  }

  state(): Record<string, unknown> {
    return { ...this.s };
  }
}
