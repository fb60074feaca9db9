// Naive Bayes for mixed inputs: a Gaussian likelihood per numeric column and a categorical likelihood (Laplace
// smoothed counts) per text column, class priors from the training rows.

import { NAIVE_BAYES_PARAMS } from "../param-schemas.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { ParamHolder } from "../params.js";

export class NaiveBayes extends ParamHolder<NaiveBayes> {
  constructor(params: Record<string, unknown> = {}) {
    super("naive_bayes", NAIVE_BAYES_PARAMS, params);
  }

  clone(): NaiveBayes {
    return new NaiveBayes(this.getParams());
  }

  fit(data: TrainingData): FittedNaiveBayes {
    const { X, y, nClasses: K } = data;
    const n = X.nRows;
    const w = data.weights;
    const prior = new Float64Array(K);
    for (let i = 0; i < n; i++) prior[y[i]] += w ? w[i] : 1;
    const total = prior.reduce((a, b) => a + b, 0);
    const logPrior = prior.map((c) => Math.log(Math.max(c, 1e-300) / total));
    const numeric: { mean: Float64Array; variance: Float64Array }[] = [];
    const categorical: { logProb: Float64Array; levels: number }[] = [];
    let maxVar = 0;
    for (const c of X.columns) {
      if (c.kind === "numeric") {
        const mean = new Float64Array(K);
        const sq = new Float64Array(K);
        for (let i = 0; i < n; i++) (mean[y[i]] += (w ? w[i] : 1) * c.values[i]);
        for (let k = 0; k < K; k++) mean[k] = prior[k] > 0 ? mean[k] / prior[k] : 0;
        for (let i = 0; i < n; i++) sq[y[i]] += (w ? w[i] : 1) * (c.values[i] - mean[y[i]]) ** 2;
        const variance = sq.map((s, k) => (prior[k] > 0 ? s / prior[k] : 0));
        let all = 0;
        let m = 0;
        for (let i = 0; i < n; i++) m += c.values[i] / n;
        for (let i = 0; i < n; i++) all += (c.values[i] - m) ** 2 / n;
        maxVar = Math.max(maxVar, all);
        numeric.push({ mean, variance });
      } else {
        const L = c.levels;
        const counts = new Float64Array(K * L);
        for (let i = 0; i < n; i++) if (c.codes[i] >= 0) counts[y[i] * L + c.codes[i]] += w ? w[i] : 1;
        const alpha = this.num("alpha");
        const logProb = new Float64Array(K * L);
        for (let k = 0; k < K; k++) {
          let rowTotal = 0;
          for (let l = 0; l < L; l++) rowTotal += counts[k * L + l];
          for (let l = 0; l < L; l++) logProb[k * L + l] = Math.log((counts[k * L + l] + alpha) / Math.max(rowTotal + alpha * L, 1e-300));
        }
        categorical.push({ logProb, levels: L });
      }
    }
    // Smoothing keeps a constant column (variance 0) from dividing by zero.
    const eps = this.num("var_smoothing") * Math.max(maxVar, 1e-12);
    for (const s of numeric) for (let k = 0; k < K; k++) s.variance[k] += eps;
    return new FittedNaiveBayes({ nClasses: K, logPrior, numeric, categorical });
  }
}

export interface NaiveBayesState {
  nClasses: number;
  logPrior: Float64Array;
  numeric: { mean: Float64Array; variance: Float64Array }[];
  categorical: { logProb: Float64Array; levels: number }[];
}

export class FittedNaiveBayes implements FittedEstimator {
  readonly name = "naive_bayes";

  constructor(readonly s: NaiveBayesState) {}

  predict(X: FeatureMatrix): Float64Array {
    const n = X.nRows;
    const K = this.s.nClasses;
    const joint = new Float64Array(n * K);
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) joint[i * K + k] = this.s.logPrior[k];
    let ni = 0;
    let ci = 0;
    for (const c of X.columns) {
      if (c.kind === "numeric") {
        const { mean, variance } = this.s.numeric[ni++];
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < K; k++) joint[i * K + k] -= 0.5 * Math.log(2 * Math.PI * variance[k]) + (c.values[i] - mean[k]) ** 2 / (2 * variance[k]);
        }
      } else {
        const { logProb, levels } = this.s.categorical[ci++];
        // An unseen category (code -1) carries no evidence either way.
        for (let i = 0; i < n; i++) if (c.codes[i] >= 0) for (let k = 0; k < K; k++) joint[i * K + k] += logProb[k * levels + c.codes[i]];
      }
    }
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, joint[i * K + k]);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += joint[i * K + k] = Math.exp(joint[i * K + k] - max);
      for (let k = 0; k < K; k++) joint[i * K + k] /= sum;
    }
    return joint;
  }

  state(): Record<string, unknown> {
    return { ...this.s };
  }
}
