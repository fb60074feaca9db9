// The fitted form shared by baseline, SVD and SVD++: r̂ = mu + b_u + b_i + q_i · p_u. A user or item unseen in
// training gets its bias and factors as 0 (Surprise's rule). SVD++ stores p_u + |N(u)|^-1/2 Σ y_j as p_u.

import { Rng } from "../learn/rng.js";
import type { FittedRecommender } from "./estimator.js";
import { checkInteractions, dot, globalMean, type RecTrainingData } from "./interactions.js";

export interface BiasedMFState {
  mu: number;
  bu: Float64Array;
  bi: Float64Array;
  /** nUsers x k and nItems x k row-major (k = 0 for the baseline). */
  P: Float64Array;
  Q: Float64Array;
  k: number;
}

export class FittedBiasedMF implements FittedRecommender {
  readonly rates = true;
  constructor(
    readonly name: string,
    private readonly s: BiasedMFState,
  ) {}

  predict(users: Int32Array, items: Int32Array): Float64Array {
    const { mu, bu, bi, P, Q, k } = this.s;
    const out = new Float64Array(users.length);
    for (let j = 0; j < users.length; j++) {
      const u = users[j];
      const i = items[j];
      let est = mu + (u >= 0 ? bu[u] : 0) + (i >= 0 ? bi[i] : 0);
      if (u >= 0 && i >= 0 && k > 0) est += dot(P, u * k, Q, i * k, k);
      out[j] = est;
    }
    return out;
  }

  scoreItems(u: number, out: Float64Array): void {
    const { mu, bu, bi, P, Q, k } = this.s;
    const base = mu + bu[u];
    const pu = u * k;
    if (k === 0) for (let i = 0; i < bi.length; i++) out[i] = base + bi[i];
    else for (let i = 0; i < bi.length; i++) out[i] = base + bi[i] + dot(P, pu, Q, i * k, k);
  }

  state(): Record<string, unknown> {
    return { ...this.s };
  }
}

/** Factors drawn from N(mean, sd) with the seeded generator. */
export function normalFactors(n: number, k: number, mean: number, sd: number, normal: () => number): Float64Array {
  const a = new Float64Array(n * k);
  for (let j = 0; j < a.length; j++) a[j] = mean + sd * normal();
  return a;
}

/** Where SVD and SVD++ start their SGD epochs: step settings, seeded factors N(init_mean, init_std_dev²), zero biases. */
export interface SgdStart {
  k: number;
  lr: number;
  reg: number;
  epochs: number;
  rng: Rng;
  /** More N(init_mean, init_std_dev²) factors from the same stream (SVD++'s y_j, drawn after P and Q). */
  factors(n: number): Float64Array;
  P: Float64Array;
  Q: Float64Array;
  bu: Float64Array;
  bi: Float64Array;
  mu: number;
}

/** `p`: the learner's resolved parameters (n_factors, lr_all, reg_all, n_epochs, init_mean, init_std_dev). */
export function sgdStart(d: RecTrainingData, p: Record<string, unknown>, biased = true): SgdStart {
  checkInteractions(d);
  const k = p.n_factors as number;
  const rng = new Rng(d.seed);
  const normal = () => rng.normal();
  const factors = (n: number) => normalFactors(n, k, p.init_mean as number, p.init_std_dev as number, normal);
  const P = factors(d.nUsers);
  const Q = factors(d.nItems);
  return {
    k, lr: p.lr_all as number, reg: p.reg_all as number, epochs: p.n_epochs as number, rng, factors, P, Q,
    bu: new Float64Array(d.nUsers), bi: new Float64Array(d.nItems), mu: biased ? globalMean(d) : 0,
  };
}
