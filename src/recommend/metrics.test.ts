// Ranking metrics on hand-worked lists, top-K selection, and the report's names known to the metric registry.
import { describe, expect, it } from "vitest";
import { metricDef } from "../learn/metric-registry.js";
import { rankingMetrics, rankingReport, topK } from "./metrics.js";

describe("ranking metrics", () => {
  it("precision, recall, NDCG, MAP, hit rate and coverage of two users' top-3 lists", () => {
    // user 0: hits at ranks 1 and 3 of 2 relevant; user 1: no hit of 1 relevant; user 2 has none relevant (left out of means).
    const top = Int32Array.from([5, 1, 7, 2, 3, -1, 9, 8, 4]);
    const relevant = [new Set([5, 7]), new Set([6]), new Set<number>()];
    const m = rankingMetrics({ k: 3, top, relevant, catalogue: 10 });
    expect(m.users).toBe(2);
    expect(m.precision).toBeCloseTo((2 / 3 + 0) / 2, 12);
    expect(m.recall).toBeCloseTo((1 + 0) / 2, 12);
    const dcg = 1 + 1 / Math.log2(4);
    expect(m.ndcg).toBeCloseTo((dcg / (1 + 1 / Math.log2(3)) + 0) / 2, 12);
    expect(m.map).toBeCloseTo(((1 + 2 / 3) / 2 + 0) / 2, 12);
    expect(m.hitRate).toBeCloseTo(0.5, 12);
    expect(m.coverage).toBeCloseTo(8 / 10, 12); // 5,1,7,2,3,9,8,4
    const report = rankingReport(m, 10);
    expect(Object.keys(report)).toEqual(["precision_at_10", "recall_at_10", "ndcg_at_10", "map_at_10", "hit_rate_at_10", "coverage_at_10"]);
    // Every name has a direction in the metric registry: the gate can compare on it.
    for (const name of Object.keys(report)) expect(metricDef(name).higherIsBetter).toBe(true);
  });

  it("topK keeps the best k, ties to the lower code, skips -Infinity, pads with -1", () => {
    const out = new Int32Array(4);
    topK(Float64Array.from([0.5, 2, -Infinity, 2, 1]), 4, out);
    expect(Array.from(out)).toEqual([1, 3, 4, 0]);
    topK(Float64Array.from([-Infinity, 3]), 4, out);
    expect(Array.from(out)).toEqual([1, -1, -1, -1]);
  });
});
