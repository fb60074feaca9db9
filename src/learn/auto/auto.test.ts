import { describe, expect, it } from "vitest";
import type { Frame } from "../../records.js";
import { Rng } from "../rng.js";
import { holdoutSplit, loadModel, trainCandidate } from "../train.js";
import { fitMember } from "../ensemble/members.js";
import { modelKind } from "../models.js";
import { applyMatrixPrep } from "../../features/matrix-prep.js";
import { FittedAuto, fitCandidate } from "./auto.js";
import { portfolio } from "./portfolio.js";

/** A binary set a linear model gets right and a single deep tree does not: auto has something to choose. */
function linearish(n: number): Frame {
  const rng = new Rng(11);
  const cols = Array.from({ length: 6 }, () => Float64Array.from({ length: n }, () => rng.normal()));
  const y = Array.from({ length: n }, (_, i) => (cols.reduce((s, c, j) => s + (j + 1) * 0.4 * c[i], 0) + rng.normal() > 0 ? "yes" : "no"));
  return {
    rowCount: n,
    columns: [...cols.map((values, j) => ({ name: `x${j}`, kind: "numeric" as const, values })), { name: "y", kind: "categorical" as const, values: y }],
  };
}

const features = ["x0", "x1", "x2", "x3", "x4", "x5"];

