// Biased matrix factorisation by SGD (Funk SVD as Surprise's SVD): r̂ = mu + b_u + b_i + q_i · p_u, one step per
// rating in a reshuffled order each epoch, Surprise's defaults.

import { z } from "zod";
import { ParamHolder } from "../learn/params.js";
import { FittedBiasedMF, sgdStart } from "./biased-mf.js";
import { dot, type RecTrainingData } from "./interactions.js";

export const SVD_PARAMS = z.strictObject({
  n_factors: z.number().int().min(1).default(100),
  n_epochs: z.number().int().min(1).default(20),
  lr_all: z.number().gt(0).default(0.005).describe("SGD step size for biases and factors"),
  reg_all: z.number().min(0).default(0.02).describe("L2 penalty on biases and factors"),
  init_mean: z.number().default(0),
  init_std_dev: z.number().min(0).default(0.1),
  biased: z.boolean().default(true).describe("false: no biases (plain PMF)"),
});

export class SVDRecommender extends ParamHolder<SVDRecommender> {
  constructor(params: Record<string, unknown> = {}) {
    super("svd", SVD_PARAMS, params);
  }

  clone(): SVDRecommender {
    return new SVDRecommender(this.getParams());
  }

  fit(d: RecTrainingData): FittedBiasedMF {
    const biased = this.params.biased as boolean;
    const { k, lr, reg, epochs, rng, P, Q, bu, bi, mu } = sgdStart(d, this.getParams(), biased);
    const { users, items, ratings: r } = d;
    const n = r.length;
    const order = Int32Array.from({ length: n }, (_, j) => j);
    for (let e = 0; e < epochs; e++) {
      rng.shuffle(order);
      for (let t = 0; t < n; t++) {
        const j = order[t];
        const u = users[j];
        const i = items[j];
        const pu = u * k;
        const qi = i * k;
        const err = r[j] - (mu + bu[u] + bi[i] + dot(P, pu, Q, qi, k));
        if (biased) {
          bu[u] += lr * (err - reg * bu[u]);
          bi[i] += lr * (err - reg * bi[i]);
        }
        for (let f = 0; f < k; f++) {
          const p = P[pu + f];
          const q = Q[qi + f];
          P[pu + f] = p + lr * (err * q - reg * p);
          Q[qi + f] = q + lr * (err * p - reg * q);
        }
      }
      d.onProgress?.(e + 1, epochs);
    }
    return new FittedBiasedMF("svd", { mu, bu, bi, P, Q, k });
  }
}
