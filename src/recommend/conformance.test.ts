// The conformance suite every recommender passes (the estimator contract of src/learn on interactions).
import { describe, expect, it } from "vitest";
import { TrainingError, ValidationError } from "../errors.js";
import { Rng } from "../learn/rng.js";
import { loadRecommender } from "./model.js";
import { RECOMMENDERS } from "./registry.js";
import { syntheticRatings } from "./synthetic.js";
import { trainRecommender } from "./train.js";

/** Small settings so the suite stays fast; defaults are exercised by learning.test.ts and the benchmark. */
export const FAST: Record<string, Record<string, unknown>> = {
  svd: { n_factors: 8, n_epochs: 5 },
  svdpp: { n_factors: 5, n_epochs: 5 },
  nmf: { n_factors: 5, n_epochs: 10 },
  als: { factors: 8, iterations: 3 },
  two_tower: { epochs: 2, emb_dim: 8, user_layers: "16,8", item_layers: "16,8", transformer: true, max_history: 6, d_model: 8, heads: 2, batch_size: 128 },
};

const table = syntheticRatings({ users: 60, items: 40, ratings: 900, seed: 5 });
const rng = new Rng(1);
const testRows = Uint32Array.from(rng.shuffle(Int32Array.from({ length: 900 }, (_, j) => j)).subarray(0, 180)).sort();

for (const kind of Object.values(RECOMMENDERS)) {
  describe(`recommender conformance: ${kind.name}`, () => {
    it("clone / getParams / setParams round trip; the registry's schema agrees; unknown parameters are refused", () => {
      const est = kind.create(FAST[kind.name] ?? {});
      const params = est.getParams();
      expect(est.name).toBe(kind.name);
      const copy = est.clone();
      expect(copy).not.toBe(est);
      expect(copy.getParams()).toEqual(params);
      expect(kind.create(params).getParams()).toEqual(params);
      expect(copy.setParams(params)).toBe(copy);
      copy.getParams()[Object.keys(params)[0]] = "changed";
      expect(copy.getParams()).toEqual(params);
      expect(kind.params.parse(params)).toEqual(params);
      expect(() => est.clone().setParams({ not_a_param: 1 })).toThrow(ValidationError);
    });

    it("fits, predicts every pair (unseen ids too), repeats for a seed, survives save/load", () => {
      const req = { table, model: kind.name, params: FAST[kind.name] ?? {}, testRows, seed: 3 };
      const a = trainRecommender(req);
      const b = trainRecommender(req);
      const pairs = [...testRows].map((r) => ({ user: table.users[r], item: table.items[r] })).concat([{ user: "nobody", item: "i0001" }, { user: "u0001", item: "nothing" }]);
      const out = a.model.predictPairs(pairs);
      expect(out).toHaveLength(pairs.length);
      expect(out.every(Number.isFinite)).toBe(true);
      expect(b.model.predictPairs(pairs)).toEqual(out);
      expect(a.metrics).toEqual(b.metrics);
      expect(a.metrics.ndcg_at_10).toBeGreaterThanOrEqual(0);
      if (a.model.fitted.rates) expect(a.metrics.rmse).toBeGreaterThan(0);
      const loaded = loadRecommender(a.model.toBytes());
      expect(loaded.predictPairs(pairs)).toEqual(out);
      const rec = a.model.recommend("u0003", { k: 5 });
      expect(rec.strategy).toBe("model");
      expect(rec.items).toHaveLength(5);
      expect(loaded.recommend("u0003", { k: 5 })).toEqual(rec);
      // Seen items are left out by default.
      const seen = new Set([...a.model.seenBy(a.model.userCode("u0003"))].map((c) => a.model.itemIds[c]));
      expect(rec.items.some((x) => seen.has(x.item))).toBe(false);
    });

    it("refuses a missing rating with a TrainingError", () => {
      const ratings = table.ratings.slice();
      ratings[7] = NaN;
      expect(() => trainRecommender({ table: { ...table, ratings }, model: kind.name, params: FAST[kind.name] ?? {}, testRows: new Uint32Array(0), seed: 0 })).toThrow(TrainingError);
    });
  });
}
