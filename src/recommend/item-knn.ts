// Item-based k-nearest neighbours with a baseline (Koren 2010; Surprise's KNNBaseline with item_based and the
// pearson_baseline similarity): r̂ = b_ui + Σ_{j ∈ N^k_u(i), s_ij > 0} s_ij (r_uj − b_uj) / Σ s_ij, where s_ij is the
// Pearson correlation of baseline residuals over the users who rated both, shrunk by (n−1)/(n−1+shrinkage).

import { z } from "zod";
import { ValidationError } from "../errors.js";
import { ParamHolder } from "../learn/params.js";
import { fitBiases } from "./baseline.js";
import type { FittedRecommender } from "./estimator.js";
import { byItem, byUser, checkInteractions, type RecTrainingData } from "./interactions.js";

export const ITEM_KNN_PARAMS = z.strictObject({
  k: z.number().int().min(1).default(40).describe("neighbours per prediction"),
  min_k: z.number().int().min(1).default(1).describe("fewer positive neighbours than this: the baseline alone"),
  shrinkage: z.number().min(0).default(100),
  min_support: z.number().int().min(1).default(1).describe("common users needed for a similarity other than 0"),
  bsl_n_epochs: z.number().int().min(1).default(10),
  bsl_reg_i: z.number().min(0).default(10),
  bsl_reg_u: z.number().min(0).default(15),
  max_items: z.number().int().min(2).default(10000).describe("refuse larger catalogues: the similarity matrix is items² floats"),
});

export interface ItemKnnState {
  mu: number;
  bu: Float64Array;
  bi: Float64Array;
  /** nItems x nItems similarities. */
  sim: Float32Array;
  /** The training ratings by user (neighbours are drawn from them). */
  indptr: Int32Array;
  items: Int32Array;
  ratings: Float64Array;
  k: number;
  minK: number;
}

export class FittedItemKnn implements FittedRecommender {
  readonly name = "item_knn";
  readonly rates = true;
  private readonly res: Float64Array;
  constructor(private readonly s: ItemKnnState) {
    this.res = new Float64Array(s.ratings.length);
    for (let u = 0; u + 1 < s.indptr.length; u++) {
      for (let e = s.indptr[u]; e < s.indptr[u + 1]; e++) this.res[e] = s.ratings[e] - (s.mu + s.bu[u] + s.bi[s.items[e]]);
    }
  }

  /** The baseline plus the neighbours' residuals for a known user and item. */
  private estimate(u: number, i: number): number {
    const { mu, bu, bi, sim, indptr, items, k, minK } = this.s;
    const n = bi.length;
    const s0 = indptr[u];
    const s1 = indptr[u + 1];
    let est = mu + bu[u] + bi[i];
    const row = i * n;
    let sumSim = 0;
    let sumRes = 0;
    let used = 0;
    if (s1 - s0 <= k) {
      for (let e = s0; e < s1; e++) {
        const sv = sim[row + items[e]];
        if (sv > 0) (sumSim += sv), (sumRes += sv * this.res[e]), used++;
      }
    } else {
      // The k most similar of the user's items (ties: the earlier rating), as heapq.nlargest picks them.
      const order = Array.from({ length: s1 - s0 }, (_, x) => s0 + x).sort((a, b) => sim[row + items[b]] - sim[row + items[a]] || a - b);
      for (let x = 0; x < k; x++) {
        const e = order[x];
        const sv = sim[row + items[e]];
        if (sv > 0) (sumSim += sv), (sumRes += sv * this.res[e]), used++;
      }
    }
    if (used >= minK && sumSim > 0) est += sumRes / sumSim;
    return est;
  }

  predict(users: Int32Array, items: Int32Array): Float64Array {
    const { mu, bu, bi } = this.s;
    const out = new Float64Array(users.length);
    for (let j = 0; j < users.length; j++) {
      const u = users[j];
      const i = items[j];
      out[j] = u >= 0 && i >= 0 ? this.estimate(u, i) : mu + (u >= 0 ? bu[u] : 0) + (i >= 0 ? bi[i] : 0);
    }
    return out;
  }

  scoreItems(u: number, out: Float64Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.estimate(u, i);
  }

  state(): Record<string, unknown> {
    return { ...this.s };
  }
}

export class ItemKnnRecommender extends ParamHolder<ItemKnnRecommender> {
  constructor(params: Record<string, unknown> = {}) {
    super("item_knn", ITEM_KNN_PARAMS, params);
  }

  clone(): ItemKnnRecommender {
    return new ItemKnnRecommender(this.getParams());
  }

  fit(d: RecTrainingData): FittedItemKnn {
    checkInteractions(d);
    const n = d.nItems;
    if (n > this.num("max_items")) {
      throw new ValidationError(`item_knn keeps a ${n} x ${n} similarity matrix (${((n * n * 4) / 1e9).toFixed(1)} GB); max_items is ${this.num("max_items")}`, {
        path: "params.max_items",
        hint: "use svd, als or two_tower for large catalogues, or raise max_items if the memory is there",
      });
    }
    const { mu, bu, bi } = fitBiases(d, { method: "als", n_epochs: this.num("bsl_n_epochs"), reg_i: this.num("bsl_reg_i"), reg_u: this.num("bsl_reg_u") }, d.seed);
    const U = byUser(d);
    const I = byItem(d);
    const res = new Float64Array(d.ratings.length);
    for (let j = 0; j < res.length; j++) res[j] = d.ratings[j] - (mu + bu[d.users[j]] + bi[d.items[j]]);
    // One row of the similarity matrix at a time: scatter item i's users' other ratings into dense accumulators.
    const sim = new Float32Array(n * n);
    const prods = new Float64Array(n);
    const sqi = new Float64Array(n);
    const sqj = new Float64Array(n);
    const freq = new Int32Array(n);
    const shrink = this.num("shrinkage");
    const minSupport = this.num("min_support");
    for (let i = 0; i < n; i++) {
      prods.fill(0), sqi.fill(0), sqj.fill(0), freq.fill(0);
      for (let e = I.indptr[i]; e < I.indptr[i + 1]; e++) {
        const u = I.index[e];
        const di = res[I.pos[e]];
        for (let x = U.indptr[u]; x < U.indptr[u + 1]; x++) {
          const j = U.index[x];
          const dj = res[U.pos[x]];
          prods[j] += di * dj;
          sqi[j] += di * di;
          sqj[j] += dj * dj;
          freq[j]++;
        }
      }
      for (let j = 0; j < n; j++) {
        if (j === i) sim[i * n + j] = 1;
        else if (freq[j] >= minSupport && sqi[j] > 0 && sqj[j] > 0) {
          sim[i * n + j] = (prods[j] / Math.sqrt(sqi[j] * sqj[j])) * ((freq[j] - 1) / (freq[j] - 1 + shrink));
        }
      }
      if ((i & 255) === 255) d.onProgress?.(i + 1, n);
    }
    const items = new Int32Array(U.index.length);
    const ratings = new Float64Array(U.index.length);
    for (let e = 0; e < items.length; e++) (items[e] = U.index[e]), (ratings[e] = d.ratings[U.pos[e]]);
    return new FittedItemKnn({ mu, bu, bi, sim, indptr: U.indptr, items, ratings, k: this.num("k"), minK: this.num("min_k") });
  }
}
