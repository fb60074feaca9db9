import { describe, expect, it } from "vitest";
import type { Frame, Task } from "../../records.js";
import { Rng } from "../rng.js";
import { loadModel, trainCandidate } from "../train.js";

function frame(task: Task, n = 300): Frame {
  const rng = new Rng(9);
  const x = Float64Array.from({ length: n }, () => rng.normal());
  const z = Float64Array.from({ length: n }, (_, i) => (i % 9 === 0 ? NaN : rng.normal()));
  const c = Array.from({ length: n }, (_, i) => (i % 17 === 0 ? null : ["p", "q", "r", "s"][rng.int(4)]));
  const s = Array.from(x, (v, i) => v + 0.5 * (Number.isNaN(z[i]) ? 0 : z[i]) + (c[i] === "p" ? 1 : 0) + 0.3 * rng.normal());
  const y =
    task === "regression"
      ? { name: "y", kind: "numeric" as const, values: Float64Array.from(s) }
      : { name: "y", kind: "categorical" as const, values: s.map((v) => (task === "binary" ? (v > 0.3 ? "yes" : "no") : v < -0.3 ? "lo" : v < 0.8 ? "mid" : "hi")) };
  return { rowCount: n, columns: [{ name: "x", kind: "numeric", values: x }, { name: "z", kind: "numeric", values: z }, { name: "c", kind: "categorical", values: c }, y] };
}

const logit = (p: number) => Math.log(p / (1 - p));

describe("explanations of predictions", () => {
  for (const [model, task] of [["gbdt", "binary"], ["gbdt", "multiclass"], ["gbdt", "regression"], ["logistic_regression", "binary"], ["ridge", "regression"], ["random_forest", "binary"], ["auto", "binary"]] as const) {
    it(`${model} ${task}: base + contributions + rest = the raw score the prediction comes from; survives save/load`, async () => {
      const f = frame(task);
      const params = model === "auto" ? { candidates: "logistic_regression,gbdt", time_budget_s: 600 } : model === "random_forest" ? { n_estimators: 10 } : {};
      const r = await trainCandidate({ frame: f, target: "y", features: ["x", "z", "c"], task, positive: task === "binary" ? "yes" : undefined, testRows: new Uint32Array(0), cvFolds: 0, seed: 1, candidate: { name: model, model, params } });
      const m = loadModel(r.model.toBytes());
      const records = [{ x: 0.5, z: null, c: "p" }, { x: -1, z: 2, c: "unseen" }, { x: 0, z: 0, c: null }];
      const ex = m.explainRecords(records, 2);
      const pred = m.predictRecords(records);
      ex.forEach((per, i) => {
        for (const o of per) {
          expect(o.contributions.length).toBe(2);
          expect(Math.abs(o.contributions[0].value)).toBeGreaterThanOrEqual(Math.abs(o.contributions[1].value));
          expect(o.base + o.contributions.reduce((a, c) => a + c.value, 0) + o.rest).toBeCloseTo(o.raw, 9);
        }
        if (task === "regression") expect(per[0].raw).toBeCloseTo(pred[i].value!, 9);
        if (task === "binary") {
          expect(per[0].output).toBe("yes");
          const p = pred[i].probabilities!.yes;
          expect(per[0].raw).toBeCloseTo(per[0].scale === "probability" ? p : logit(p), 8);
        }
        if (task === "multiclass") {
          expect(per.map((o) => o.output).sort()).toEqual(["hi", "lo", "mid"]);
          // Softmax of the explained margins is the predicted distribution.
          const e = per.map((o) => Math.exp(o.raw));
          const sum = e.reduce((a, b) => a + b, 0);
          per.forEach((o, k) => expect(e[k] / sum).toBeCloseTo(pred[i].probabilities![o.output], 9));
        }
      });
    });
  }

  it("a learner without explanations says so", async () => {
    const f = frame("binary");
    const r = await trainCandidate({ frame: f, target: "y", features: ["x", "z", "c"], task: "binary", positive: "yes", testRows: new Uint32Array(0), cvFolds: 0, seed: 1, candidate: { name: "knn", model: "knn" } });
    expect(() => r.model.explainRecords([{ x: 0, z: 0, c: "p" }])).toThrow(/a knn model cannot explain its predictions/);
  });
});
