// Lasso and elastic-net linear regression by cyclic coordinate descent (scikit-learn's objective:
// 1/(2n) |y - Xw - b|^2 + alpha * l1_ratio * |w|_1 + alpha * (1 - l1_ratio) / 2 * |w|^2).

import { ELASTIC_NET_PARAMS } from "../param-schemas.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { TrainingData } from "../estimator.js";
import { ParamHolder } from "../params.js";
import { Design } from "./design.js";
import { FittedRidge } from "./ridge.js";

const soft = (z: number, t: number): number => (z > t ? z - t : z < -t ? z + t : 0);

export class ElasticNet extends ParamHolder<ElasticNet> {
  constructor(params: Record<string, unknown> = {}, name: "elastic_net" | "lasso" = "elastic_net") {
    // Lasso pins l1_ratio (also through setParams, so a search cannot turn it back into elastic net).
    super(name, ELASTIC_NET_PARAMS, params, name === "lasso" ? { l1_ratio: 1 } : {});
  }

  clone(): ElasticNet {
    return new ElasticNet(this.getParams(), this.name as "elastic_net" | "lasso");
  }

  fit(data: TrainingData): FittedRidge {
    const { X, y } = data;
    const n = X.nRows;
    const design = new Design(X);
    const W = design.width;
    const coef = new Float64Array(W + 1);
    const l1 = this.num("alpha") * this.num("l1_ratio") * n;
    const l2 = this.num("alpha") * (1 - this.num("l1_ratio")) * n;
    const fitIntercept = this.params.fit_intercept as boolean;
    // Residual r = y - Xw - b, kept current as coordinates move.
    const r = Float64Array.from(y);
    if (fitIntercept) {
      coef[W] = r.reduce((a, b) => a + b, 0) / n;
      for (let i = 0; i < n; i++) r[i] -= coef[W];
    }
    const norms = columnNorms(X, design);
    let yScale = 0;
    for (let i = 0; i < n; i++) yScale = Math.max(yScale, Math.abs(y[i]));
    const maxIter = this.num("max_iter");
    let iter = 0;
    let converged = false;
    for (; iter < maxIter; iter++) {
      let maxDelta = 0;
      let maxW = 0;
      X.columns.forEach((c, j) => {
        const off = design.offsets[j];
        if (c.kind === "numeric") {
          const v = c.values;
          const old = coef[off];
          let rho = 0;
          for (let i = 0; i < n; i++) rho += v[i] * r[i];
          rho += norms[off] * old;
          const w = norms[off] > 0 ? soft(rho, l1) / (norms[off] + l2) : 0;
          if (w !== old) for (let i = 0; i < n; i++) r[i] -= v[i] * (w - old);
          coef[off] = w;
          maxDelta = Math.max(maxDelta, Math.abs(w - old));
          maxW = Math.max(maxW, Math.abs(w));
        } else {
          // A one-hot block: its columns never share a row, so all levels update at once exactly.
          const codes = c.codes;
          const rho = new Float64Array(c.levels);
          for (let i = 0; i < n; i++) if (codes[i] >= 0) rho[codes[i]] += r[i];
          const delta = new Float64Array(c.levels);
          for (let l = 0; l < c.levels; l++) {
            const old = coef[off + l];
            const nl = norms[off + l];
            const w = nl > 0 ? soft(rho[l] + nl * old, l1) / (nl + l2) : 0;
            delta[l] = w - old;
            coef[off + l] = w;
            maxDelta = Math.max(maxDelta, Math.abs(w - old));
            maxW = Math.max(maxW, Math.abs(w));
          }
          for (let i = 0; i < n; i++) if (codes[i] >= 0) r[i] -= delta[codes[i]];
        }
      });
      if (fitIntercept) {
        const shift = r.reduce((a, b) => a + b, 0) / n;
        coef[W] += shift;
        for (let i = 0; i < n; i++) r[i] -= shift;
      }
      // scikit-learn's first test: the largest coordinate move is small relative to the largest weight.
      if (maxDelta <= this.num("tol") * Math.max(maxW, 1e-12 * Math.max(yScale, 1))) {
        converged = true;
        break;
      }
    }
    return new FittedRidge(this.name, { coef, width: W, iterations: iter, converged });
  }
}

/** Squared norm of every expanded column (one-hot: the level's row count). */
function columnNorms(X: FeatureMatrix, design: Design): Float64Array {
  const norms = new Float64Array(design.width);
  X.columns.forEach((c, j) => {
    const off = design.offsets[j];
    if (c.kind === "numeric") {
      let s = 0;
      for (let i = 0; i < X.nRows; i++) s += c.values[i] * c.values[i];
      norms[off] = s;
    } else for (let i = 0; i < X.nRows; i++) if (c.codes[i] >= 0) norms[off + c.codes[i]]++;
  });
  return norms;
}