describe("auto", () => {
  it("scores every candidate by CV on the train rows, picks the best CV score and refits it", async () => {
    const frame = linearish(600);
    const { test } = holdoutSplit(frame.columns[6], { testFraction: 0.3, seed: 1, stratify: true });
    const r = await trainCandidate({
      frame, target: "y", features, task: "binary", positive: "yes", testRows: test, cvFolds: 0, seed: 5,
      candidate: { name: "auto", model: "auto", params: { candidates: "logistic_regression,gbdt,random_forest", time_budget_s: 600 } },
    });
    const sel = r.selection!;
    expect(sel.candidates.map((c) => c.label)).toEqual(["logistic_regression", "gbdt", "random_forest"]);
    expect(sel.candidates.every((c) => c.status === "scored" && c.cvMean! > 0.5 && c.cvMean! <= 1)).toBe(true);
    const best = sel.candidates.reduce((a, b) => (b.cvMean! > a.cvMean! ? b : a));
    expect(sel.chosen).toBe(best.label);
    expect(sel.chosen).toBe("logistic_regression"); // the truth is linear
    expect(sel.metric).toBe("roc_auc");
    expect(sel.refitOnAllRows).toBe(true);
    expect(sel.refit).toBe("all_rows");
    const chosen = sel.candidates.find((c) => c.label === sel.chosen)!;
    expect(chosen).toMatchObject({ refit: "all_rows", refitReason: "logistic_regression refit on all 420 train rows" });
    expect(sel.candidates.filter((c) => c.refit !== undefined)).toEqual([chosen]);
    expect(r.testMetrics.roc_auc).toBeGreaterThan(0.85);
    // Global explanation kept with the result: x5 weighs most in the truth (6 x 0.4), x0 least.
    const imp = r.shapImportance!;
    expect(Object.keys(imp)).toEqual(features);
    expect(imp.x5).toBeGreaterThan(imp.x0);
    expect(Object.entries(imp).sort((a, b) => b[1] - a[1])[0][0]).toBe("x5");
    const loaded = loadModel(r.model.toBytes());
    expect(loaded.predictFrame(frame)).toEqual(r.model.predictFrame(frame));
  });

  it("a budget spent by the first candidate skips the rest and says so", async () => {
    const frame = linearish(400);
    const r = await trainCandidate({
      frame, target: "y", features, task: "binary", positive: "yes", testRows: new Uint32Array(0), cvFolds: 0, seed: 5,
      candidate: { name: "auto", model: "auto", params: { time_budget_s: 0.001 } },
    });
    const sel = r.selection!;
    // The first candidate fits one CV part whatever the budget, and is scored on it; its CV ends there.
    expect(sel.candidates[0]).toMatchObject({ status: "scored", cvParts: 1 });
    expect(sel.candidates[0].reason).toMatch(/^CV ended after 1 of 5 parts: 4 CV parts and a refit expected to take [\d.]+ s, 0.00 s of the 0.00 s budget left$/);
    expect(sel.candidates.slice(1, -1).every((c) => c.status === "skipped: budget" && /budget left$/.test(c.reason!))).toBe(true);
    // One scored candidate is no mix: the blend is recorded as not better.
    expect(sel.candidates.at(-1)).toMatchObject({ label: "blend", status: "not better" });
    expect(sel.chosen).toBe("logistic_regression");
    // No time left to refit on every train row: the model fitted on the last CV part's train rows is the result.
    expect(sel.refitOnAllRows).toBe(false);
    expect(sel.refit).toBe("last_cv_part");
    expect(sel.refitReason).toMatch(/^budget: [\d.]+ s of 0.00 s spent and refitting logistic_regression on all 400 train rows was expected to take [\d.]+ s; kept the model fitted on the last CV part's 320 rows$/);
    expect(sel.candidates[0]).toMatchObject({ refit: "last_cv_part", refitReason: sel.refitReason });
    expect(r.model.predictFrame(frame).length).toBe(400);
  });

  it("regression portfolio starts with ridge; labels are unique names usable in `candidates`", () => {
    const p = portfolio("regression", 1000);
    expect(p[0].model).toBe("ridge");
    const labels = p.map((e) => e.label);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.every((l) => /^[a-z_]+$/.test(l))).toBe(true);
  });

  it("a stoppable candidate (the GBDT) is asked between rounds and stops when told to", async () => {
    const frame = linearish(300);
    const X = { nRows: 300, columns: frame.columns.slice(0, 6).map((c) => ({ name: c.name, kind: "numeric" as const, values: c.values as Float64Array })) };
    const y = Float64Array.from(frame.columns[6].values as string[], (v) => (v === "yes" ? 1 : 0));
    const gbdt = portfolio("binary", 300).find((e) => e.label === "gbdt")!;
    expect(gbdt.stoppable).toBe(true);
    let asked = 0;
    await expect(fitCandidate(modelKind, gbdt, { X, y, nClasses: 2, seed: 1 }, () => ++asked >= 3)).rejects.toThrow();
    expect(asked).toBe(3);
    asked = 0;
    const m = await fitCandidate(modelKind, { ...gbdt, params: { n_estimators: 7 } }, { X, y, nClasses: 2, seed: 1 }, () => (asked++, false));
    expect(asked).toBe(7);
    expect(m.fitted.predict(X).length).toBe(600);
  });

  it("the linear candidates are stoppable too: they are asked between iterations", async () => {
    const rng = new Rng(3);
    const n = 1200;
    const codes = Int32Array.from({ length: n }, () => Math.floor(rng.next() * 500));
    const x = Float64Array.from({ length: n }, () => rng.normal());
    const X = { nRows: n, columns: [{ name: "x", kind: "numeric" as const, values: x }, { name: "id", kind: "categorical" as const, codes, levels: 500 }] };
    const y = Float64Array.from({ length: n }, (_, i) => x[i] + (codes[i] % 7) + rng.normal());
    for (const task of ["regression", "binary"] as const) {
      const e = portfolio(task, n)[0];
      expect(e.stoppable).toBe(true);
      const data = { X, y: task === "regression" ? y : Float64Array.from(y, (v) => (v > 3 ? 1 : 0)), nClasses: task === "regression" ? 0 : 2, seed: 1 };
      let asked = 0;
      await expect(fitCandidate(modelKind, { ...e, params: { tol: 1e-14 } }, data, () => ++asked >= 3)).rejects.toThrow(/budget was spent/);
      expect(asked).toBe(3);
    }
  });

  it("a blend predicts the weighted average of its members, explains additively (regression) and round-trips", async () => {
    const rng = new Rng(4);
    const n = 300;
    const x = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => rng.normal()));
    const X = { nRows: n, columns: x.map((values, j) => ({ name: `x${j}`, kind: "numeric" as const, values })) };
    const y = Float64Array.from({ length: n }, (_, i) => 2 * x[0][i] + x[1][i] * x[2][i] + 0.1 * rng.normal());
    const data = { X, y, nClasses: 0, seed: 2 };
    const ridge = await fitMember(modelKind, "ridge", {}, data);
    const gbdt = await fitMember(modelKind, "gbdt", { n_estimators: 20 }, data);
    const selection = { chosen: "blend", chosenModel: "blend", metric: "rmse", budgetSeconds: 60, candidates: [] };
    const blend = new FittedAuto([ridge, gbdt], [0.25, 0.75], selection);
    const p = blend.predict(X);
    const pr = ridge.fitted.predict(ridge.prep ? (await import("../../features/matrix-prep.js")).applyMatrixPrep(ridge.prep, X) : X);
    const pg = gbdt.fitted.predict(X);
    for (let i = 0; i < n; i++) expect(p[i]).toBeCloseTo(0.25 * pr[i] + 0.75 * pg[i], 10);
    const e = blend.explain(X);
    const width = e.values.length / n;
    for (let i = 0; i < n; i += 37) {
      let sum = 0;
      for (let f = 0; f < width; f++) sum += e.values[i * width + f];
      expect(Math.abs(sum - p[i])).toBeLessThan(1e-6);
    }
    const back = FittedAuto.restore(modelKind, blend.state() as never);
    expect(back.predict(X)).toEqual(p);
    expect(Object.values(blend.importance()).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  for (const K of [2, 3]) {
    it(`a blend of classifiers (${K} classes) mixes margins: its explanation adds up to the margin whose ${K === 2 ? "σ" : "softmax"} it predicts`, async () => {
      const rng = new Rng(8 + K);
      const n = 240;
      const x = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => rng.normal()));
      const X = { nRows: n, columns: x.map((values, j) => ({ name: `x${j}`, kind: "numeric" as const, values })) };
      const y = Float64Array.from({ length: n }, (_, i) => {
        const s = x[0][i] + x[1][i] * x[2][i] + 0.5 * rng.normal();
        return K === 2 ? Number(s > 0) : s < -0.5 ? 0 : s < 0.5 ? 1 : 2;
      });
      const data = { X, y, nClasses: K, seed: 3 };
      const members = [await fitMember(modelKind, "logistic_regression", {}, data), await fitMember(modelKind, "gbdt", { n_estimators: 30 }, data)];
      const w = [0.4, 0.6];
      const selection = { chosen: "blend", chosenModel: "blend", metric: "roc_auc", budgetSeconds: 60, candidates: [] };
      const blend = new FittedAuto(members, w, selection);
      const p = blend.predict(X);
      const e = blend.explain(X);
      const outs = K === 2 ? 1 : K;
      expect(e.outputs).toBe(outs);
      expect(e.scale).toBe(K === 2 ? "log-odds" : "margin");
      const F = 3;
      const mp = members.map((m) => m.fitted.predict(m.prep ? applyMatrixPrep(m.prep, X) : X));
      const me = members.map((m) => m.fitted.explain!(m.prep ? applyMatrixPrep(m.prep, X) : X));
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const z = new Float64Array(outs);
        for (let k = 0; k < outs; k++) {
          const at = (i * outs + k) * (F + 1);
          for (let f = 0; f <= F; f++) z[k] += e.values[at + f];
          // Base Σ wᵢ·baseᵢ; the margin Σ wᵢ·zᵢ, zᵢ the member's own margin (binary logit pᵢ; multiclass up to a shift per row).
          expect(e.values[at + F]).toBeCloseTo(w[0] * me[0].values[at + F] + w[1] * me[1].values[at + F], 10);
          if (K === 2) {
            const want = w.reduce((a, wm, m) => a + wm * Math.log(mp[m][2 * i + 1] / mp[m][2 * i]), 0);
            worst = Math.max(worst, Math.abs(z[0] - want));
          }
        }
        // The blend's probabilities are σ / softmax of that margin.
        const probs = K === 2 ? [1 / (1 + Math.exp(z[0])), 1 / (1 + Math.exp(-z[0]))] : Array.from(z, (v) => Math.exp(v)).map((v, _, a) => v / a.reduce((s, u) => s + u, 0));
        for (let k = 0; k < K; k++) expect(Math.abs(p[i * K + k] - probs[k])).toBeLessThan(1e-9);
        if (K > 2) for (let k = 1; k < K; k++) {
          const want = w.reduce((a, wm, m) => a + wm * Math.log(mp[m][i * K + k] / mp[m][i * K]), 0);
          worst = Math.max(worst, Math.abs(z[k] - z[0] - want));
        }
      }
      expect(worst).toBeLessThan(1e-6);
      const back = FittedAuto.restore(modelKind, blend.state() as never);
      expect(back.predict(X)).toEqual(p);
      // A forest explains probabilities, not margins: a blend with one cannot explain, and says so.
      const rf = await fitMember(modelKind, "random_forest", { n_estimators: 5 }, data);
      expect(() => new FittedAuto([members[0], rf], w, selection).explain(X)).toThrow(/do not add up/);
    });
  }

  it("a classifier blend is drawn only from learners that explain margins: forests alone leave no blend", async () => {
    const frame = linearish(300);
    const r = await trainCandidate({
      frame, target: "y", features, task: "binary", positive: "yes", testRows: new Uint32Array(0), cvFolds: 0, seed: 5,
      candidate: { name: "auto", model: "auto", params: { candidates: "random_forest,extra_trees,blend", time_budget_s: 600 } },
    });
    const sel = r.selection!;
    expect(sel.candidates.slice(0, 2).every((c) => c.status === "scored")).toBe(true);
    expect(sel.candidates.at(-1)).toMatchObject({ label: "blend", status: "not better" });
    expect(portfolio("binary", 300).filter((e) => e.explainsMargin).map((e) => e.model)).toEqual(["logistic_regression", "gbdt", "gbdt", "gbdt"]);
  });
});
