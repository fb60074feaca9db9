// The fitted form shared by baseline, SVD and SVD++: r̂ = mu + b_u + b_i + q_i · p_u. A user or item unseen in
// training gets its bias and factors as 0 (Surprise's rule). SVD++ stores p_u + |N(u)|^-1/2 Σ y_j as p_u.

import type { FittedRecommender } from "./estimator.js";
import { dot } from "./interactions.js";

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
