// Non-negative matrix factorisation as Surprise's NMF (Luo et al. 2014): r̂ = q_i · p_u, multiplicative updates
// computed on the observed entries only, per-user / per-item L2 penalties scaled by their rating counts.

import { z } from "zod";
import { ParamHolder } from "../learn/params.js";
import { Rng } from "../learn/rng.js";
import type { FittedRecommender } from "./estimator.js";
import { checkInteractions, counts, dot, globalMean, type RecTrainingData } from "./interactions.js";

export const NMF_PARAMS = z.strictObject({
  n_factors: z.number().int().min(1).default(15),
  n_epochs: z.number().int().min(1).default(50),
  reg_pu: z.number().min(0).default(0.06),
  reg_qi: z.number().min(0).default(0.06),
  init_low: z.number().min(0).default(0),
  init_high: z.number().min(0).default(1),
});

export interface NMFState {
  mu: number;
  /** Added to ratings before fitting when the scale reaches 0 or below (NMF needs r >= 0), removed when predicting. */
  offset: number;
  P: Float64Array;
  Q: Float64Array;
  k: number;
}

export class FittedNMF implements FittedRecommender {
  readonly name = "nmf";
  readonly rates = true;
  constructor(private readonly s: NMFState) {}

  predict(users: Int32Array, items: Int32Array): Float64Array {
    const { mu, offset, P, Q, k } = this.s;
    const out = new Float64Array(users.length);
    for (let j = 0; j < users.length; j++) {
      const u = users[j];
      const i = items[j];
      if (u < 0 || i < 0) {
        out[j] = mu; // no biases to fall back on: the global mean (Surprise's default prediction)
        continue;
      }
      out[j] = dot(P, u * k, Q, i * k, k) - offset;
    }
    return out;
  }

  scoreItems(u: number, out: Float64Array): void {
    const { P, Q, k } = this.s;
    for (let i = 0; i < out.length; i++) out[i] = dot(P, u * k, Q, i * k, k);
  }

  state(): Record<string, unknown> {
    return { ...this.s };
  }
}

export class NMFRecommender extends ParamHolder<NMFRecommender> {
  constructor(params: Record<string, unknown> = {}) {
    super("nmf", NMF_PARAMS, params);
  }

  clone(): NMFRecommender {
    return new NMFRecommender(this.getParams());
  }

  fit(d: RecTrainingData): FittedNMF {
    checkInteractions(d);
    const k = this.num("n_factors");
    const { users, items, nUsers, nItems } = d;
    let rmin = Infinity;
    for (let j = 0; j < d.ratings.length; j++) rmin = Math.min(rmin, d.ratings[j]);
    const offset = rmin <= 0 ? 1 - rmin : 0;
    const r = offset ? d.ratings.map((v) => v + offset) : d.ratings;
    const rng = new Rng(d.seed);
    const [lo, hi] = [this.num("init_low"), this.num("init_high")];
    const P = Float64Array.from({ length: nUsers * k }, () => lo + (hi - lo) * rng.next());
    const Q = Float64Array.from({ length: nItems * k }, () => lo + (hi - lo) * rng.next());
    const cu = counts(users, nUsers);
    const ci = counts(items, nItems);
    const uNum = new Float64Array(nUsers * k);
    const uDen = new Float64Array(nUsers * k);
    const iNum = new Float64Array(nItems * k);
    const iDen = new Float64Array(nItems * k);
    const epochs = this.num("n_epochs");
    for (let e = 0; e < epochs; e++) {
      uNum.fill(0), uDen.fill(0), iNum.fill(0), iDen.fill(0);
      for (let j = 0; j < r.length; j++) {
        const pu = users[j] * k;
        const qi = items[j] * k;
        const est = dot(P, pu, Q, qi, k);
        const rj = r[j];
        for (let f = 0; f < k; f++) {
          const p = P[pu + f];
          const q = Q[qi + f];
          uNum[pu + f] += q * rj;
          uDen[pu + f] += q * est;
          iNum[qi + f] += p * rj;
          iDen[qi + f] += p * est;
        }
      }
      const regPu = this.num("reg_pu");
      const regQi = this.num("reg_qi");
      for (let u = 0; u < nUsers; u++) {
        if (cu[u] === 0) continue;
        for (let f = u * k; f < u * k + k; f++) if (P[f] !== 0) P[f] *= uNum[f] / (uDen[f] + cu[u] * regPu * P[f]);
      }
      for (let i = 0; i < nItems; i++) {
        if (ci[i] === 0) continue;
        for (let f = i * k; f < i * k + k; f++) if (Q[f] !== 0) Q[f] *= iNum[f] / (iDen[f] + ci[i] * regQi * Q[f]);
      }
      d.onProgress?.(e + 1, epochs);
    }
    return new FittedNMF({ mu: globalMean(d), offset, P, Q, k });
  }
}
