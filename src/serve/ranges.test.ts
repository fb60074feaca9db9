// Inputs outside what training saw: flagged in the /predict answer and counted in Prometheus, or refused under strict ranges.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { Signature } from "../records.js";
import { createApp } from "./app.js";
import { compileRangeChecker } from "./ranges.js";
import { churnModel, churnSignature, goodRecord, LogisticPredictor } from "./test-helpers/logistic.js";

/** The churn model with a signature that records training ranges, as a learner that writes min / max would. */
function rangedModel() {
  const base = churnModel(1);
  const signature = {
    ...churnSignature,
    inputs: churnSignature.inputs.map((f) => (f.name === "tenure" ? { ...f, min: 0, max: 72 } : f.name === "monthly_charges" ? { ...f, min: 18.25, max: 118.75 } : f)),
  } as Signature;
  return { ...base, predictor: new LogisticPredictor(signature, { intercept: -1, numeric: { tenure: { weight: -0.05, impute: 0 } }, categorical: {} }) };
}

const post = (records: unknown[]) => new Request("http://x/predict", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records }) });

describe("out-of-range inputs", () => {
  it("records nothing to check for a signature without ranges or open categories (no cost on /predict)", () => {
    const closed = { ...churnSignature, inputs: churnSignature.inputs.filter((f) => f.name !== "payment_method") };
    expect(compileRangeChecker(closed)).toBeNull();
  });

  it("scores out-of-range values and unseen categories, flags them in the answer and counts them per field", async () => {
    const metrics = new Registry();
    const app = createApp({ models: { current: rangedModel }, metrics });
    const res = await app.fetch(post([goodRecord(), { ...goodRecord(), tenure: -500, payment_method: "Bitcoin" }, { ...goodRecord(), monthly_charges: 1e6 }]));
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.predictions).toHaveLength(3);
    expect(body.flagged).toBe(3);
    expect(body.flags).toEqual([
      { path: "records[1].tenure", field: "tenure", reason: "below_training_min", value: -500 },
      { path: "records[1].payment_method", field: "payment_method", reason: "unseen_category", value: "Bitcoin" },
      { path: "records[2].monthly_charges", field: "monthly_charges", reason: "above_training_max", value: 1e6 },
    ]);
    const text = await metrics.metrics();
    expect(text).toContain('millrace_predict_out_of_range_total{model="churn",version="1",field="tenure",reason="below_training_min"} 1');
    expect(text).toContain('millrace_predict_out_of_range_total{model="churn",version="1",field="payment_method",reason="unseen_category"} 1');
    // In range: no flags key at all.
    const clean = (await (await app.fetch(post([goodRecord()]))).json()) as any;
    expect(clean.flags).toBeUndefined();
  });

  it("refuses them with a 400 naming the field under serve.strict_ranges", async () => {
    const app = createApp({ models: { current: rangedModel }, strictRanges: true });
    const res = await app.fetch(post([goodRecord(), { ...goodRecord(), tenure: 7000 }]));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "validation_error", path: "records[1].tenure", message: expect.stringContaining("outside the training range [0, 72]") });
    expect((await app.fetch(post([goodRecord()]))).status).toBe(200);
    // KServe V2 too, with the path in the tensors the client sent.
    const rec = { ...goodRecord(), tenure: 7000 };
    const inputs = Object.entries(rec).map(([name, v]) => ({ name, datatype: typeof v === "number" ? "FP64" : typeof v === "boolean" ? "BOOL" : "BYTES", shape: [1], data: [v] }));
    const v2 = await app.fetch(new Request("http://x/v2/models/churn/infer", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inputs }) }));
    expect(v2.status).toBe(400);
    expect(await v2.json()).toMatchObject({ path: "inputs[tenure].data[0]" });
  });

  it("lists the flags in the V2 answer's parameters when not strict", async () => {
    const app = createApp({ models: { current: rangedModel } });
    const rec = { ...goodRecord(), tenure: -1 };
    const inputs = Object.entries(rec).map(([name, v]) => ({ name, datatype: typeof v === "number" ? "FP64" : typeof v === "boolean" ? "BOOL" : "BYTES", shape: [1], data: [v] }));
    const res = await app.fetch(new Request("http://x/v2/models/churn/infer", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inputs }) }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).parameters).toMatchObject({ out_of_range_count: 1, out_of_range: [{ field: "tenure", reason: "below_training_min" }] });
  });
});

describe("the compiled range checker", () => {
  it("gives the flags a plain loop over records and fields gives, in its order (names with quotes included)", () => {
    const signature = {
      inputs: [
        { name: "n", type: "number", nullable: true, min: 0, max: 10 },
        { name: 'say "hi"', type: "string", nullable: true, categories: ["a", "b"] },
        { name: "k", type: "integer", nullable: true, max: 3 },
      ],
      output: { task: "regression" },
    } as unknown as Signature;
    const records = Array.from({ length: 60 }, (_, i) => ({ n: i % 7 === 0 ? null : i - 20, 'say "hi"': i % 5 === 0 ? "zzz" : i % 3 ? "a" : null, k: i % 11 }));
    const flags = compileRangeChecker(signature)!(records, "records");
    const want: unknown[] = [];
    records.forEach((r, i) => {
      if (typeof r.n === "number" && (r.n < 0 || r.n > 10)) want.push({ path: `records[${i}].n`, field: "n", reason: r.n < 0 ? "below_training_min" : "above_training_max", value: r.n });
      if (r['say "hi"'] === "zzz") want.push({ path: `records[${i}].say "hi"`, field: 'say "hi"', reason: "unseen_category", value: "zzz" });
      if (r.k > 3) want.push({ path: `records[${i}].k`, field: "k", reason: "above_training_max", value: r.k });
    });
    expect(want.length).toBeGreaterThan(30);
    expect(flags).toEqual(want);
    expect(compileRangeChecker(signature)!([{ n: 5, 'say "hi"': "b", k: 1 }], "records")).toBeNull();
  });
});
