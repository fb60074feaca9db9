// Linear least squares with an optional L2 penalty (ridge; alpha = 0 is plain linear regression): normal equations
// for narrow designs, preconditioned conjugate gradients (ridge-cg.ts) for wide ones and for alpha = 0.

import { RIDGE_PARAMS } from "../param-schemas.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { ParamHolder } from "../params.js";
import { Design, linearScores } from "./design.js";
import type { Explanation } from "../explain/tree-shap.js";
import { ridgeNormalEquations } from "./normal-equations.js";
import { ridgeConjugateGradient } from "./ridge-cg.js";

/** Above this many expanded columns the (width^2) Gram matrix costs more than iterating (O(non-zeros) a step). */
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
    // (the levels sum to the intercept), so plain linear regression takes CG's least-squares solution.
    if (W <= NORMAL_EQUATIONS_MAX_WIDTH && this.num("alpha") > 0) {
      const coef = ridgeNormalEquations(X, y, w, this.num("alpha"), this.params.fit_intercept as boolean);
      if (coef) return new FittedRidge(this.name, { coef, width: W, iterations: 1, converged: true });
    }
    // Solve on a standardised target so the gradient tolerance means the same for prices and for rates.
    const fitIntercept = this.params.fit_intercept as boolean;
    let sw = 0;
    let mu = 0;
    for (let i = 0; i < n; i++) (sw += w ? w[i] : 1), (mu += (w ? w[i] : 1) * y[i]);
    mu /= sw;
    let v = 0;
    for (let i = 0; i < n; i++) v += (w ? w[i] : 1) * (y[i] - mu) ** 2;
    const sigma = Math.sqrt(v / sw) || 1;
    // Without an intercept the target is scaled, not centred: the fitted intercept stays 0.
    const shift = fitIntercept ? mu : 0;
    const ys = Float64Array.from(y, (t) => (t - shift) / sigma);
    const maxIter = this.num("max_iter");
    // Progress after every iteration: a caller's stopper (auto's budget) may throw from it.
    const report = data.onProgress;
    const onIteration = report ? (it: number) => report(it, maxIter) : undefined;
    const res = ridgeConjugateGradient(X, design, ys, w, { alpha: this.num("alpha"), fitIntercept, maxIter, tol: this.num("tol"), onIteration });
    const coef = res.theta.map((c) => c * sigma);
    coef[W] += shift;
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
