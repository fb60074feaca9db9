// A classifier's blend mixes only learners that explain margins; a forest still competes alone. The blend is chosen
// only when it beats the best candidate on the same held-out rows, the forest included. Stand-in learners score one
// column each, so who wins is set by the data, not by a learner's luck.
import { describe, expect, it } from "vitest";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { TrainingData } from "../estimator.js";
import type { ModelKind } from "../model-kind.js";
import { Rng } from "../rng.js";
import { AutoModel } from "./auto.js";

/** A learner that answers P(class 1) = σ(column), whatever it is trained on. */
function columnScorer(column: string): ModelKind {
  const fitted = {
    name: column,
    predict: (X: FeatureMatrix) => {
      const c = X.columns.find((x) => x.name === column)!;
      if (c.kind !== "numeric") throw new Error("numeric column expected");
      const out = new Float64Array(X.nRows * 2);
      for (let i = 0; i < X.nRows; i++) (out[2 * i + 1] = 1 / (1 + Math.exp(-c.values[i]))), (out[2 * i] = 1 - out[2 * i + 1]);
      return out;
    },
    state: () => ({}),
  };
  const estimator = { name: column, getParams: () => ({}), setParams: () => estimator, clone: () => estimator, fit: () => fitted };
  return { pipeline: { scale: "none" }, create: () => estimator, restore: () => fitted } as unknown as ModelKind;
}

/** Two weak signals with independent noise (their mix beats either) and a strong one the forest stands in for. */
function data(n: number): TrainingData {
  const rng = new Rng(5);
  const y = Float64Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
  const signal = (noise: number) => Float64Array.from(y, (v) => 2 * (v - 0.5) + noise * rng.normal());
  const columns = [
    { name: "weak_a", kind: "numeric" as const, values: signal(2) },
    { name: "weak_b", kind: "numeric" as const, values: signal(2) },
    { name: "strong", kind: "numeric" as const, values: signal(0.6) },
  ];
  return { X: { nRows: n, columns }, y, nClasses: 2, seed: 1 };
}

describe("auto: a classifier blend against a forest", () => {
  it("is not chosen when the forest, outside the blend, scores better on the same held-out rows", async () => {
    const kinds: Record<string, ModelKind> = { logistic_regression: columnScorer("weak_a"), gbdt: columnScorer("weak_b"), random_forest: columnScorer("strong") };
    const fitted = await new AutoModel({ candidates: "logistic_regression,gbdt,random_forest,blend", time_budget_s: 600 }, (name) => kinds[name]).fit(data(1000));
    const sel = fitted.selection;
    const [lr, gbdt, rf, blend] = sel.candidates;
    expect(sel.candidates.map((c) => c.status)).toEqual(["scored", "scored", "scored", "not better"]);
    // The mix of the two weak ones beats each of them, not the forest.
    expect(blend.cvMean!).toBeGreaterThan(Math.max(lr.cvMean!, gbdt.cvMean!));
    expect(blend.cvMean!).toBeLessThan(rf.cvMean!);
    expect(Object.keys(blend.params).sort()).toEqual(["gbdt", "logistic_regression"]);
    expect(sel.chosen).toBe("random_forest");
    expect(fitted.members).toHaveLength(1);
  });
});
