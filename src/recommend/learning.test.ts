// The recommenders learn: on seeded synthetic ratings with a known rank-5 structure, each beats the yardsticks
// (the global mean for ratings, popularity for rankings) on held-out rows it never trained on.
import { describe, expect, it } from "vitest";
import { rmse } from "../learn/metrics.js";
import { Rng } from "../learn/rng.js";
import { syntheticInteractions, syntheticRatings } from "./synthetic.js";
import { trainRecommender } from "./train.js";

const table = syntheticRatings({ users: 300, items: 200, ratings: 12000, seed: 11 });
const n = table.ratings.length;
const testRows = Uint32Array.from(new Rng(4).shuffle(Int32Array.from({ length: n }, (_, j) => j)).subarray(0, 2400)).sort();
const isTest = new Uint8Array(n);
for (const r of testRows) isTest[r] = 1;
let mean = 0;
for (let j = 0; j < n; j++) if (!isTest[j]) mean += table.ratings[j] / (n - testRows.length);
const yTest = Float64Array.from(testRows, (r) => table.ratings[r]);
const meanRmse = rmse(yTest, new Float64Array(yTest.length).fill(mean));
const truthRmse = rmse(yTest, Float64Array.from(testRows, (r) => table.truth[r]));

describe("recommenders learn the latent structure", () => {
  const fit = (model: string, params: Record<string, unknown> = {}) => trainRecommender({ table, model, params, testRows, seed: 1 });

  it("baseline, svd, svdpp, nmf and item_knn predict held-out ratings better than the global mean; svd well below", () => {
    const scores: Record<string, number> = {};
    // The synthetic scale reaches below 0, so NMF fits ratings shifted by 1 - min (Surprise's rule) from a U(0, 1)
    // start far below them: its multiplicative steps need more than the default 50 epochs to get there.
    const params: Record<string, Record<string, unknown>> = { svd: { n_factors: 10, n_epochs: 60, reg_all: 0.05 }, nmf: { n_epochs: 150 } };
    for (const m of ["baseline", "svd", "svdpp", "nmf", "item_knn"]) scores[m] = fit(m, params[m]).metrics.rmse;
    for (const m of Object.keys(scores)) expect(scores[m], m).toBeLessThan(meanRmse);
    // The factors carry signal the biases miss: SVD closes a good part of the gap between the mean and the noise
    // floor (about 45% here with 40 ratings a user; 0.675 vs mean 0.983, floor 0.297).
    expect(scores.svd).toBeLessThan(scores.baseline - 0.1);
    expect(scores.svd - truthRmse).toBeLessThan(0.65 * (meanRmse - truthRmse));
  });

  it("als ranks held-out interactions better than popularity on implicit data with a latent structure (recall@10, ndcg@10)", () => {
    const clicks = syntheticInteractions({ users: 400, items: 200, perUser: 20, seed: 8 });
    const rows = Uint32Array.from(new Rng(2).shuffle(Int32Array.from({ length: clicks.users.length }, (_, j) => j)).subarray(0, 1600)).sort();
    const pop = trainRecommender({ table: clicks, model: "popularity", testRows: rows, seed: 1 }).metrics;
    const als = trainRecommender({ table: clicks, model: "als", params: { factors: 16, iterations: 10, alpha: 10 }, testRows: rows, seed: 1 }).metrics;
    expect(als.recall_at_10).toBeGreaterThan(pop.recall_at_10 * 1.3);
    expect(als.ndcg_at_10).toBeGreaterThan(pop.ndcg_at_10);
    expect(als.coverage_at_10).toBeGreaterThan(pop.coverage_at_10);
  });

  it("implicit data (no ratings): als trains, ranks, reports no rating errors; explicit-only learners refuse", () => {
    const implicit = { ...table, ratings: null };
    const r = trainRecommender({ table: implicit, model: "als", params: { factors: 8, iterations: 4 }, testRows, seed: 1 });
    expect(r.metrics.rmse).toBeUndefined();
    expect(r.metrics.recall_at_10).toBeGreaterThan(0);
    expect(r.relevance.rule).toMatch(/implicit/);
    expect(() => trainRecommender({ table: implicit, model: "svd", testRows, seed: 1 })).toThrow(/explicit ratings/);
  });

  it("cold start: an unknown user gets the popular items, said aloud", () => {
    const r = fit("baseline");
    const rec = r.model.recommend("stranger", { k: 3 });
    expect(rec.strategy).toBe("popularity");
    expect(rec.note).toMatch(/not in the training data/);
    expect(rec.items).toHaveLength(3);
    expect(rec.items[0].score).toBeGreaterThanOrEqual(rec.items[2].score);
  });
});

describe("two_tower learns", () => {
  it("beats the global mean on held-out ratings, with side features and the history Transformer", () => {
    const r = trainRecommender({
      table, model: "two_tower", testRows, seed: 1,
      params: { emb_dim: 16, user_layers: "32,16", item_layers: "32,16", transformer: true, max_history: 8, d_model: 8, heads: 2, ffn_dim: 16, epochs: 8, batch_size: 256, lr: 0.003 },
    });
    expect(r.metrics.rmse).toBeLessThan(meanRmse - 0.05);
    const s = (r.model.fitted as unknown as { s: { bestEpoch: number; epochs: number } }).s;
    expect(s.bestEpoch).toBeGreaterThan(0);
    expect(s.bestEpoch).toBeLessThanOrEqual(s.epochs);
  }, 60_000);
});
