// Linear least squares with an optional L2 penalty (ridge; alpha = 0 is plain linear regression), by L-BFGS.

import { RIDGE_PARAMS } from "../param-schemas.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { ParamHolder } from "../params.js";
import { Design, linearScores } from "./design.js";
import type { Explanation } from "../explain/tree-shap.js";
import { lbfgs } from "./lbfgs.js";
import { ridgeNormalEquations } from "./normal-equations.js";

/** Above this many expanded columns the (width^2) Gram matrix costs more than iterating. */
const NORMAL_EQUATIONS_MAX_WIDTH = 400;

export class Ridge extends ParamHolder<Ridge> {
  constructor(params: Record<string, unknown> = {}, name = "ridge") {
    super(name, RIDGE_PARAMS, name === "linear_regression" ? { alpha: 0, ...params } : params);
  }

  clone(): Ridge {
    return new Ridge(this.getParams(), this.name);
  }

  fit(data: TrainingData): FittedRidge {
    const { X, y } = data;
    const n = X.nRows;
    const w = data.weights;
    const design = new Design(X);
    const W = design.width;
    // Small designs with a penalty: exact normal equations. alpha = 0 with one-hot columns is singular
    // (the levels sum to the intercept), so plain linear regression takes L-BFGS's minimiser.
    if (W <= NORMAL_EQUATIONS_MAX_WIDTH && this.num("alpha") > 0) {
      const coef = ridgeNormalEquations(X, y, w, this.num("alpha"), this.params.fit_intercept as boolean);
      if (coef) return new FittedRidge(this.name, { coef, width: W, iterations: 1, converged: true });
    }
    // Solve on a standardised target so the gradient tolerance means the same for prices and for rates.
    let sw = 0;
    let mu = 0;
    for (let i = 0; i < n; i++) (sw += w ? w[i] : 1), (mu += (w ? w[i] : 1) * y[i]);
    mu /= sw;
    let v = 0;
    for (let i = 0; i < n; i++) v += (w ? w[i] : 1) * (y[i] - mu) ** 2;
    const sigma = Math.sqrt(v / sw) || 1;
    const ys = Float64Array.from(y, (t) => (t - mu) / sigma);
    const lambda = this.num("alpha") / sw;
    const fitIntercept = this.params.fit_intercept as boolean;
    const z = new Float64Array(n);
    const r = new Float64Array(n);
    const fg = (theta: Float64Array, grad: Float64Array): number => {
      if (!fitIntercept) theta[W] = -mu / sigma;
      design.scores(theta, 1, z);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const wi = w ? w[i] : 1;
        const e = z[i] - ys[i];
        loss += wi * e * e;
        r[i] = wi * e;
      }
      grad.fill(0);
      design.addGradient(r, 1, grad);
      let pen = 0;
      for (let j = 0; j < W; j++) (pen += theta[j] ** 2), (grad[j] = grad[j] / sw + lambda * theta[j]);
      grad[W] = fitIntercept ? grad[W] / sw : 0;
      return (0.5 * loss) / sw + 0.5 * lambda * pen;
    };
    const res = lbfgs(fg, new Float64Array(W + 1), {
      maxIter: this.num("max_iter"),
      gtol: this.num("tol"),
      ftol: 1e-15,
      memory: 20,
    });
    const coef = res.x.map((c) => c * sigma);
    coef[W] += mu;
    return new FittedRidge(this.name, { coef, width: W, iterations: res.iterations, converged: res.converged });
  }
}

export interface RidgeState {
  coef: Float64Array;
  width: number;
  iterations: number;
  converged: boolean;
}

export class FittedRidge implements FittedEstimator {
  constructor(
    readonly name: string,
    readonly s: RidgeState,
  ) {}

  predict(X: FeatureMatrix): Float64Array {
    const z = new Float64Array(X.nRows);
    linearScores(X, this.s.coef, 1, z);
    return z;
  }

  /** Coefficient × (imputed, scaled) value per column; base = intercept. */
  explain(X: FeatureMatrix): Explanation {
    return new Design(X).contributions(this.s.coef, 1, "value");
  }

  state(): Record<string, unknown> {
    return { ...this.s };
  }
}
