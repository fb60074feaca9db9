// HTTP details a new user meets: unknown /feedback fields, V2's empty-body hint, compressed bodies, wrong methods,
// /recommend's K and candidates checked like V2's, a missing user named, and hints' articles. Through Hono and, where
// the route has one, the node fast path.
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { trainRecommender } from "../recommend/train.js";
import { RecommenderPredictor } from "../recommend/predictor.js";
import { syntheticRatings } from "../recommend/synthetic.js";
import { createApp } from "./app.js";
import { startServer, type RunningServer } from "./server.js";
import { churnModel, goodRecord, swappable } from "./test-helpers/logistic.js";
import type { ServedModel } from "./types.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
type Body = any;
const JSON_CT = { "content-type": "application/json" };
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe("serving HTTP details", () => {
  const feedback: unknown[] = [];
  const app = createApp({ models: swappable(churnModel(1)), token: "t", feedback: (b) => (feedback.push(b), { joined: 1 }) });

  it("/feedback names a field it does not know (body or entry) with a 400 and passes known ones on", async () => {
    const fb = async (body: unknown) => {
      const r = await app.fetch(new Request("http://x/feedback", { method: "POST", headers: { ...JSON_CT, authorization: "Bearer t" }, body: JSON.stringify(body) }));
      return { status: r.status, body: (await r.json()) as Body };
    };
    const extra = await fb({ feedback: [{ id: "p1", label: "Yes", zz: 1 }] });
    expect([extra.status, extra.body.path]).toEqual([400, "feedback[0].zz"]);
    expect((await fb({ feedback: [{ id: "p1", label: "Yes" }], zz: 1 })).body.path).toBe("zz");
    expect((await fb({ feedback: [{ id: "l1", items: ["a"], label: "x" }] })).body.path).toBe("feedback[0].label");
    expect(feedback).toEqual([]);
    expect((await fb({ feedback: [{ id: "p1", label: "Yes" }] })).status).toBe(200);
    expect((await fb({ feedback: [{ id: "l1", items: ["a"] }] })).status).toBe(200);
    // Rated list feedback: ratings pair with items (what parseListFeedback reads), so it is not refused here.
    expect((await fb({ feedback: [{ id: "l1", items: ["a", "b"], ratings: [4, 2] }] })).status).toBe(200);
    const empty = await app.fetch(new Request("http://x/feedback", { method: "POST", headers: { ...JSON_CT, authorization: "Bearer t" }, body: "" }));
    expect(((await empty.json()) as Body).hint).toMatch(/"feedback":\[/);
  });

  it("answers a compressed body with 415 naming Content-Encoding, V2's empty body with a V2 hint, on both paths", async () => {
    const server = await startServer(app, { port: 0 });
    servers.push(server);
    const gz = gzipSync(JSON.stringify({ records: [goodRecord()] }));
    for (const send of [(p: string, init: RequestInit) => app.fetch(new Request(`http://x${p}`, init)), (p: string, init: RequestInit) => fetch(`${server.url}${p}`, init)]) {
      for (const path of ["/predict", "/v2/models/churn/infer"]) {
        const r = await send(path, { method: "POST", headers: { ...JSON_CT, "content-encoding": "gzip" }, body: gz });
        const b = (await r.json()) as Body;
        expect([r.status, b.path], path).toEqual([415, "content-encoding"]);
        expect(b.message).toMatch(/content-encoding "gzip" is not supported/);
      }
      const empty = (await (await send("/v2/models/churn/infer", { method: "POST", headers: JSON_CT, body: "" })).json()) as Body;
      expect(empty.message).toBe("request body is empty");
      expect(empty.hint).toMatch(/"inputs":\[/);
      expect(empty.hint).not.toMatch(/records/);
    }
  });

  it("answers a known path asked with another method 405 with Allow, an unknown path 404", async () => {
    for (const [method, path, allow] of [["PUT", "/predict", "POST"], ["GET", "/predict", "POST"], ["DELETE", "/v2/models/churn/infer", "POST"], ["PUT", "/recommend", "GET, POST"]]) {
      const r = await app.fetch(new Request(`http://x${path}`, { method }));
      expect([r.status, r.headers.get("allow")], `${method} ${path}`).toEqual([405, allow]);
      expect(((await r.json()) as Body).error).toBe("method_not_allowed");
    }
    expect((await app.fetch(new Request("http://x/nope", { method: "PUT" }))).status).toBe(404);
  });

  it("hints with the right article for a null in an integer field", async () => {
    const r = await app.fetch(new Request("http://x/predict", { method: "POST", headers: JSON_CT, body: JSON.stringify({ records: [{ ...goodRecord(), tenure: null }] }) }));
    expect(((await r.json()) as Body).hint).toBe("send an integer value");
  });
});

describe("/recommend checked like V2", () => {
  const table = syntheticRatings({ users: 30, items: 20, ratings: 300, seed: 5 });
  const { model } = trainRecommender({ table, model: "svd", params: { n_factors: 4 }, testRows: new Uint32Array(0), seed: 1 });
  const served: ServedModel = { predictor: new RecommenderPredictor(model), provenance: { model: "recs", version: 1, alias: "production", runId: "r", datasetId: "d", datasetHash: "h", artifactUri: "a" } };
  const app = createApp({ models: { current: () => served } });
  const rec = async (body: unknown) => {
    const r = await app.fetch(new Request("http://x/recommend", { method: "POST", headers: JSON_CT, body: JSON.stringify(body) }));
    return { status: r.status, body: (await r.json()) as Body };
  };
  const user = table.users[0];

  it("refuses K over the items the model ranks, as V2 does, on GET and POST", async () => {
    const big = await rec({ user, k: 500 });
    expect([big.status, big.body.message]).toEqual([400, "k must be at most 20 (the model ranks 20 items), got 500"]);
    expect((await app.fetch(new Request(`http://x/recommend?user=${user}&k=500`))).status).toBe(400);
    const v2 = await app.fetch(new Request("http://x/v2/models/recs/infer", { method: "POST", headers: JSON_CT, body: JSON.stringify({ inputs: [{ name: "user", shape: [1], datatype: "BYTES", data: [user] }], parameters: { k: 500 } }) }));
    expect(((await v2.json()) as Body).message).toBe("parameters.k must be at most 20 (the model ranks 20 items), got 500");
    expect((await rec({ user, k: 20, exclude_seen: false })).body.items).toHaveLength(20);
  });

  it("lists unknown candidates, refuses a list of only unknown ones, and says a missing user is required", async () => {
    const some = await rec({ user, k: 3, candidates: [table.items[0], "nope"], exclude_seen: false });
    expect([some.status, some.body.unknown, some.body.unknown_count]).toEqual([200, ["nope"], 1]);
    const none = await rec({ user, candidates: ["nope", "nada"] });
    expect([none.status, none.body.path, none.body.message]).toEqual([400, "candidates", 'candidates: none of the 2 items is known to the model ("nope", "nada")']);
    const missing = await rec({ k: 3 });
    expect([missing.status, missing.body.path, missing.body.message]).toEqual([400, "user", "user is required"]);
    // An empty candidate list is not "none known": it ranks nothing.
    expect((await rec({ user, candidates: [] })).status).toBe(200);
  });

  it("without k, a catalogue smaller than the default K is ranked whole (K is refused only when asked for)", async () => {
    const small = syntheticRatings({ users: 10, items: 6, ratings: 40, seed: 3 });
    const m = trainRecommender({ table: small, model: "svd", params: { n_factors: 2 }, testRows: new Uint32Array(0), seed: 1 }).model;
    const smallApp = createApp({ models: { current: () => ({ ...served, predictor: new RecommenderPredictor(m) }) } });
    const post = await smallApp.fetch(new Request("http://x/recommend", { method: "POST", headers: JSON_CT, body: JSON.stringify({ user: small.users[0], exclude_seen: false }) }));
    expect(post.status).toBe(200);
    expect(((await post.json()) as Body).items).toHaveLength(6);
    expect((await smallApp.fetch(new Request(`http://x/recommend?user=${small.users[0]}`))).status).toBe(200);
    const v2 = await smallApp.fetch(new Request("http://x/v2/models/recs/infer", { method: "POST", headers: JSON_CT, body: JSON.stringify({ inputs: [{ name: "user", shape: [1], datatype: "BYTES", data: [small.users[0]] }], parameters: { exclude_seen: false } }) }));
    expect(v2.status).toBe(200);
  });
});
