// Tests /predict, /health and /metrics with a real logistic model, without a socket and over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prediction } from "../records.js";
import { createApp } from "./app.js";
import { startServer, type RunningServer } from "./server.js";
import { churnModel, goodRecord, LogisticPredictor, swappable } from "./test-helpers/logistic.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
const js = (r: Response): Promise<any> => r.json();

const post = (body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
  new Request("http://x/predict", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });

describe("POST /predict", () => {
  const logged: Prediction[] = [];
  const source = swappable(churnModel(1));
  const app = createApp({ models: source, sink: { log: (p) => void logged.push(p) }, maxRecords: 50, maxBodyBytes: 20_000 });

  it("answers with the model's own probabilities, provenance in body and headers, and logs each record", async () => {
    const recs = [goodRecord(), { ...goodRecord(), tenure: 60, contract: "Two year", total_charges: null, paperless_billing: false }];
    const res = await app.fetch(post({ records: recs }));
    expect(res.status).toBe(200);
    const body = await js(res);
    const model = churnModel(1).predictor as LogisticPredictor;
    const expected0 = model.probability(recs[0]);
    // By hand: z = -1 - 0.6 + 1.41 - 0.1692 + 1.2 + 0.4 + 0.3 = 1.5408
    expect(expected0).toBeCloseTo(1 / (1 + Math.exp(-1.5408)), 12);
    expect(body.predictions[0].probabilities.Yes).toBeCloseTo(expected0, 12);
    expect(body.predictions[0].label).toBe("Yes");
    expect(body.predictions[1].label).toBe("No");
    expect(body.provenance).toEqual(churnModel(1).provenance);
    expect(res.headers.get("x-millrace-model")).toBe("churn");
    expect(res.headers.get("x-millrace-version")).toBe("1");
    expect(res.headers.get("x-millrace-run-id")).toBe("run-1");
    expect(res.headers.get("x-millrace-dataset-hash")).toBe("sha256:abc");
    expect(body.ids).toHaveLength(2);
    expect(new Set(body.ids).size).toBe(2);
    expect(logged.slice(-2).map((p) => p.id)).toEqual(body.ids);
    expect(logged[logged.length - 1].inputs.total_charges).toBeNull();
  });

  it("turns a missing nullable field into null before the model sees it", async () => {
    const { total_charges: _drop, ...rec } = goodRecord();
    const res = await app.fetch(post({ records: [rec] }));
    expect(res.status).toBe(200);
    expect(logged[logged.length - 1].inputs).toHaveProperty("total_charges", null);
  });

  it("words each error by what is wrong with the value", async () => {
    const msg = async (rec: Record<string, unknown>) => (await js(await app.fetch(post({ records: [goodRecord(), rec] })))).message as string;
    expect(await msg({ ...goodRecord(), monthly_charges: "70" })).toBe('records[1].monthly_charges must be a number, got string "70"');
    expect(await msg({ ...goodRecord(), tenure: 1.5 })).toBe("records[1].tenure must be an integer, got number 1.5");
    expect(await msg({ ...goodRecord(), tenure: undefined })).toBe("records[1].tenure is missing");
    expect(await msg({ ...goodRecord(), contract: null })).toBe("records[1].contract is null but the field is not nullable");
    expect(await msg({ ...goodRecord(), contract: "Ten year" })).toBe('records[1].contract has unknown category string "Ten year"');
    expect(await msg({ ...goodRecord(), paperless_billing: 1 })).toBe("records[1].paperless_billing must be a boolean, got number 1");
  });

  const bad: Array<[string, unknown, number, string | null]> = [
    ["missing field", { records: [goodRecord(), { ...goodRecord(), tenure: undefined }] }, 400, "records[1].tenure"],
    ["wrong type", { records: [{ ...goodRecord(), monthly_charges: "70" }] }, 400, "records[0].monthly_charges"],
    ["float for integer", { records: [{ ...goodRecord(), tenure: 1.5 }] }, 400, "records[0].tenure"],
    ["null in non-nullable", { records: [{ ...goodRecord(), contract: null }] }, 400, "records[0].contract"],
    ["unknown strict category", { records: [goodRecord(), goodRecord(), goodRecord(), { ...goodRecord(), contract: "Ten year" }] }, 400, "records[3].contract"],
    ["extra field", { records: [{ ...goodRecord(), tenur: 3 }] }, 400, "records[0].tenur"],
    ["empty records", { records: [] }, 400, "records"],
    ["records not array", { records: { a: 1 } }, 400, "records"],
    ["record not object", { records: [1] }, 400, "records[0]"],
    ["no records key", { rows: [] }, 400, "records"],
    ["body is array", [goodRecord()], 400, ""],
    ["too many records", { records: Array.from({ length: 51 }, goodRecord) }, 413, "records"],
    ["malformed JSON", '{"records": [', 400, "body"],
    ["empty body", "", 400, "body"],
  ];
  for (const [name, body, status, path] of bad) {
    it(`rejects ${name} with ${status} naming ${path || "the body"}`, async () => {
      const res = await app.fetch(post(body));
      expect(res.status).toBe(status);
      const j = await js(res);
      expect(j.path).toBe(path);
      expect(typeof j.message).toBe("string");
      expect(JSON.stringify(j)).not.toMatch(/\s+at\s+\S+\s+\(/); // no stack frames
      if (path) expect(j.message).toContain(path);
    });
  }

  it("accepts a non-strict category it has not seen", async () => {
    const res = await app.fetch(post({ records: [{ ...goodRecord(), payment_method: "Crypto" }] }));
    expect(res.status).toBe(200);
  });

  it("rejects a huge number (Infinity after parsing) naming the field", async () => {
    const res = await app.fetch(post('{"records":[{"tenure":1,"monthly_charges":1e999,"contract":"One year","paperless_billing":true}]}'));
    expect(res.status).toBe(400);
    expect((await js(res)).path).toBe("records[0].monthly_charges");
  });

  it("rejects a wrong content type with 415 and an oversized body with 413", async () => {
    const r1 = await app.fetch(post({ records: [goodRecord()] }, { "content-type": "text/plain" }));
    expect(r1.status).toBe(415);
    expect((await js(r1)).error).toBe("unsupported_media_type");
    const r2 = await app.fetch(post({ records: [goodRecord()], pad: "x".repeat(30_000) }));
    expect(r2.status).toBe(413);
  });

  it("rejects invalid UTF-8 with 400", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{"records":[{"contract":"'), 0xff, 0xfe, ...new TextEncoder().encode('"}]}')]);
    const res = await app.fetch(new Request("http://x/predict", { method: "POST", headers: { "content-type": "application/json" }, body: bytes }));
    expect(res.status).toBe(400);
    expect((await js(res)).message).toMatch(/UTF-8/);
  });

  it("answers 503 with a hint when no model is loaded, then serves the swapped-in model", async () => {
    source.set(null);
    const r1 = await app.fetch(post({ records: [goodRecord()] }));
    expect(r1.status).toBe(503);
    expect((await js(r1)).hint).toMatch(/promote/);
    const h1 = await app.fetch(new Request("http://x/health"));
    expect(h1.status).toBe(503);
    source.set(churnModel(2));
    const r2 = await app.fetch(post({ records: [goodRecord()] }));
    expect(r2.headers.get("x-millrace-version")).toBe("2");
    const h2 = await app.fetch(new Request("http://x/health"));
    expect((await js(h2)).model.version).toBe(2);
    source.set(churnModel(1));
  });

  it("answers 404 JSON for an unknown route", async () => {
    const res = await app.fetch(new Request("http://x/nope"));
    expect(res.status).toBe(404);
    expect((await js(res)).error).toBe("not_found");
  });

  it("answers 500 without a stack when the model itself fails", async () => {
    const broken = { ...churnModel(1), predictor: { signature: churnModel(1).predictor.signature, predictRecords: () => { throw new Error("boom at /secret/path.ts:1"); } } };
    const errs: unknown[] = [];
    const a = createApp({ models: { current: () => broken }, onError: (e) => void errs.push(e) });
    const res = await a.fetch(post({ records: [goodRecord()] }));
    expect(res.status).toBe(500);
    expect(JSON.stringify(await js(res))).not.toContain("secret");
    expect(errs).toHaveLength(1);
  });

  it("exposes request, latency and prediction metrics", async () => {
    const res = await app.fetch(new Request("http://x/metrics"));
    const text = await res.text();
    expect(text).toMatch(/millrace_http_requests_total\{route="\/predict",method="POST",status="200"\} \d+/);
    expect(text).toMatch(/millrace_http_requests_total\{route="\/predict",method="POST",status="400"\} \d+/);
    expect(text).toMatch(/millrace_predict_duration_seconds_bucket\{le="0.005",model="churn",version="1"\}/);
    expect(text).toMatch(/millrace_predictions_total\{model="churn",version="1"\} \d+/);
    expect(text).toContain("millrace_prediction_log_dropped_total 0");
    expect(text).toContain('millrace_model_info{model="churn",version="1",alias="production",run_id="run-1",role="primary"} 1');
  });
});

