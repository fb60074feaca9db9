// KServe V2 routes, /models, /openapi.json, CORS and the request timeout, against a real logistic model.
import { describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { TrafficRouter } from "./router.js";
import { churnModel, goodRecord, type LogisticPredictor } from "./test-helpers/logistic.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
const js = (r: Response): Promise<any> => r.json();
const router = new TrafficRouter({ primary: { current: () => churnModel(3) }, canary: { current: () => churnModel(4, "challenger") }, canaryPercent: 0 });
const app = createApp({ models: router, server: { name: "millrace", version: "0.1.0" } });
const get = (p: string) => app.fetch(new Request(`http://x${p}`));
const infer = (p: string, body: unknown) => app.fetch(new Request(`http://x${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));

const r = goodRecord();
const tensors = (n = 2) => [
  { name: "tenure", datatype: "INT64", shape: [n], data: Array(n).fill(r.tenure) },
  { name: "monthly_charges", datatype: "FP64", shape: [n], data: Array(n).fill(r.monthly_charges) },
  { name: "total_charges", datatype: "FP64", shape: [n, 1], data: Array(n).fill([r.total_charges]) },
  { name: "contract", datatype: "BYTES", shape: [n], data: Array(n).fill(r.contract) },
  { name: "payment_method", datatype: "BYTES", shape: [n], data: Array(n).fill(r.payment_method) },
  { name: "paperless_billing", datatype: "BOOL", shape: [n], data: Array(n).fill(true) },
];

describe("KServe V2", () => {
  it("answers server metadata, liveness, readiness and model metadata", async () => {
    expect(await js(await get("/v2"))).toEqual({ name: "millrace", version: "0.1.0", extensions: [] });
    expect((await get("/v2/health/live")).status).toBe(200);
    expect(await js(await get("/v2/health/ready"))).toEqual({ ready: true });
    const meta = await js(await get("/v2/models/churn"));
    expect(meta.versions).toEqual(["3", "4"]);
    expect(meta.inputs.find((i: { name: string }) => i.name === "tenure").datatype).toBe("INT64");
    expect(meta.outputs[1].parameters.classes).toEqual(["No", "Yes"]);
    expect((await get("/v2/models/churn/versions/4/ready")).status).toBe(200);
    expect((await get("/v2/models/churn/versions/9")).status).toBe(404);
    expect((await get("/v2/models/other")).status).toBe(404);
  });

  it("infers on columnar tensors with model_version and provenance in parameters", async () => {
    const res = await infer("/v2/models/churn/infer", { id: "req-1", inputs: tensors() });
    expect(res.status).toBe(200);
    const body = await js(res);
    expect(body.model_name).toBe("churn");
    expect(body.model_version).toBe("3");
    expect(body.id).toBe("req-1");
    expect(body.parameters).toMatchObject({ run_id: "run-3", artifact_uri: "file:///artifacts/churn/3/model.json", alias: "production", dataset_hash: "sha256:abc" });
    expect(body.parameters.prediction_ids).toHaveLength(2);
    const probs = body.outputs.find((o: { name: string }) => o.name === "probabilities");
    expect(probs.shape).toEqual([2, 2]);
    const expected = (churnModel(3).predictor as LogisticPredictor).probability({ ...r, paperless_billing: true });
    expect(probs.data[1]).toBeCloseTo(expected, 12);
    expect(res.headers.get("x-millrace-version")).toBe("3");
  });

  it("infers with an exact version and a chosen output", async () => {
    const body = await js(await infer("/v2/models/churn/versions/4/infer", { inputs: tensors(1), outputs: [{ name: "label" }] }));
    expect(body.model_version).toBe("4");
    expect(body.outputs.map((o: { name: string }) => o.name)).toEqual(["label"]);
  });

  const bad: Array<[string, unknown, number, string]> = [
    ["no inputs", {}, 400, "inputs"],
    ["shape mismatch", { inputs: [{ ...tensors(2)[0], shape: [3] }] }, 400, "inputs[0].data"],
    ["rows differ", { inputs: [tensors(2)[0], tensors(3)[1]] }, 400, "inputs[1].shape"],
    ["bad datatype", { inputs: [{ ...tensors(1)[0], datatype: "FLOAT" }] }, 400, "inputs[0].datatype"],
    ["missing tensor", { inputs: tensors(1).slice(1) }, 400, "inputs"],
    ["wrong value type", { inputs: tensors(2).map((t) => (t.name === "tenure" ? { ...t, data: [1, "x"] } : t)) }, 400, "inputs[tenure].data[1]"],
    ["unknown output", { inputs: tensors(1), outputs: [{ name: "nope" }] }, 400, "outputs[0].name"],
    ["empty tensors", { inputs: tensors(1).map((t) => ({ ...t, shape: [0], data: [] })) }, 400, "inputs"],
  ];
  for (const [name, body, status, path] of bad) {
    it(`rejects ${name} naming ${path}`, async () => {
      const res = await infer("/v2/models/churn/infer", body);
      expect(res.status).toBe(status);
      expect((await js(res)).path).toBe(path);
    });
  }
});

describe("documents and policies", () => {
  it("lists served models with roles and serves an OpenAPI document built from the signature", async () => {
    const models = await js(await get("/models"));
    expect(models.models.map((m: { role: string; provenance: { version: number } }) => [m.role, m.provenance.version])).toEqual([
      ["primary", 3],
      ["canary", 4],
    ]);
    const doc = await js(await get("/openapi.json"));
    expect(doc.openapi).toBe("3.1.0");
    const rec = doc.components.schemas.Record;
    expect(rec.properties.contract.enum).toEqual(["Month-to-month", "One year", "Two year"]);
    expect(rec.required).toEqual(expect.arrayContaining(["tenure", "monthly_charges", "contract", "paperless_billing"]));
    expect(rec.required).not.toContain("total_charges");
    expect(rec.additionalProperties).toBe(false);
  });

  it("adds CORS headers for allowed origins only", async () => {
    const c = createApp({ models: { current: () => churnModel(1) }, corsOrigins: ["http://ui.local"] });
    const pre = await c.fetch(new Request("http://x/predict", { method: "OPTIONS", headers: { origin: "http://ui.local", "access-control-request-method": "POST" } }));
    expect(pre.headers.get("access-control-allow-origin")).toBe("http://ui.local");
    const real = await c.fetch(new Request("http://x/predict", { method: "POST", headers: { origin: "http://ui.local", "content-type": "application/json" }, body: JSON.stringify({ records: [goodRecord()] }) }));
    expect(real.headers.get("access-control-expose-headers")).toContain("x-millrace-dataset-hash");
    expect(real.headers.get("x-millrace-version")).toBe("1");
    const other = await c.fetch(new Request("http://x/health", { headers: { origin: "http://evil" } }));
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers 503 when a request outlives the timeout", async () => {
    const slow = createApp({
      models: { current: () => churnModel(1) },
      requestTimeoutMs: 30,
      mount: (a) => a.get("/slow", async () => (await new Promise((r) => setTimeout(r, 200)), new Response("late"))),
    });
    const res = await slow.fetch(new Request("http://x/slow"));
    expect(res.status).toBe(503);
    expect((await js(res)).error).toBe("timeout");
  });

  it("guards mounted mutating routes with the token, and refuses them when no token is configured", async () => {
    const mk = (token?: string) => createApp({ models: { current: () => churnModel(1) }, token, mount: (a, guard) => a.post("/promote", guard("promote"), () => new Response("{}")) });
    const req = (h?: string) => new Request("http://x/promote", { method: "POST", headers: h ? { authorization: h } : {} });
    expect((await mk("s3cret").fetch(req())).status).toBe(401);
    expect((await mk("s3cret").fetch(req("Bearer s3cret"))).status).toBe(200);
    expect((await mk("s3cret").fetch(req("Bearer s3cret2"))).status).toBe(401);
    expect((await mk(undefined).fetch(req("Bearer anything"))).status).toBe(401);
    expect((await mk("s3cret").fetch(new Request("http://x/predict", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [goodRecord()] }) }))).status).toBe(200);
  });
});
