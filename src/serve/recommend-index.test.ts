// The serving index answers what RecommenderModel.recommend answers, for every learner (the packed wasm product for
// the dot-product ones, scoreItems for item_knn), with and without seen items, with a candidate filter.
import { describe, expect, it } from "vitest";
import { syntheticRatings } from "../recommend/synthetic.js";
import { trainRecommender } from "../recommend/train.js";
import { RecommendIndex } from "./recommend-index.js";

const table = syntheticRatings({ users: 60, items: 41, ratings: 1200, seed: 5 });
const small: Record<string, Record<string, unknown>> = {
  baseline: {},
  svd: { n_factors: 7 },
  svdpp: { n_factors: 5, n_epochs: 5 },
  nmf: { n_factors: 3 },
  als: { factors: 5, iterations: 3 },
  item_knn: {},
  two_tower: { epochs: 2, emb_dim: 4, user_layers: "8,5", item_layers: "8,5", batch_size: 256 },
};

describe("RecommendIndex", () => {
  for (const [name, params] of Object.entries(small)) {
    it(`${name}: the same top K, scores and ranks as the model`, () => {
      const { model } = trainRecommender({ table, model: name, params, testRows: new Uint32Array(0), seed: 2 });
      const ix = new RecommendIndex(model);
      expect(ix.path).toBe(name === "item_knn" ? "learner" : "dot");
      const cands = ["i0003", "i0007", "i0011", "i0030", "i0003", "zzz"];
      for (const user of model.userIds.slice(0, 25)) {
        for (const opts of [{ k: 10 }, { k: 41, excludeSeen: false }, { k: 3, candidates: cands }, { k: 4, candidates: cands, excludeSeen: false }]) {
          const want = model.recommend(user, opts);
          const got = ix.recommend(user, opts);
          expect(got.items.map((x) => [x.item, x.rank])).toEqual(want.items.map((x) => [x.item, x.rank]));
          got.items.forEach((x, r) => expect(x.score).toBeCloseTo(want.items[r].score, 9));
          expect(got.strategy).toBe("model");
        }
      }
      expect(ix.recommend("nobody", { k: 2 })).toEqual({ ...model.recommend("nobody", { k: 2 }), cold_start: "popularity" });
      expect(() => ix.recommend(model.userIds[0], { k: 0 })).toThrow(/k must be/);
    });
  }
});
