// Model.predictRecords (records written straight into reused feature arrays) against the frame path it replaced,
// predictFrame(recordsToFrame(records)): the same answers bit for bit, one record at a time and in batches; and
// explainRecords against explainFrame the same way.
import { describe, expect, it } from "vitest";
import { recordsToFrame } from "../features/records.js";
import type { Frame, PredictionOutput } from "../records.js";
import { probabilitiesMaker, type Model } from "./model.js";
import { readCsvFrame } from "./test-helpers/csv.js";
import { holdoutSplit, trainCandidate } from "./train.js";

const CHURN = new URL("../../examples/churn/data/source/wa_churn.csv", import.meta.url).pathname;

function recordsOf(frame: Frame, features: string[]): Record<string, unknown>[] {
  const cols = frame.columns.filter((c) => features.includes(c.name));
  return Array.from({ length: frame.rowCount }, (_, i) => {
    const r: Record<string, unknown> = {};
    for (const c of cols) r[c.name] = c.kind === "numeric" ? (Number.isNaN(c.values[i]) ? null : c.values[i]) : c.values[i];
    return r;
  });
}

/** Every number as its bits, so -0, NaN and the last digit count. */
function bits(outputs: PredictionOutput[]): unknown {
  const f = new Float64Array(1);
  const b = new BigUint64Array(f.buffer);
  const bitsOf = (v: number) => ((f[0] = v), b[0]);
  return outputs.map((o) => ({ label: o.label, value: o.value === undefined ? undefined : bitsOf(o.value), p: Object.entries(o.probabilities ?? {}).map(([k, v]) => [k, bitsOf(v)]) }));
}

async function train(frame: Frame, target: string, features: string[], model: string, params: Record<string, unknown> = {}): Promise<Model> {
  const split = holdoutSplit(frame.columns.find((c) => c.name === target)!, { testFraction: 0.2, seed: 3, stratify: true });
  const r = await trainCandidate({ frame, target, features, task: "binary", testRows: split.test, cvFolds: 0, seed: 3, candidate: { name: model, model, params } });
  return r.model as Model;
}

function expectSameAnswers(model: Model, records: Record<string, unknown>[], inputs: { name: string; kind: "numeric" | "categorical" }[]): void {
  expect(bits(model.predictRecords(records))).toEqual(bits(model.predictFrame(recordsToFrame(records, inputs))));
  for (const r of records) expect(bits(model.predictRecords([r]))).toEqual(bits(model.predictFrame(recordsToFrame([r], inputs))));
  // Explanations take the same reused arrays (explainRecords) as predictions: equal to the frame path's, every row.
  if (model.explainable) expect(model.explainRecords(records)).toEqual(model.explainFrame(recordsToFrame(records, inputs)));
}

describe("probabilitiesMaker", () => {
  it("makes the object a store per class makes: same keys, order, values and prototype", () => {
    const lists = [["No", "Yes"], ["10", "2", "b", "a"], ["__proto__", "constructor", 'say "hi"', "Zürich", ""], ["x"]];
    const out = Float64Array.of(0.25, -0, 0.5, 1e-300, 0.125, NaN);
    for (const classes of lists) {
      const made = probabilitiesMaker(classes)!(out, 1);
      const stored: Record<string, number> = {};
      for (let c = 0; c < classes.length; c++) stored[classes[c]] = out[1 + c];
      expect(Object.keys(made)).toEqual(Object.keys(stored));
      expect(Object.getPrototypeOf(made)).toBe(Object.getPrototypeOf(stored));
      for (const k of Object.keys(stored)) expect(Object.is(made[k], stored[k])).toBe(true);
      expect(JSON.stringify(made)).toBe(JSON.stringify(stored));
    }
    expect(probabilitiesMaker(Array.from({ length: 65 }, (_, i) => `c${i}`))).toBeNull();
  });
});

describe("Model.predictRecords equals the frame path", () => {
  const churn = readCsvFrame(CHURN);
  const features = churn.columns.map((c) => c.name).filter((n) => n !== "churn");
  const churnRecords = recordsOf(churn, features);

  for (const [model, params] of [["logistic_regression", {}], ["gbdt", { n_estimators: 20, max_depth: 4 }]] as const) {
    it(`churn ${model}: every row of the example, alone and as one batch`, async () => {
      const m = await train(churn, "churn", features, model, params);
      expectSameAnswers(m, churnRecords, m.pipeline.inputs);
    });
  }

  it("a model with categorical and datetime features (and missing, unseen and unparsable values)", async () => {
    const n = 400;
    const plan: (string | null)[] = [];
    const at: (string | null)[] = [];
    const x = new Float64Array(n);
    const y: string[] = [];
    for (let i = 0; i < n; i++) {
      plan.push(i % 10 === 0 ? null : ["basic", "plus", "pro"][i % 3]);
      at.push(i % 9 === 0 ? null : `2025-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}T${String(i % 24).padStart(2, "0")}:15:00Z`);
      x[i] = i % 13 === 0 ? NaN : (i * 31) % 97;
      y.push((i % 12 > 5) !== (plan[i] === "pro") ? "yes" : "no");
    }
    const frame: Frame = {
      rowCount: n,
      columns: [
        { name: "plan", kind: "categorical", values: plan },
        { name: "at", kind: "categorical", values: at },
        { name: "x", kind: "numeric", values: x },
        { name: "y", kind: "categorical", values: y },
      ],
    };
    const feats = ["plan", "at", "x"];
    const records = [...recordsOf(frame, feats), { plan: "enterprise", at: "2031-07-04", x: 1e5 }, { plan: null, at: "not a date", x: null }, {}];
    for (const model of ["logistic_regression", "gbdt"]) {
      const m = await train(frame, "y", feats, model, model === "gbdt" ? { n_estimators: 20, max_depth: 3 } : {});
      expect(m.pipeline.state.columns.map((c) => c.kind)).toEqual(["categorical", "datetime", "numeric"]);
      expectSameAnswers(m, records, m.pipeline.inputs);
    }
  });
});
