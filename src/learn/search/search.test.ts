// Tests of search spaces, TPE, and grid / random / TPE search with pruning and onTrial.
import { describe, expect, it } from "vitest";
import type { Frame } from "../../records.js";
import { LogisticRegression } from "../linear/logistic.js";
import { Rng } from "../rng.js";
import { holdoutSplit } from "../split.js";
import { searchCandidates, type Trial } from "./search.js";
import { fromUnit, gridSpace, sampleSpace, toUnit, validateSpace } from "./space.js";
import { proposeTpe, type Observation } from "./tpe.js";

function frame(n = 240): Frame {
  const rng = new Rng(3);
  const x = Float64Array.from({ length: n }, () => rng.normal());
  const z = Float64Array.from({ length: n }, () => rng.normal());
  const y = Array.from(x, (v, i) => (v + 0.5 * z[i] + rng.normal() * 0.5 > 0 ? "a" : "b"));
  return { rowCount: n, columns: [{ name: "x", kind: "numeric", values: x }, { name: "z", kind: "numeric", values: z }, { name: "y", kind: "categorical", values: y }] };
}

const base = (f: Frame) => ({
  frame: f, target: "y", features: ["x", "z"], task: "binary" as const, positive: "a",
  testRows: holdoutSplit(f.columns[2], { testFraction: 0.25, seed: 1, stratify: true }).test, cvFolds: 3, seed: 5,
});

describe("search spaces", () => {
  it("unit mapping round-trips, ints snap, log scales", () => {
    const d = { type: "float" as const, low: 0.001, high: 1, log: true };
    expect(fromUnit(d, toUnit(d, 0.01)) as number).toBeCloseTo(0.01, 12);
    expect(fromUnit({ type: "int", low: 2, high: 10, step: 2 }, 0.3)).toBe(4);
    const s = sampleSpace({ a: { type: "choice", values: ["x", "y"] }, b: { type: "int", low: 1, high: 3 } }, new Rng(1));
    expect(["x", "y"]).toContain(s.a);
    expect([1, 2, 3]).toContain(s.b);
  });
  it("grids are the Cartesian product and refuse to explode", () => {
    const g = gridSpace({ a: { type: "choice", values: [1, 2] }, b: { type: "int", low: 1, high: 3 } }, 100);
    expect(g).toHaveLength(6);
    expect(() => gridSpace({ a: { type: "float", low: 0, high: 1 }, b: { type: "float", low: 0, high: 1 } }, 10)).toThrow(/more than 10/);
  });
  it("invalid spaces name the parameter", () => {
    expect(() => validateSpace({ lr: { type: "float", low: 0, high: 1, log: true } })).toThrow(/"lr".*log scale/);
    expect(() => validateSpace({ k: { type: "choice", values: [] } })).toThrow(/"k"/);
  });
});

describe("TPE", () => {
  it("concentrates proposals near the optimum of a 1-d function after the random start", () => {
    const space = { x: { type: "float" as const, low: 0, high: 10 } };
    const rng = new Rng(11);
    const done: Observation[] = [];
    for (let t = 0; t < 60; t++) {
      const p = proposeTpe(space, done, rng);
      done.push({ params: p, score: -(((p.x as number) - 7) ** 2) });
    }
    const late = done.slice(40).map((o) => o.params.x as number);
    const meanDist = late.reduce((s, x) => s + Math.abs(x - 7), 0) / late.length;
    expect(meanDist).toBeLessThan(1.5); // uniform sampling would average about 2.9
  });
});

