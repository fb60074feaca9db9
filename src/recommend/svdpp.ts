// SVD++ (Koren 2008) as Surprise's SVDpp: r̂ = mu + b_u + b_i + q_i · (p_u + |N(u)|^-1/2 Σ_{j∈N(u)} y_j), per-rating SGD
// in Surprise's order (users by first appearance, each user's ratings in turn). Surprise touches every y_j of the
// user on each rating; here those updates are applied once at the end of the user's ratings, which is exact: each
// update is y_j ← (1 − lr·reg) y_j + lr·err·q_i/√|N(u)|, an affine map composed over the user's ratings, and the
// implicit sum follows the same recursion. That turns O(|N(u)|·k) work per rating into O(k).

import { z } from "zod";
import { ParamHolder } from "../learn/params.js";
import { FittedBiasedMF, sgdStart } from "./biased-mf.js";
import { byUser, type RecTrainingData } from "./interactions.js";

export const SVDPP_PARAMS = z.strictObject({
  n_factors: z.number().int().min(1).default(20),
  n_epochs: z.number().int().min(1).default(20),
  lr_all: z.number().gt(0).default(0.007),
  reg_all: z.number().min(0).default(0.02),
  init_mean: z.number().default(0),
  init_std_dev: z.number().min(0).default(0.1),
});

/** Each user's distinct items (N(u)), in first-seen order. */
function distinctItems(d: RecTrainingData): { indptr: Int32Array; items: Int32Array } {
  const c = byUser(d);
  const mark = new Int32Array(d.nItems).fill(-1);
  const indptr = new Int32Array(d.nUsers + 1);
  const items = new Int32Array(c.index.length);
  let at = 0;
  for (let u = 0; u < d.nUsers; u++) {
    for (let e = c.indptr[u]; e < c.indptr[u + 1]; e++) {
      const i = c.index[e];
      if (mark[i] !== u) (mark[i] = u), (items[at++] = i);
    }
    indptr[u + 1] = at;
  }
  return { indptr, items };
}

export class SVDppRecommender extends ParamHolder<SVDppRecommender> {
  constructor(params: Record<string, unknown> = {}) {
    super("svdpp", SVDPP_PARAMS, params);
  }

  clone(): SVDppRecommender {
    return new SVDppRecommender(this.getParams());
  }

  fit(d: RecTrainingData): FittedBiasedMF {
    const { k, lr, reg, epochs, factors, P, Q, bu, bi, mu } = sgdStart(d, this.getParams());
    const Y = factors(d.nItems);
    const rated = byUser(d);
    const N = distinctItems(d);
    // Surprise's order: users by first appearance in the data (codes are assigned that way).
    const impl = new Float64Array(k);
    const D = new Float64Array(k);
    const decay = 1 - lr * reg;
    for (let e = 0; e < epochs; e++) {
      for (let u = 0; u < d.nUsers; u++) {
        const n0 = N.indptr[u];
        const n1 = N.indptr[u + 1];
        if (rated.indptr[u] === rated.indptr[u + 1]) continue;
        const sq = Math.sqrt(n1 - n0);
        impl.fill(0);
        for (let t = n0; t < n1; t++) for (let f = 0, yj = N.items[t] * k; f < k; f++) impl[f] += Y[yj + f];
        for (let f = 0; f < k; f++) impl[f] /= sq;
        D.fill(0);
        let A = 1;
        const pu = u * k;
        for (let x = rated.indptr[u]; x < rated.indptr[u + 1]; x++) {
          const j = rated.pos[x];
          const i = rated.index[x];
          const qi = i * k;
          let dot = 0;
          for (let f = 0; f < k; f++) dot += Q[qi + f] * (P[pu + f] + impl[f]);
          const err = d.ratings[j] - (mu + bu[u] + bi[i] + dot);
          bu[u] += lr * (err - reg * bu[u]);
          bi[i] += lr * (err - reg * bi[i]);
          for (let f = 0; f < k; f++) {
            const p = P[pu + f];
            const q = Q[qi + f];
            P[pu + f] = p + lr * (err * q - reg * p);
            Q[qi + f] = q + lr * (err * (p + impl[f]) - reg * q);
            D[f] = D[f] * decay + (lr * err * q) / sq;
            impl[f] = impl[f] * decay + lr * err * q;
          }
          A *= decay;
        }
        for (let t = n0; t < n1; t++) for (let f = 0, yj = N.items[t] * k; f < k; f++) Y[yj + f] = A * Y[yj + f] + D[f];
      }
      d.onProgress?.(e + 1, epochs);
    }
    // Predictions use p_u + the implicit term of the final y_j: stored as the user factors.
    const Pe = P.slice();
    for (let u = 0; u < d.nUsers; u++) {
      const n0 = N.indptr[u];
      const n1 = N.indptr[u + 1];
      if (n1 === n0) continue;
      const sq = Math.sqrt(n1 - n0);
      for (let t = n0; t < n1; t++) for (let f = 0, yj = N.items[t] * k; f < k; f++) Pe[u * k + f] += Y[yj + f] / sq;
    }
    return new FittedBiasedMF("svdpp", { mu, bu, bi, P: Pe, Q, k });
  }
}