it("exports the sink's own drop count at scrape time", async () => {
  let drops = 3;
  const a = createApp({ models: { current: () => churnModel(1) }, sink: { log: () => undefined, dropped: () => drops } });
  expect(await (await a.fetch(new Request("http://x/metrics"))).text()).toContain("millrace_prediction_log_dropped_total 3");
  drops = 10;
  expect(await (await a.fetch(new Request("http://x/metrics"))).text()).toContain("millrace_prediction_log_dropped_total 10");
});

describe("over real HTTP", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(createApp({ models: { current: () => churnModel(3) } }), { port: 0 });
  });
  afterAll(() => server.close());

  it("serves predictions and health on a socket", async () => {
    const res = await fetch(`${server.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [goodRecord()] }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-millrace-version")).toBe("3");
    // A sized body, not a chunked one (one socket write per answer).
    expect(res.headers.get("transfer-encoding")).toBeNull();
    const body = await res.text();
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(body));
    const h = await fetch(`${server.url}/health`);
    expect((await js(h)).status).toBe("ok");
  });

  it("rejects a chunked body over the limit without reading it all", async () => {
    const small = await startServer(createApp({ models: { current: () => churnModel(1) }, maxBodyBytes: 1000 }), { port: 0 });
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode("x".repeat(200)));
        c.close();
      },
    });
    const res = await fetch(`${small.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: chunks, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    await small.close();
  });

  it("answers a body far over the limit with 413 every time, never a broken pipe", async () => {
    // The client is still writing megabytes when the server decides: the body is drained so the client reads the 413.
    const small = await startServer(createApp({ models: { current: () => churnModel(1) }, maxBodyBytes: 100_000 }), { port: 0 });
    const big = JSON.stringify({ records: [{ ...goodRecord(), contract: "x".repeat(6 * 1024 * 1024) }] });
    for (const path of ["/predict", "/v2/models/churn/infer"]) {
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${small.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: big });
        expect(res.status, path).toBe(413);
        expect((await js(res)).error, path).toBe("payload_too_large");
      }
      const wrongType = await fetch(`${small.url}${path}`, { method: "POST", headers: { "content-type": "text/plain" }, body: big });
      expect(wrongType.status, path).toBe(415);
    }
    await small.close();
  });
});
