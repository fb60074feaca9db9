// Explanations in KServe V2 infer through a real server (fast path and Hono): parameters.explain adds the explanation
// tensors, whose base + values + rest = raw = the answer's raw score; outputs filtering names them; the body's
// top-level fields and parameters are checked as /predict checks its own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { churnModel, goodRecord } from "./test-helpers/logistic.js";
import { closeServers, explainableServed, logit, postJson, serveOne } from "./test-helpers/explainable.js";

interface Tensor { name: string; datatype: string; shape: number[]; data: unknown[]; parameters?: Record<string, unknown> }
const inputs = (tenure: number[], plan: string[]) => [
  { name: "tenure", datatype: "FP64", shape: [tenure.length], data: tenure },
  { name: "plan", datatype: "BYTES", shape: [plan.length], data: plan },
];
const three = inputs([3, 60, 25], ["a", "c", "b"]);
const byName = (outputs: Tensor[]) => Object.fromEntries(outputs.map((t) => [t.name, t]));
afterAll(closeServers);

/** Checks base + Σ values + rest = raw per record (O = 1), and returns raw. */
function additive(t: Record<string, Tensor>, n: number, k: number): number[] {
  expect(t.explanation_base.shape).toEqual([n, 1]);
  expect(t.explanation_columns.shape).toEqual([n, 1, k]);
  expect(t.explanation_values.shape).toEqual([n, 1, k]);
  const raw = t.explanation_raw.data as number[];
  for (let i = 0; i < n; i++) {
    const values = (t.explanation_values.data as number[]).slice(i * k, (i + 1) * k);
    const total = (t.explanation_base.data[i] as number) + values.reduce((s, v) => s + v, 0) + (t.explanation_rest.data[i] as number);
    expect(Math.abs(total - raw[i])).toBeLessThan(1e-6);
  }
  return raw;
}

