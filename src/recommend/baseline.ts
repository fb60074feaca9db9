// Regularised user and item biases, r̂ = mu + b_u + b_i, as Surprise's BaselineOnly: alternating least squares
// (all items, then all users, each epoch) or SGD.

import { z } from "zod";
import { ParamHolder } from "../learn/params.js";
import { Rng } from "../learn/rng.js";
import { FittedBiasedMF } from "./biased-mf.js";
import { checkInteractions, counts, globalMean, type Interactions, type RecTrainingData } from "./interactions.js";

export const BASELINE_PARAMS = z.strictObject({
  method: z.enum(["als", "sgd"]).default("als").describe("als: closed-form alternating updates; sgd: stochastic gradient descent"),
  n_epochs: z.number().int().min(1).default(10),
  reg_i: z.number().min(0).default(10).describe("als: item-bias penalty"),
  reg_u: z.number().min(0).default(15).describe("als: user-bias penalty"),
  reg: z.number().min(0).default(0.02).describe("sgd: bias penalty"),
  learning_rate: z.number().gt(0).default(0.005).describe("sgd: step size"),
});

/** The biases alone, for baseline itself and for item_knn's baseline part. */
export function fitBiases(d: Interactions, p: Record<string, unknown>, seed: number): { mu: number; bu: Float64Array; bi: Float64Array } {
  const { users, items, ratings: r, nUsers, nItems } = d;
  const n = r.length;
  const mu = globalMean(d);
  const bu = new Float64Array(nUsers);
  const bi = new Float64Array(nItems);
  const epochs = p.n_epochs as number;
  if (p.method === "sgd") {
    const lr = p.learning_rate as number;
    const reg = p.reg as number;
    const order = Int32Array.from({ length: n }, (_, j) => j);
    const rng = new Rng(seed);
    for (let e = 0; e < epochs; e++) {
      rng.shuffle(order);
      for (let t = 0; t < n; t++) {
        const j = order[t];
        const u = users[j];
        const i = items[j];
        const err = r[j] - (mu + bu[u] + bi[i]);
        bu[u] += lr * (err - reg * bu[u]);
        bi[i] += lr * (err - reg * bi[i]);
      }
    }
    return { mu, bu, bi };
  }
  const cu = counts(users, nUsers);
  const ci = counts(items, nItems);
  const regI = p.reg_i as number;
  const regU = p.reg_u as number;
  for (let e = 0; e < epochs; e++) {
    bi.fill(0);
    for (let j = 0; j < n; j++) bi[items[j]] += r[j] - mu - bu[users[j]];
    for (let i = 0; i < nItems; i++) bi[i] /= regI + ci[i];
    bu.fill(0);
    for (let j = 0; j < n; j++) bu[users[j]] += r[j] - mu - bi[items[j]];
    for (let u = 0; u < nUsers; u++) bu[u] /= regU + cu[u];
  }
  return { mu, bu, bi };
}

export class BaselineRecommender extends ParamHolder<BaselineRecommender> {
  constructor(params: Record<string, unknown> = {}) {
    super("baseline", BASELINE_PARAMS, params);
  }

  clone(): BaselineRecommender {
    return new BaselineRecommender(this.getParams());
  }

  fit(d: RecTrainingData): FittedBiasedMF {
    checkInteractions(d);
    const { mu, bu, bi } = fitBiases(d, this.params, d.seed);
    return new FittedBiasedMF("baseline", { mu, bu, bi, P: new Float64Array(0), Q: new Float64Array(0), k: 0 });
  }
}
