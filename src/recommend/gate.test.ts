// The registry's gate decides on recommendation metrics like any other: both models scored on held-out rows neither
// trained on, the direction from the metric registry; a regression in NDCG@10 blocks promotion.
import { describe, expect, it } from "vitest";
import { higherIsBetter } from "../learn/metric-registry.js";
import { Rng } from "../learn/rng.js";
import { decideGate } from "../registry/gate.js";
import { syntheticInteractions } from "./synthetic.js";
import { trainRecommender } from "./train.js";

describe("gate on recommendation metrics", () => {
  it("blocks a candidate whose NDCG@10 regresses and promotes one that improves it", () => {
    const clicks = syntheticInteractions({ users: 300, items: 150, perUser: 15, seed: 4 });
    const testRows = Uint32Array.from(new Rng(9).shuffle(Int32Array.from({ length: clicks.users.length }, (_, j) => j)).subarray(0, 900)).sort();
    const als = trainRecommender({ table: clicks, model: "als", params: { factors: 16, iterations: 8, alpha: 10 }, testRows, seed: 1 });
    const pop = trainRecommender({ table: clicks, model: "popularity", testRows, seed: 1 });
    const metric = "ndcg_at_10";
    const policy = { metric, higherIsBetter: higherIsBetter(metric), thresholds: { coverage_at_10: { min: 0.05 } }, mustBeatProduction: true, minImprovement: 0 };
    expect(policy.higherIsBetter).toBe(true);
    const worse = decideGate({ candidate: { version: 2, metrics: pop.metrics }, production: { version: 1, metrics: als.metrics }, policy });
    expect(worse.promote).toBe(false);
    expect(worse.reason).toMatch(/ndcg_at_10/);
    const better = decideGate({ candidate: { version: 2, metrics: als.metrics }, production: { version: 1, metrics: pop.metrics }, policy });
    expect(better.promote).toBe(true);
  });
});