describe("V2 infer explanations", () => {
  let gbdt: Awaited<ReturnType<typeof serveOne>>;
  beforeAll(async () => {
    gbdt = await serveOne(await explainableServed("gbdt"));
  });

  it("parameters.explain adds explanation tensors that add up to the log-odds, on the fast path and Hono", async () => {
    for (const path of ["/v2/models/left/infer", "/v2/models/left/versions/1/infer"]) {
      const before = gbdt.fastHits();
      const r = await postJson(gbdt.server, path, { id: "q", inputs: three, parameters: { explain: true, explain_top: 1, unrelated: "ignored" } });
      expect([r.status, r.body.message, gbdt.fastHits()]).toEqual([200, undefined, before + 1]);
      const t = byName(r.body.outputs);
      expect(Object.keys(t)).toEqual(["label", "probabilities", "explanation_base", "explanation_raw", "explanation_rest", "explanation_columns", "explanation_values"]);
      expect(t.explanation_base.parameters).toEqual({ outputs: ["yes"], scale: "log-odds" });
      expect(t.explanation_columns.datatype).toBe("BYTES");
      additive(t, 3, 1);
    }
    // Every contribution: base + Σ = the log-odds of the answer's probability; Hono (a query string) answers alike.
    const all = await postJson(gbdt.server, "/v2/models/left/infer?x=1", { inputs: three, parameters: { explain: true } });
    const t = byName(all.body.outputs);
    const raw = additive(t, 3, 2);
    expect(t.explanation_rest.data).toEqual([0, 0, 0]);
    const probs = t.probabilities.data as number[];
    raw.forEach((z, i) => expect(Math.abs(z - logit(probs[2 * i + 1]))).toBeLessThan(1e-6));
    // The same explanations as /predict's.
    const p = await postJson(gbdt.server, "/predict", { records: [{ tenure: 3, plan: "a" }, { tenure: 60, plan: "c" }, { tenure: 25, plan: "b" }], explain: true });
    expect(p.body.explanations.map((per: { base: number }[]) => per[0].base)).toEqual(t.explanation_base.data);
  });

  it("a logistic and a linear regression add up to the log-odds and the value", async () => {
    for (const model of ["logistic_regression", "linear_regression"] as const) {
      const { server } = await serveOne(await explainableServed(model));
      const r = await postJson(server, "/v2/models/left/infer", { inputs: three, parameters: { explain: true, explain_top: 10 } });
      expect([r.status, r.body.message]).toEqual([200, undefined]);
      const t = byName(r.body.outputs);
      const raw = additive(t, 3, 2);
      const answer = model === "linear_regression" ? (t.value.data as number[]) : (t.probabilities.data as number[]).filter((_, j) => j % 2 === 1).map(logit);
      raw.forEach((z, i) => expect(Math.abs(z - answer[i])).toBeLessThan(1e-6));
    }
  });

  it("a multiclass model explains every class: [n, 3] and [n, 3, k], each adding up to its class's raw score", async () => {
    const { server } = await serveOne(await explainableServed("gbdt_multiclass"));
    const two = [{ name: "tenure", datatype: "FP64", shape: [2], data: [3, 60] }, { name: "spend", datatype: "FP64", shape: [2], data: [40, 72] }];
    const r = await postJson(server, "/v2/models/left/infer", { inputs: two, parameters: { explain: true } });
    expect([r.status, r.body.message]).toEqual([200, undefined]);
    const t = byName(r.body.outputs);
    expect(t.explanation_base.parameters).toEqual({ outputs: ["a", "b", "c"], scale: "margin" });
    expect([t.explanation_base.shape, t.explanation_raw.shape, t.explanation_values.shape, t.explanation_columns.shape]).toEqual([[2, 3], [2, 3], [2, 3, 2], [2, 3, 2]]);
    const values = t.explanation_values.data as number[];
    for (let j = 0; j < 6; j++) {
      const total = (t.explanation_base.data[j] as number) + values[2 * j] + values[2 * j + 1] + (t.explanation_rest.data[j] as number);
      expect(Math.abs(total - (t.explanation_raw.data[j] as number))).toBeLessThan(1e-6);
    }
    // softmax of the raw scores = the answer's probabilities.
    const raw = t.explanation_raw.data as number[];
    for (let i = 0; i < 2; i++) {
      const e = raw.slice(3 * i, 3 * i + 3).map(Math.exp);
      const z = e.reduce((s, v) => s + v, 0);
      e.forEach((v, c) => expect(Math.abs(v / z - (t.probabilities.data[3 * i + c] as number))).toBeLessThan(1e-6));
    }
  });

  it("outputs picks explanation tensors by name like any other (naming one asks for it)", async () => {
    const only = await postJson(gbdt.server, "/v2/models/left/infer", { inputs: three, outputs: [{ name: "explanation_values" }, { name: "label" }] });
    expect(only.body.outputs.map((o: Tensor) => o.name)).toEqual(["label", "explanation_values"]);
    expect(only.body.outputs[1].shape).toEqual([3, 1, 2]);
    const none = await postJson(gbdt.server, "/v2/models/left/infer", { inputs: three, outputs: [{ name: "label" }], parameters: { explain: true } });
    expect(none.body.outputs.map((o: Tensor) => o.name)).toEqual(["label"]);
    const plain = await postJson(gbdt.server, "/v2/models/left/infer", { inputs: three, parameters: { explain: false } });
    expect(plain.body.outputs.map((o: Tensor) => o.name)).toEqual(["label", "probabilities"]);
    const meta = (await (await fetch(`${gbdt.server.url}/v2/models/left`)).json()) as { outputs: Tensor[] };
    expect(meta.outputs.map((o) => o.name)).toEqual(["label", "probabilities", "explanation_base", "explanation_raw", "explanation_rest", "explanation_columns", "explanation_values"]);
    // The OpenAPI document says so too.
    const doc = (await (await fetch(`${gbdt.server.url}/openapi.json`)).json()) as { paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: Record<string, { properties?: Record<string, unknown> }> } }> } } }> };
    const bodyOf = (path: string) => doc.paths[path].post.requestBody.content["application/json"].schema.properties;
    expect(Object.keys(bodyOf("/predict"))).toEqual(["records", "explain", "explain_top"]);
    expect(Object.keys(bodyOf("/v2/models/{name}/infer").parameters.properties!)).toEqual(expect.arrayContaining(["explain", "explain_top"]));
  });

  it("unknown top-level fields, a parameters that is not an object, bad flags and models that cannot explain are 400s naming the field", async () => {
    const one = inputs([3], ["a"]);
    const cases: Array<[string, unknown, string]> = [
      ["/v2/models/left/infer", { inputs: one, explain: true }, "explain"],
      ["/v2/models/left/infer", { inputs: one, extra: 1 }, "extra"],
      ["/v2/models/left/infer", { inputs: one, parameters: 5 }, "parameters"],
      ["/v2/models/left/infer", { inputs: one, parameters: [true] }, "parameters"],
      ["/v2/models/left/infer", { inputs: one, parameters: { explain: "true" } }, "parameters.explain"],
      ["/v2/models/left/infer", { inputs: one, parameters: { explain: true, explain_top: 0 } }, "parameters.explain_top"],
      ["/v2/models/left/infer", { inputs: one, parameters: { explain: false }, outputs: [{ name: "explanation_raw" }] }, "parameters.explain"],
      ["/v2/models/left/infer", { inputs: one, outputs: [{ name: "explanation" }] }, "outputs[0].name"],
      ["/v2/models/left/infer?explain=true", { inputs: one }, "explain"],
    ];
    for (const [path, body, field] of cases) {
      const r = await postJson(gbdt.server, path, body);
      expect([JSON.stringify(body), r.status, r.body.path]).toEqual([JSON.stringify(body), 400, field]);
    }
    const { server } = await serveOne(churnModel(1));
    const ct = Object.entries(goodRecord()).map(([name, v]) => ({ name, datatype: typeof v === "number" ? "FP64" : typeof v === "boolean" ? "BOOL" : "BYTES", shape: [1], data: [v] }));
    for (const body of [{ inputs: ct, parameters: { explain: true } }, { inputs: ct, outputs: [{ name: "explanation_base" }] }]) {
      const r = await postJson(server, "/v2/models/churn/infer", body);
      expect([r.status, r.body.path]).toEqual([400, "explain"]);
    }
    // A model that cannot explain lists no explanation tensors.
    const meta = (await (await fetch(`${server.url}/v2/models/churn`)).json()) as { outputs: Tensor[] };
    expect(meta.outputs.map((o) => o.name)).toEqual(["label", "probabilities"]);
  });
});