describe("searchCandidates", () => {
  it("grid search: every point a trial, reported through onTrial, best refit and tested", async () => {
    const seen: Trial[] = [];
    const r = await searchCandidates({
      ...base(frame()),
      candidate: { name: "lr", model: "logistic_regression" },
      space: { C: { type: "choice", values: [0.001, 0.1, 10] } },
      method: "grid",
      prune: false,
      onTrial: (t) => void seen.push(t),
    });
    expect(seen).toHaveLength(3);
    expect(r.trials.map((t) => t.params.C)).toEqual([0.001, 0.1, 10]);
    expect(seen.every((t) => t.state === "complete" && t.foldMetrics.length === 3)).toBe(true);
    expect(r.bestTrial.score).toBe(Math.max(...r.trials.map((t) => t.score)));
    expect(r.params.C).toBe(r.bestTrial.params.C);
    expect(r.testMetrics.roc_auc).toBeGreaterThan(0.7);
    expect(r.cvMetrics.roc_auc_mean).toBe(r.bestTrial.score);
  });
  it("the refit of the best trial keeps its loss per round and mean |SHAP|, as a plain candidate's final fit does", async () => {
    const r = await searchCandidates({
      ...base(frame()),
      candidate: { name: "g", model: "gbdt", params: { n_estimators: 15 } },
      space: { max_depth: { type: "choice", values: [2, 3] } },
      method: "grid",
      prune: false,
      learningCurve: true,
    });
    const curve = Object.values(r.learningCurve ?? {})[0];
    expect(curve.map((p) => p.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(curve[14].value).toBeLessThan(curve[0].value);
    expect(Object.keys(r.shapImportance ?? {}).sort()).toEqual(["x", "z"]);
    expect(r.shapImportance!.x).toBeGreaterThan(r.shapImportance!.z); // y = x + 0.5 z + noise
  });
  it("random and TPE search on GBDT, with pruning of hopeless trials and a failed trial recorded", async () => {
    for (const method of ["random", "tpe"] as const) {
      const r = await searchCandidates({
        ...base(frame()),
        candidate: { name: "g", model: "gbdt", params: { n_estimators: 20 } },
        space: { learning_rate: { type: "float", low: 0.0001, high: 0.5, log: true }, max_leaves: { type: "int", low: 1, high: 8 } },
        method,
        trials: 12,
        metric: "log_loss",
      });
      expect(r.trials).toHaveLength(12);
      expect(r.metric).toBe("log_loss");
      // max_leaves = 1 is outside the learner's range: that trial fails, the search goes on.
      expect(r.trials.some((t) => t.state === "failed"), method).toBe(true);
      for (const t of r.trials.filter((t) => t.state === "failed")) expect(t.error).toMatch(/max_leaves/);
      for (const t of r.trials.filter((t) => t.params.max_leaves === 1)) expect(t.state).toBe("failed");
      const complete = r.trials.filter((t) => t.state === "complete");
      expect(r.bestTrial.score).toBe(Math.min(...complete.map((t) => t.score)));
      expect(r.trials.some((t) => t.state === "pruned")).toBe(true);
      for (const t of r.trials.filter((t) => t.state === "pruned")) expect(t.foldMetrics.length).toBeLessThan(3);
    }
  });
  it("minimises every loss the registry marks lower-is-better (mse), and refuses an unknown metric up front", async () => {
    const f = frame();
    const y = f.columns[0].values as Float64Array;
    const reg: Frame = { ...f, columns: [f.columns[0], f.columns[1], { name: "y", kind: "numeric", values: Float64Array.from(y, (v, i) => 3 * v + (i % 7)) }] };
    const req = {
      ...base(reg), task: "regression" as const, positive: undefined,
      testRows: holdoutSplit(reg.columns[2], { testFraction: 0.25, seed: 1, stratify: false }).test,
      candidate: { name: "r", model: "ridge" },
      space: { alpha: { type: "choice" as const, values: [0.01, 1000] } },
      method: "grid" as const,
      prune: false,
    };
    const r = await searchCandidates({ ...req, metric: "mse" });
    expect(r.trials.every((t) => t.state === "complete")).toBe(true);
    // alpha = 1000 shrinks the slope of 3 towards zero: the worse fit, which a maximised mse would pick.
    expect(r.bestTrial.params.alpha).toBe(0.01);
    expect(r.bestTrial.score).toBe(Math.min(...r.trials.map((t) => t.score)));
    await expect(searchCandidates({ ...req, metric: "rmsee" })).rejects.toThrow(/unknown metric "rmsee"/);
    await expect(searchCandidates({ ...req, metric: "roc_auc" })).rejects.toThrow(/not measured for task regression/);
  });
  it("builds each trial as clone().setParams() of one checked estimator: a bad fixed parameter is refused before any trial", async () => {
    const seen: Trial[] = [];
    const req = {
      ...base(frame()),
      space: { C: { type: "choice" as const, values: [0.1, -1] } },
      method: "grid" as const,
      prune: false,
      onTrial: (t: Trial) => void seen.push(t),
    };
    await expect(searchCandidates({ ...req, candidate: { name: "lr", model: "logistic_regression", params: { max_itr: 50 } } })).rejects.toThrow(/unknown parameter "max_itr"/);
    expect(seen).toHaveLength(0);
    const r = await searchCandidates({ ...req, candidate: { name: "lr", model: "logistic_regression", params: { max_iter: 50 } } });
    // The trial records the learner's resolved parameters; the refused sampled value fails that trial only.
    expect(r.trials[0].params).toEqual({ ...new LogisticRegression({ max_iter: 50, C: 0.1 }).getParams() });
    expect(r.trials[1]).toMatchObject({ state: "failed", params: { max_iter: 50, C: -1 } });
    expect(r.trials[1].error).toMatch(/parameter "C" of logistic_regression must be > 0/);
  });
  it("without CV each trial validates on one slice of the train rows", async () => {
    const r = await searchCandidates({
      ...base(frame()),
      cvFolds: 0,
      candidate: { name: "lr", model: "logistic_regression" },
      space: { C: { type: "float", low: 0.01, high: 10, log: true } },
      method: "random",
      trials: 3,
    });
    expect(r.trials.every((t) => t.foldMetrics.length === 1)).toBe(true);
  });
  it("parallel trials in worker threads score exactly as trials in this thread, and still prune (needs the dist/ build)", async () => {
    const req = {
      ...base(frame(400)),
      candidate: { name: "g", model: "gbdt", params: { n_estimators: 15 } },
      space: { learning_rate: { type: "float" as const, low: 0.0001, high: 0.5, log: true }, max_leaves: { type: "int" as const, low: 2, high: 8 } },
      method: "random" as const,
      trials: 8,
    };
    const seen: number[] = [];
    const one = await searchCandidates({ ...req, prune: false });
    const two = await searchCandidates({ ...req, prune: false, parallel: 2, onTrial: (t) => void seen.push(t.number) });
    expect([one.workers, two.workers]).toEqual([1, 2]);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(two.trials.map((t) => [t.params.learning_rate, t.params.max_leaves, t.score])).toEqual(one.trials.map((t) => [t.params.learning_rate, t.params.max_leaves, t.score]));
    expect(two.testMetrics.roc_auc).toBe(one.testMetrics.roc_auc);
    // With pruning, rounds of 3 prune against the trials finished before each round: same outcome on every run.
    const a = await searchCandidates({ ...req, trials: 15, parallel: 3 });
    const b = await searchCandidates({ ...req, trials: 15, parallel: 3 });
    expect(a.trials.map((t) => t.state)).toEqual(b.trials.map((t) => t.state));
    expect(a.trials.some((t) => t.state === "pruned")).toBe(true);
  });
});
