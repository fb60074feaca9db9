// Logistic regression (binary and multinomial) with L2 penalty, fitted by L-BFGS on the implicit one-hot design
// (O(non-zeros) a step), preconditioned by each weight's curvature so rare levels converge as fast as common ones.

import { z } from "zod";
import { LOGISTIC_PARAMS } from "../param-schemas.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import { sampleWeights } from "../class-weight.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { ParamHolder } from "../params.js";
import { Design, linearScores } from "./design.js";
import type { Explanation } from "../explain/tree-shap.js";
import { fista } from "./fista.js";
import { lbfgs } from "./lbfgs.js";

export class LogisticRegression extends ParamHolder<LogisticRegression> {
  constructor(params: Record<string, unknown> = {}) {
    super("logistic_regression", LOGISTIC_PARAMS, params);
  }

  clone(): LogisticRegression {
    return new LogisticRegression(this.getParams());
  }

  fit(data: TrainingData): FittedLogistic {
    const { X, y, nClasses } = data;
    const n = X.nRows;
    const K = nClasses === 2 ? 1 : nClasses;
    const design = new Design(X);
    const W = design.width;
    const w = sampleWeights(y, nClasses, this.params.class_weight as string, data.weights);
    let sw = n;
    if (w) sw = w.reduce((a, b) => a + b, 0);
    const penalty = this.params.penalty as string;
    const l1Share = penalty === "l1" ? 1 : penalty === "elasticnet" ? this.num("l1_ratio") : 0;
    const lambda = penalty === "none" ? 0 : (1 - l1Share) / (this.num("C") * sw);
    const fitIntercept = this.params.fit_intercept as boolean;
    const z = new Float64Array(n * K);
    const r = new Float64Array(n * K);
    const fg = (theta: Float64Array, grad: Float64Array): number => {
      if (!fitIntercept) for (let k = 0; k < K; k++) theta[k * (W + 1) + W] = 0;
      design.scores(theta, K, z);
      const loss = K === 1 ? binaryResiduals(z, y, w, r) : multinomialResiduals(z, y, w, r, K, n);
      grad.fill(0);
      design.addGradient(r, K, grad);
      let penalty = 0;
      for (let k = 0; k < K; k++) {
        const base = k * (W + 1);
        for (let j = 0; j < W; j++) {
          penalty += theta[base + j] ** 2;
          grad[base + j] = grad[base + j] / sw + lambda * theta[base + j];
        }
        grad[base + W] = fitIntercept ? grad[base + W] / sw : 0;
      }
      return loss / sw + 0.5 * lambda * penalty;
    };
    const x0 = new Float64Array(K * (W + 1));
    let res: { x: Float64Array; iterations: number; converged: boolean };
    // Progress after every iteration: a caller's stopper (auto's budget) may throw from it.
    const report = data.onProgress;
    const maxIter = this.num("max_iter") * (l1Share > 0 ? 10 : 1);
    const onIteration = report ? (it: number) => report(it, maxIter) : undefined;
    if (l1Share > 0) {
      // L1 is not smooth: proximal gradient, the intercepts left unpenalised.
      const l1 = new Float64Array(K * (W + 1)).fill(l1Share / (this.num("C") * sw));
      for (let k = 0; k < K; k++) l1[k * (W + 1) + W] = 0;
      res = fista(fg, x0, { maxIter, tol: this.num("tol") * 1e-2, l1, onIteration });
    } else res = lbfgs(fg, x0, { maxIter, gtol: this.num("tol"), scale: inverseCurvature(design, w, lambda * sw, K), onIteration });
    return new FittedLogistic({ coef: res.x, outputs: K, width: W, nClasses, iterations: res.iterations, converged: res.converged });
  }
}

/**
 * L-BFGS's initial inverse Hessian for a one-hot design: per weight 1 / (Σ w·x²/4 + penalty), the curvature of
 * the log loss at p = 1/2 (a level's rows' weight for its one-hot column), the same for every output block.
 */
function inverseCurvature(design: Design, w: Float64Array | undefined, penalty: number, K: number): Float64Array {
  const W = design.width;
  const norms = design.squaredNorms(w);
  const out = new Float64Array(K * (W + 1));
  for (let k = 0; k < K; k++) for (let j = 0; j <= W; j++) {
    const c = norms[j] / 4 + (j < W ? penalty : 0);
    out[k * (W + 1) + j] = c > 0 ? 1 / c : 1;
  }
  return out;
}

/** Sum of weighted log losses; r = w * (p - y). */
function binaryResiduals(z: Float64Array, y: Float64Array, w: Float64Array | undefined, r: Float64Array): number {
  let loss = 0;
  for (let i = 0; i < z.length; i++) {
    const zi = z[i];
    const wi = w ? w[i] : 1;
    const p = 1 / (1 + Math.exp(-zi));
    loss += wi * ((zi > 0 ? zi + Math.log1p(Math.exp(-zi)) : Math.log1p(Math.exp(zi))) - y[i] * zi);
    r[i] = wi * (p - y[i]);
  }
  return loss;
}

function multinomialResiduals(z: Float64Array, y: Float64Array, w: Float64Array | undefined, r: Float64Array, K: number, n: number): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, z[k * n + i]);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(z[k * n + i] - max);
    const lse = max + Math.log(sum);
    const wi = w ? w[i] : 1;
    loss += wi * (lse - z[y[i] * n + i]);
    for (let k = 0; k < K; k++) r[k * n + i] = wi * (Math.exp(z[k * n + i] - lse) - (y[i] === k ? 1 : 0));
  }
  return loss;
}

export interface LogisticState {
  coef: Float64Array;
  outputs: number;
  width: number;
  nClasses: number;
  iterations: number;
  converged: boolean;
}

/** Scores of calls up to this many values go to one reused array (a server's requests); larger ones get their own. */
const SCRATCH_MAX = 16_384;
let scratch = new Float64Array(64);

/** A Float64Array of at least `size` values for scores read before the next call (reused when small). */
function scratchScores(size: number): Float64Array {
  if (size > SCRATCH_MAX) return new Float64Array(size);
  if (scratch.length < size) scratch = new Float64Array(Math.min(SCRATCH_MAX, Math.max(size, 2 * scratch.length)));
  return scratch;
}

export class FittedLogistic implements FittedEstimator {
  readonly name = "logistic_regression";

  constructor(readonly s: LogisticState) {}

  predict(X: FeatureMatrix): Float64Array {
    const out = new Float64Array(X.nRows * this.s.nClasses);
    this.predictInto(X, out);
    return out;
  }

  predictInto(X: FeatureMatrix, out: Float64Array): void {
    const n = X.nRows;
    const K = this.s.outputs;
    const z = scratchScores(n * K);
    linearScores(X, this.s.coef, K, z);
    const C = this.s.nClasses;
    if (K === 1) {
      for (let i = 0; i < n; i++) {
        const p = 1 / (1 + Math.exp(-z[i]));
        out[2 * i] = 1 - p;
        out[2 * i + 1] = p;
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, z[k * n + i]);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += out[i * C + k] = Math.exp(z[k * n + i] - max);
      for (let k = 0; k < K; k++) out[i * C + k] /= sum;
    }
  }

  /** Coefficient × (imputed, scaled) value per column of the log-odds (per class for multinomial); base = intercept. */
  explain(X: FeatureMatrix): Explanation {
    return new Design(X).contributions(this.s.coef, this.s.outputs, this.s.outputs === 1 ? "log-odds" : "margin");
  }

  state(): Record<string, unknown> {
    return { ...this.s };
  }
}
