// Recommender search on its own: random and TPE proposals stay inside the space, every trial is scored on the given
// train folds and reported as it ends, the best is the highest mean, and a space naming a missing parameter is refused.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { identityTestRows } from "./compare.js";
import { searchRecommender } from "./search.js";
import { syntheticRatings } from "./synthetic.js";

const table = syntheticRatings({ users: 150, items: 80, ratings: 4000, seed: 2 });
const folds = [identityTestRows(table.users, table.items, 0.25, 1)];

describe("recommender search", () => {
  for (const method of ["random", "tpe"] as const) {
    it(`${method}: trials inside the space, reported as they end, the best by mean RMSE`, async () => {
      const seen: number[] = [];
      const r = await searchRecommender({
        table, folds, model: "svd", fixed: { n_epochs: 5 }, method, trials: 4, prune: false, metric: "rmse", seed: 3, k: 10,
        space: { n_factors: { type: "int", low: 2, high: 12 }, reg_all: { type: "float", low: 0.01, high: 0.5, log: true } },
        startTrial: async (n) => async (t) => void seen.push(n, t.number),
      });
      expect(r.trials).toHaveLength(4);
      expect(seen).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
      for (const t of r.trials) {
        expect(t.state).toBe("complete");
        expect(t.params.n_epochs).toBe(5);
        expect(t.params.n_factors as number).toBeGreaterThanOrEqual(2);
        expect(t.params.n_factors as number).toBeLessThanOrEqual(12);
        expect(t.params.reg_all as number).toBeGreaterThanOrEqual(0.01);
        expect(t.score).toBe(t.metrics.rmse_mean);
      }
      expect(r.best.score).toBe(Math.min(...r.trials.map((t) => t.score)));
    });
  }

  it("refuses a parameter the recommender does not have, naming it", async () => {
    await expect(searchRecommender({ table, folds, model: "als", fixed: {}, method: "grid", trials: 1, prune: false, metric: "ndcg_at_10", seed: 1, k: 10, space: { n_factors: { type: "choice", values: [4] } } }))
      .rejects.toThrow(ValidationError);
    await expect(searchRecommender({ table, folds, model: "als", fixed: {}, method: "grid", trials: 1, prune: false, metric: "ndcg_at_10", seed: 1, k: 10, space: { n_factors: { type: "choice", values: [4] } } }))
      .rejects.toThrow(/search\.space\.n_factors/);
  });
});
