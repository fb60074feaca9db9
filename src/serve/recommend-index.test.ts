// The serving index answers what RecommenderModel.recommend answers, for every learner (the packed wasm product for
// the dot-product ones, scoreItems for item_knn), with and without seen items, with a candidate filter.
import { describe, expect, it } from "vitest";
import { syntheticRatings } from "../recommend/synthetic.js";
import { trainRecommender } from "../recommend/train.js";
import { FittedBiasedMF } from "../recommend/biased-mf.js";
import { RecommenderModel } from "../recommend/model.js";
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
          got.items.forEach((x, r) => expect(x.score).toBe(want.items[r].score)); // the learner's own arithmetic
          expect(got.strategy).toBe("model");
        }
      }
      expect(ix.recommend("nobody", { k: 2 })).toEqual({ ...model.recommend("nobody", { k: 2 }), cold_start: "popularity" });
      expect(() => ix.recommend(model.userIds[0], { k: 0 })).toThrow(/k must be/);
    });
  }

  it("finds the exact top K when scores differ below f32 resolution (the screen's bound lets the exact pass decide)", () => {
    const n = 3000, k = 3;
    // Item i scores 2 + 1e-12·π(i) for a seeded permutation π: f32 sees one value; only f64 tells them apart.
    const perm = Array.from({ length: n }, (_, i) => (i * 1237) % n);
    const Q = new Float64Array(n * k);
    for (let i = 0; i < n; i++) Q.set([1, 0.5, 0.25 + 1e-12 * perm[i]], i * k);
    const fitted = new FittedBiasedMF("svd", { mu: 0, bu: new Float64Array(1), bi: new Float64Array(n), P: Float64Array.of(1, 1, 4), Q, k });
    const info = { model: "svd", params: {}, columns: { user: "u", item: "i", rating: "r" }, ratingRange: [0, 9] as [number, number], millraceVersion: "t", createdAt: "t" };
    const model = new RecommenderModel(info, ["u0"], Array.from({ length: n }, (_, i) => `i${i}`), fitted, Int32Array.of(0, 1), Int32Array.of(perm.indexOf(n - 1)), new Float64Array(n));
    const want = model.recommend("u0", { k: 10 });
    expect(want.items[0].item).toBe(`i${perm.indexOf(n - 2)}`); // the best one is seen, so excluded
    expect(new RecommendIndex(model).recommend("u0", { k: 10 }).items).toEqual(want.items);
  });
});
