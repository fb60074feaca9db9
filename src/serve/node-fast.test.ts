// The node fast path answers /predict and V2 infer exactly as the Hono routes do (same body, status, headers, metrics, log).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { v2Target } from "./node-fast.js";
import { startServer, type RunningServer } from "./server.js";
import { churnModel, goodRecord } from "./test-helpers/logistic.js";
import type { LoggedAnswer, PredictionSink } from "./types.js";
import { recordsFromTensors } from "../v2-tensors.js";

const r = goodRecord();
const v2Body = (n: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    inputs: [
      { name: "tenure", datatype: "INT64", shape: [n], data: Array(n).fill(r.tenure) },
      { name: "monthly_charges", datatype: "FP64", shape: [n], data: Array(n).fill(r.monthly_charges) },
      { name: "contract", datatype: "BYTES", shape: [n], data: Array(n).fill(r.contract) },
      { name: "paperless_billing", datatype: "BOOL", shape: [n], data: Array(n).fill(true) },
    ],
    ...extra,
  });

/** Ids differ between two answers; everything else must not. */
const withoutIds = (text: string): unknown => JSON.parse(text.replace(/"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '"ID"'));

describe("v2Target", () => {
  it("takes the plain infer paths and leaves escapes, queries and other shapes to Hono", () => {
    expect(v2Target("/v2/models/churn/infer")).toEqual(["churn", undefined]);
    expect(v2Target("/v2/models/churn/versions/4/infer")).toEqual(["churn", "4"]);
    for (const u of ["/v2/models/ch%20urn/infer", "/v2/models/churn/infer?x=1", "/v2/models//infer", "/v2/models/a/b/infer", "/v2/models/churn/versions//infer", "/v2/models/churn/ready", "/predict"]) {
      expect(v2Target(u)).toBeNull();
    }
  });
});

describe("fast path vs Hono route over a socket", () => {
  const logged: LoggedAnswer[] = [];
  const sink: PredictionSink = { log: () => undefined, logRequest: (a) => void logged.push(a) };
  const app = createApp({ models: { current: () => churnModel(3) }, sink });
  let server: RunningServer;
  let hono: RunningServer;
  let fastHits = 0;
  beforeAll(async () => {
    server = await startServer({ fetch: (q) => app.fetch(q), node: (q, s) => (app.node(q, s) ? (fastHits++, true) : false) }, { port: 0 });
    hono = await startServer({ fetch: (q) => app.fetch(q) }, { port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await hono.close();
  });
  const post = (base: string, path: string, body: string) => fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });

  const cases: Array<[string, string]> = [
    ["/predict", JSON.stringify({ records: [r, { ...r, tenure: 40 }] })],
    ["/v2/models/churn/infer", v2Body(3, { id: "req-7" })],
    ["/v2/models/churn/versions/3/infer", v2Body(2, { outputs: [{ name: "probabilities" }] })],
    ["/v2/models/churn/infer", v2Body(1, { outputs: [{ name: "nope" }] })],
    ["/v2/models/other/infer", v2Body(1)],
    ["/v2/models/churn/versions/9/infer", "{not json"],
    ["/v2/models/churn/infer", JSON.stringify({ inputs: [{ name: "tenure", datatype: "INT64", shape: [1], data: ["x"] }] })],
  ];
  for (const [path, body] of cases) {
    it(`answers ${path} ${body.slice(0, 40)}… as the Hono route does`, async () => {
      const before = fastHits;
      const [a, b] = [await post(server.url, path, body), await post(hono.url, path, body)];
      expect(fastHits).toBe(before + 1);
      expect(a.status).toBe(b.status);
      expect(withoutIds(await a.text())).toEqual(withoutIds(await b.text()));
      for (const h of ["content-type", "x-millrace-version", "x-millrace-run-id"]) expect(a.headers.get(h)).toBe(b.headers.get(h));
    });
  }

  it("answers compact single-record V2 and /predict bodies of one layout (read from their bytes after the first) as the Hono route does", async () => {
    const one = (tenure: unknown, contract: unknown) =>
      JSON.stringify({ inputs: (JSON.parse(v2Body(1)) as { inputs: Array<{ name: string; data: unknown[] }> }).inputs.map((t) => ({ ...t, data: [t.name === "tenure" ? tenure : t.name === "contract" ? contract : t.data[0]] })) });
    for (const [tenure, contract] of [[1, "One year"], [2, "Two year"], [0.5, "One year"], [3, "Weekly"], [-0, "Month-to-month"]]) {
      const body = one(tenure, contract);
      const [a, b] = [await post(server.url, "/v2/models/churn/infer", body), await post(hono.url, "/v2/models/churn/infer", body)];
      expect(a.status).toBe(b.status);
      expect(withoutIds(await a.text())).toEqual(withoutIds(await b.text()));
    }
    for (const [tenure, contract] of [[1, "One year"], [2, "Two year"], [3, "Weekly"], [null, "One year"]]) {
      const body = JSON.stringify({ records: [{ ...r, tenure, contract }] });
      const [a, b] = [await post(server.url, "/predict", body), await post(hono.url, "/predict", body)];
      expect(a.status).toBe(b.status);
      expect(withoutIds(await a.text())).toEqual(withoutIds(await b.text()));
    }
    const raw = one(7, "Two year").replace('"data":[7]', '"data":[1e400]'); // Infinity: not a number the validator takes
    const [a, b] = [await post(server.url, "/v2/models/churn/infer", raw), await post(hono.url, "/v2/models/churn/infer", raw)];
    expect([a.status, b.status]).toEqual([400, 400]);
    expect(await a.text()).toBe(await b.text());
  });

  it("logs a V2 request as the body's bytes with its records, answers and ids (large answers in pieces), and counts it under its route", async () => {
    for (const n of [2, 250]) {
      logged.length = 0;
      const body = v2Body(n);
      const res = await post(server.url, "/v2/models/churn/infer", body);
      const ids = ((await res.json()) as { parameters: { prediction_ids: string[] } }).parameters.prediction_ids;
      expect(logged).toHaveLength(1);
      const line = logged[0];
      expect(line.requestJson === undefined && line.requestParts === undefined).toBe(true);
      expect(Buffer.from(line.requestBytes!).toString("utf8")).toBe(body);
      expect(line.responseParts === undefined).toBe(n <= 100);
      // What log readers make of the logged tensors is what was scored (total_charges: no tensor, null once validated).
      expect(recordsFromTensors((JSON.parse(body) as { inputs: unknown }).inputs)!.map((x) => ({ ...x, total_charges: null, payment_method: null }))).toEqual(line.records);
      expect(line.records[0]).toMatchObject({ tenure: r.tenure, contract: r.contract, total_charges: null });
      expect(JSON.parse(line.responseJson ?? line.responseParts!.join(""))).toEqual({ predictions: line.outputs, ids });
      expect(ids).toHaveLength(n);
    }
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/millrace_http_requests_total\{route="\/v2\/models\/:name\/infer",method="POST",status="200"\} \d+/);
    expect(text).toMatch(/millrace_http_requests_total\{route="\/v2\/models\/:name\/infer",method="POST",status="404"\} [1-9]/);
  });
});
