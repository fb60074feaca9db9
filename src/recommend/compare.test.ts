// The leak-free recommender comparison: pair-identity held-out rows stay held out as the table grows, and champion and
// challenger are scored only on held-out interactions neither trained on, which the gate then decides on.
import { describe, expect, it } from "vitest";
import { higherIsBetter } from "../learn/metric-registry.js";
import { decideGate } from "../registry/gate.js";
import { evaluateRecommender } from "./evaluate.js";
import { compareOnHeldOut, gateComparison, identityTestRows, trainedOn } from "./compare.js";
import { randomTestRows } from "./split.js";
import { syntheticRatings } from "./synthetic.js";
import { trainRecommender } from "./train.js";

describe("recommender comparison on held-out interactions", () => {
  it("keeps a pair on its side of the split when the table grows", () => {
    const big = syntheticRatings({ users: 200, items: 100, ratings: 6000, seed: 3 });
    const n = 4000; // the first 4000 rows: an earlier version of the same table
    const early = identityTestRows(big.users.slice(0, n), big.items.slice(0, n), 0.2, 42);
    const later = new Set(identityTestRows(big.users, big.items, 0.2, 42));
    expect(early.length).toBeGreaterThan(0.15 * n);
    expect(early.length).toBeLessThan(0.25 * n);
    for (const r of early) expect(later.has(r)).toBe(true);
    const laterEarly = [...later].filter((r) => r < n).length;
    expect(laterEarly).toBe(early.length);
  });

  it("scores champion and challenger only on rows neither trained on, and the gate decides on them", () => {
    const data = syntheticRatings({ users: 200, items: 100, ratings: 6000, seed: 5 });
    // The champion was trained on a different (random) split: some of the challenger's test rows are its training rows.
    const champion = trainRecommender({ table: data, model: "baseline", testRows: randomTestRows(data.users.length, 0.2, 1), seed: 1 });
    const testRows = identityTestRows(data.users, data.items, 0.2, 42);
    const challenger = trainRecommender({ table: data, model: "svd", testRows, seed: 1 });
    const test = { users: Array.from(testRows, (r) => data.users[r]), items: Array.from(testRows, (r) => data.items[r]), ratings: Float64Array.from(testRows, (r) => data.ratings[r]) };
    const leaked = test.users.filter((u, j) => trainedOn(champion.model, u, test.items[j])).length;
    expect(leaked).toBeGreaterThan(0.6 * testRows.length); // 80% of rows were the champion's training rows
    expect(test.users.filter((u, j) => trainedOn(challenger.model, u, test.items[j])).length).toBe(0);

    const c = compareOnHeldOut([champion.model, challenger.model], test, 10, challenger.relevance);
    expect(c.testRows).toBe(testRows.length);
    expect(c.rows).toBe(testRows.length - leaked);
    // On leaked rows the champion looks better than it is: its RMSE on every test row is lower than on the clean ones.
    const leakyChampion = evaluateRecommender(champion.model, test, 10, challenger.relevance).metrics.rmse;
    expect(leakyChampion).toBeLessThan(c.metrics[0].rmse);

    const metric = "rmse";
    const comparison = gateComparison(champion.model, challenger.model, test, 10, challenger.relevance, metric);
    expect(comparison).toMatchObject({ rows: c.rows, champion: c.metrics[0].rmse, challenger: c.metrics[1].rmse });
    const policy = { metric, higherIsBetter: higherIsBetter(metric), thresholds: {}, mustBeatProduction: true, minImprovement: 0, minRows: 100 };
    expect(policy.higherIsBetter).toBe(false);
    const decision = decideGate({ candidate: { version: 2, metrics: challenger.metrics }, production: { version: 1, metrics: { rmse: comparison.champion } }, comparison, policy });
    expect(decision.promote).toBe(comparison.challenger < comparison.champion);
    const reverse = gateComparison(challenger.model, champion.model, test, 10, challenger.relevance, metric);
    expect(decideGate({ candidate: { version: 2, metrics: champion.metrics }, production: { version: 1, metrics: { rmse: reverse.champion } }, comparison: reverse, policy }).promote).toBe(!decision.promote);
    expect(gateComparison(champion.model, challenger.model, test, 10, challenger.relevance, "roc_auc").unavailable).toMatch(/roc_auc/);
  });
});
