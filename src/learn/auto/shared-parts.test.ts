// auto when the budget cuts its first candidate's CV short while a later, cheaper candidate finishes every part: the
// candidates and the blend are compared on the held-out rows every one of them has predictions for, or the cut parts
// are fitted later when the budget allows. Fit times come from a fake clock (each fit advances it by a set amount),
// so the budget's decisions do not depend on the machine's speed or load.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Estimator, TrainingData } from "../estimator.js";
import type { ModelKind } from "../model-kind.js";
import { modelKind } from "../models.js";
import { Rng } from "../rng.js";
import { AutoModel } from "./auto.js";

let clock = 0;
beforeEach(() => {
  clock = 0;
  vi.spyOn(performance, "now").mockImplementation(() => clock);
});
afterEach(() => vi.restoreAllMocks());

/** The registry's learners, each fit advancing the fake clock by `ms[name]` (a list: one value per fit, the last repeated). */
function timedLookup(ms: Record<string, number[]>): (name: string) => ModelKind {
  const fits: Record<string, number> = {};
  return (name) => {
    const kind = modelKind(name);
    const create = (params: Record<string, unknown>): Estimator => {
      const est = kind.create(params);
      return Object.assign(Object.create(est) as Estimator, {
        fit: async (data: TrainingData) => {
          const fitted = await est.fit(data);
          const i = (fits[name] = (fits[name] ?? 0) + 1) - 1;
          const costs = ms[name] ?? [0];
          clock += costs[Math.min(i, costs.length - 1)];
          return fitted;
        },
      });
    };
    return { ...kind, create };
  };
}

/** A linear trend plus a small step: ridge misses the step, the GBDT draws the trend in stairs; ridge is the better. */
function trendAndStep(n: number): TrainingData {
  const rng = new Rng(7);
  const x = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => rng.normal()));
  const y = Float64Array.from({ length: n }, (_, i) => 2 * x[0][i] + 2 * x[1][i] + STEP * (x[2][i] > 0 ? 1 : 0) + 0.3 * rng.normal());
  return { X: { nRows: n, columns: x.map((values, j) => ({ name: `x${j}`, kind: "numeric" as const, values })) }, y, nClasses: 0, seed: 3 };
}

const STEP = 1.2;

// 5 CV parts. ridge's first fit takes 2 s (a cold start), the next 0.5 s each; the GBDT's 0.1 s. Judged by its first
// part, ridge's other 4 and the reserve for its refit (2 s x 1.875) do not fit in the budget: its CV ends after part
// 1. The GBDT then fits all 5 parts by 2.5 s; a budget of 8.25 s or more leaves time for ridge's next part then.
const costs = { ridge: [2000, 500], gbdt: [100] };
const params = (budget: number) => ({ candidates: "ridge,gbdt,blend", time_budget_s: budget, cv: 5 });

describe("auto: a first candidate scored on fewer CV parts than the others", () => {
  it("compares every candidate, and scores the blend, on the parts all of them have held-out predictions for", async () => {
    const fitted = await new AutoModel(params(7), timedLookup(costs)).fit(trendAndStep(600));
    const sel = fitted.selection;
    const [ridge, gbdt, blend] = sel.candidates;
    expect(ridge).toMatchObject({ label: "ridge", status: "scored", cvParts: 1 });
    expect(ridge.reason).toMatch(/^CV ended after 1 of 5 parts: /);
    expect(gbdt).toMatchObject({ label: "gbdt", status: "scored" });
    expect(gbdt.cvParts).toBeUndefined();
    // Compared on part 1 only, and the selection says so.
    expect(sel.comparedParts).toBe(1);
    expect(sel.comparison).toMatch(/^CV part 1 of 5: ridge's CV ended after 1 part; candidates and the blend are compared on those held-out rows$/);
    expect(ridge.comparedMean).toBe(ridge.cvMean);
    expect(gbdt.comparedMean).toBeGreaterThan(0);
    expect(gbdt.comparedMean).not.toBe(gbdt.cvMean);
    // ridge enters the blend (before: left out, so one candidate was left and the blend was "not better").
    expect(blend).toMatchObject({ label: "blend", status: "scored", cvParts: 1 });
    expect(Object.keys(blend.params).sort()).toEqual(["gbdt", "ridge"]);
    expect(blend.cvMean!).toBeLessThan(Math.min(ridge.comparedMean!, gbdt.comparedMean!));
    expect(sel.chosen).toBe("blend");
  });

  it("fits the cut parts after the other candidates when the budget leaves time, then compares on every part", async () => {
    const fitted = await new AutoModel(params(10), timedLookup(costs)).fit(trendAndStep(600));
    const sel = fitted.selection;
    const ridge = sel.candidates[0];
    expect(ridge).toMatchObject({ label: "ridge", status: "scored" });
    expect(ridge.cvParts).toBeUndefined();
    expect(ridge.reason).toMatch(/^CV ended after 1 of 5 parts: .*; parts 2–5 fitted after the other candidates, in time the budget left$/);
    expect(sel.comparedParts).toBeUndefined();
    expect(sel.comparison).toBeUndefined();
    expect(ridge.seconds).toBeCloseTo(4, 6);
  });
});
