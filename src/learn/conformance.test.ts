// The conformance suite every learner in the zoo must pass (scikit-learn's check_estimator idea).
import { describe, expect, it } from "vitest";
import { TrainingError, ValidationError } from "../errors.js";
import type { Frame, Task } from "../records.js";
import { MODELS } from "./models.js";
import { Rng } from "./rng.js";
import { holdoutSplit, loadModel, trainCandidate } from "./train.js";

function data(task: Task, n = 150): Frame {
  const rng = new Rng(7);
  const x = Float64Array.from({ length: n }, () => rng.normal());
  const z = Float64Array.from({ length: n }, (_, i) => (i % 11 === 0 ? NaN : rng.normal()));
  const c = Array.from({ length: n }, (_, i) => ["p", "q", "r"][i % 3]);
  const score = Array.from(x, (v, i) => v + (c[i] === "p" ? 1 : 0) + 0.3 * rng.normal());
  const y =
    task === "regression"
      ? { name: "y", kind: "numeric" as const, values: Float64Array.from(score) }
      : { name: "y", kind: "categorical" as const, values: score.map((s) => (task === "binary" ? (s > 0.3 ? "yes" : "no") : s < -0.3 ? "lo" : s < 0.8 ? "mid" : "hi")) };
  return { rowCount: n, columns: [{ name: "x", kind: "numeric", values: x }, { name: "z", kind: "numeric", values: z }, { name: "c", kind: "categorical", values: c }, y] };
}

/** Small settings so the suite stays fast; the learners' defaults are exercised elsewhere. */
const FAST: Record<string, Record<string, unknown>> = {
  bagging: { n_estimators: 4 },
  auto: { candidates: "random_forest,gbdt_regularised", time_budget_s: 600, cv: 3 },
  gbdt: { n_estimators: 10 },
  random_forest: { n_estimators: 5 },
  extra_trees: { n_estimators: 5 },
  // alpha = 1 shrinks every weight of this small target to zero (as scikit-learn would).
  lasso: { alpha: 0.01 },
  elastic_net: { alpha: 0.01 },
  // The default members ("auto": gbdt and ridge or logistic regression, by task), gbdt kept small.
  voting: { member_params: '{"gbdt":{"n_estimators":10}}' },
  stacking: { members: "gbdt,random_forest", cv: 3, member_params: '{"gbdt":{"n_estimators":10},"random_forest":{"n_estimators":5}}' },
};

for (const kind of Object.values(MODELS)) {
  describe(`conformance: ${kind.name}`, () => {
    it("clone(est).getParams() round trip: the constructor's options are the hyperparameters, and the registry's schema agrees", () => {
      const est = kind.create(FAST[kind.name] ?? {});
      const params = est.getParams();
      expect(est.name).toBe(kind.name);
      const copy = est.clone();
      expect(copy).not.toBe(est);
      expect(copy.getParams()).toEqual(params);
      expect(kind.create(params).getParams()).toEqual(params);
      expect(copy.setParams(params)).toBe(copy);
      expect(copy.getParams()).toEqual(params);
      // getParams hands out a copy: changing it changes neither the estimator nor its clones.
      copy.getParams()[Object.keys(params)[0]] = "changed";
      expect(copy.getParams()).toEqual(params);
      expect(kind.params.parse(params)).toEqual(params);
      expect(() => est.clone().setParams({ not_a_param: 1 })).toThrow(ValidationError);
      expect(est.getParams()).toEqual(params);
    });
    for (const task of kind.tasks) {
      it(`${task}: fits, predicts every row, repeats for a seed, survives save/load`, async () => {
        const frame = data(task);
        const { test } = holdoutSplit(frame.columns[3], { testFraction: 0.3, seed: 2, stratify: task !== "regression" });
        const req = {
          frame, target: "y", features: ["x", "z", "c"], task, positive: task === "binary" ? "yes" : undefined,
          testRows: test, cvFolds: 0, seed: 3, candidate: { name: kind.name, model: kind.name, params: FAST[kind.name] ?? {} },
        };
        const a = await trainCandidate(req);
        const b = await trainCandidate(req);
        const out = a.model.predictFrame(frame);
        expect(out).toHaveLength(frame.rowCount);
        expect(b.model.predictFrame(frame)).toEqual(out);
        if (task === "regression") {
          expect(out.every((o) => Number.isFinite(o.value))).toBe(true);
          expect(a.testMetrics.r2).toBeGreaterThan(0.3);
        } else {
          for (const o of out) {
            const ps = Object.values(o.probabilities!);
            expect(ps.every((p) => p >= 0 && p <= 1)).toBe(true);
            expect(ps.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 9);
          }
          expect(a.testMetrics.roc_auc).toBeGreaterThan(0.7);
        }
        expect(loadModel(a.model.toBytes()).predictFrame(frame)).toEqual(out);
        expect(a.model.predictRecords([{ x: 0.1, z: null, c: "unseen" }])).toHaveLength(1);
      });
    }
    it("refuses a missing target with a TrainingError", async () => {
      const task = kind.tasks[0];
      const frame = data(task);
      const y = frame.columns[3];
      if (y.kind === "numeric") y.values[4] = NaN;
      else y.values[4] = null;
      await expect(
        trainCandidate({ frame, target: "y", features: ["x", "c"], task, testRows: new Uint32Array(0), cvFolds: 0, seed: 0, candidate: { name: kind.name, model: kind.name } }),
      ).rejects.toThrow(TrainingError);
    });
  });
}
