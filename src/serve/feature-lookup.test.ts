// A model trained on a point-in-time training set, served by entity key: features looked up online (both the Hono
// route and the node fast path), returned with their timestamps on request, stale values reported, unknown keys a 404.
import { afterAll, describe, expect, it } from "vitest";
import { NotFoundError } from "../errors.js";
import { materializeViews } from "../featurestore/materialize.js";
import { ServiceFeatures } from "../featurestore/online-features.js";
import { openOnlineStore } from "../featurestore/online/online-stores.js";
import { buildTrainingSet } from "../featurestore/training-set.js";
import { trainCandidate } from "../learn/train.js";
import { DAY, T0, setup, type Row } from "../../test/feature-store-fixture.js";
import { createApp } from "./app.js";
import { requestExample, servedWithFeatures } from "./feature-lookup.js";
import { startServer, type RunningServer } from "./server.js";

const profile: Row[] = [];
const spend: Row[] = [];
const labels: { id: number; day: number; label: number }[] = [];
// 60 customers, a profile row and a spend row every 10 days; the label follows spend / income.
for (let id = 1; id <= 60; id++) {
  for (let day = 0; day < 40; day += 10) {
    const income = 100 + ((id * 37 + day) % 90);
    const amount = 10 + ((id * 11 + day * 3) % 70);
    profile.push({ id, day, value: income });
    spend.push({ id, day: day + 1, value: amount });
    labels.push({ id, day: day + 3, label: amount / income > 0.4 ? 1 : 0 });
  }
}

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe("serving with features", () => {
  it("answers by entity key with the online features, the same on-demand values as offline, and clear errors", async () => {
    const { lake, project, dir } = await setup(profile, spend, labels);
    const spec = project.config.feature_store!.training_sets[0];
    const built = await buildTrainingSet(lake, project, spec);
    const frame = await lake.readFrame(built.version, { columns: ["income", "amount", "spend_ratio", "label"], sorted: true });
    const trained = await trainCandidate({
      frame, target: "label", features: ["income", "amount", "spend_ratio"], task: "binary", positive: "1",
      testRows: new Uint32Array(0), cvFolds: 0, seed: 1, candidate: { name: "lr", model: "logistic_regression" },
    });
    const store = await openOnlineStore("online.db", { project: "fs_test", dir });
    // "Now" is day 33: profiles from day 30 are fresh (TTL 4 d); spend rows from day 31 too (TTL 30 d).
    const now = T0 + 33 * DAY;
    await materializeViews(lake, project, store, { now });
    const sf = new ServiceFeatures(store, project.config.feature_store!, "svc", () => now);

    // Offline == online: every training row's on-demand value, recomputed by the online code from its inputs.
    const rows = await lake.query(`SELECT income, amount, spend_ratio FROM gold.training`);
    expect(rows.length).toBe(labels.length);
    expect(rows.filter((r) => r.spend_ratio !== null).length).toBeGreaterThan(200);
    for (const r of rows) expect(sf.computeOnDemand({ income: r.income, amount: r.amount }).spend_ratio).toBe(r.spend_ratio);

    const provenance = { model: "m", version: 1, alias: "production", runId: "r", datasetId: "d", datasetHash: "h", artifactUri: "a" };
    const served = servedWithFeatures({ predictor: trained.model, provenance }, sf.binding(trained.model));
    // What clients see of the model: the entity key only.
    expect(served.predictor.signature.inputs.map((f) => f.name)).toEqual(["customer_id"]);
    // The start-up hint asks with a key the online store holds, not with the model's features.
    const example = await requestExample(served, { income: 120, amount: 30, spend_ratio: 0.25 });
    expect(Object.keys(example!)).toEqual(["customer_id"]);
    expect((await sf.enrich([example!])).records[0].income).not.toBeUndefined();
    expect(await requestExample({ predictor: trained.model, provenance }, { income: 1 })).toEqual({ income: 1 });
    const app = createApp({ models: { current: () => served } });
    const server = await startServer(app, { port: 0 });
    servers.push(server);
    const post = async (body: unknown, viaFetch = false) => {
      const req = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
      const res = viaFetch ? await app.fetch(new Request("http://x/predict", req)) : await fetch(`${server.url}/predict`, req);
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };

    for (const viaFetch of [false, true]) {
      const a = await post({ records: [{ customer_id: 7 }, { customer_id: "8" }], return_features: true }, viaFetch);
      expect([a.status, a.body.message]).toEqual([200, undefined]);
      expect(a.body.feature_service).toBe("svc");
      expect(a.body.predictions).toHaveLength(2);
      const f7 = a.body.features[0];
      const p7 = profile.filter((r) => r.id === 7).at(-1)!;
      const s7 = spend.filter((r) => r.id === 7).at(-1)!;
      expect(f7).toEqual({ income: p7.value, amount: s7.value, spend_ratio: s7.value / p7.value });
      expect(a.body.feature_timestamps[0]).toEqual({ profile: new Date(T0 + 30 * DAY).toISOString(), spend: new Date(T0 + 31 * DAY).toISOString() });
      expect(a.body.stale).toBeUndefined();
      // The same model scoring the looked-up features directly gives the same answer.
      expect(a.body.predictions[0]).toEqual(JSON.parse(JSON.stringify(trained.model.predictRecords([f7])[0])));
      // Without return_features, no features in the answer.
      expect((await post({ records: [{ customer_id: 7 }] }, viaFetch)).body.features).toBeUndefined();
      // An unknown entity: 404 naming the key.
      const missing = await post({ records: [{ customer_id: 7 }, { customer_id: 999 }] }, viaFetch);
      expect(missing.status).toBe(404);
      expect(missing.body.path).toBe("records[1].customer_id");
      expect(missing.body.message).toMatch(/customer_id = 999 in feature view profile/);
      // A missing key or a feature sent by the client: 400 naming the field.
      expect((await post({ records: [{}] }, viaFetch)).body.path).toBe("records[0].customer_id");
      expect((await post({ records: [{ customer_id: 7, income: 5 }] }, viaFetch)).status).toBe(400);
      // No explanations with looked-up features: a 400 naming explain (explain: false is the usual answer).
      const explained = await post({ records: [{ customer_id: 7 }], explain: true }, viaFetch);
      expect([explained.status, explained.body.path, explained.body.message]).toEqual([400, "explain", "explain is not available for a model that looks up online features"]);
      expect((await post({ records: [{ customer_id: 7 }], explain: false }, viaFetch)).status).toBe(200);
    }
    const query = await app.fetch(new Request("http://x/predict?explain=true", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [{ customer_id: 7 }] }) }));
    expect([query.status, ((await query.json()) as { path: string }).path]).toEqual([400, "explain"]);

    // V2 infer takes the inputs the V2 metadata lists (the entity key) and answers as /predict does, on both paths.
    const meta = (await (await app.fetch(new Request("http://x/v2/models/m"))).json()) as { inputs: { name: string }[] };
    expect(meta.inputs.map((i) => i.name)).toEqual(["customer_id"]);
    const direct = (await post({ records: [{ customer_id: 7 }, { customer_id: "8" }] })).body.predictions;
    for (const viaFetch of [false, true]) {
      const infer = async (body: unknown) => {
        const req = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
        const res = viaFetch ? await app.fetch(new Request("http://x/v2/models/m/infer", req)) : await fetch(`${server.url}/v2/models/m/infer`, req);
        return { status: res.status, body: (await res.json()) as Record<string, any> };
      };
      const v2 = await infer({ inputs: [{ name: "customer_id", shape: [2], datatype: "BYTES", data: ["7", "8"] }] });
      expect([v2.status, v2.body.message]).toEqual([200, undefined]);
      expect(v2.body.parameters.feature_service).toBe("svc");
      expect(v2.body.outputs.find((o: { name: string }) => o.name === "label").data).toEqual(direct.map((d: { label: string }) => d.label));
      const ints = await infer({ inputs: [{ name: "customer_id", shape: [1], datatype: "INT64", data: [7] }], outputs: [{ name: "label" }] });
      expect([ints.status, ints.body.outputs.map((o: { name: string }) => o.name)]).toEqual([200, ["label"]]);
      const unknown = await infer({ inputs: [{ name: "customer_id", shape: [1], datatype: "INT64", data: [999] }] });
      expect([unknown.status, unknown.body.path]).toEqual([404, "inputs[customer_id].data[0]"]);
      const feature = await infer({ inputs: [{ name: "customer_id", shape: [1], datatype: "INT64", data: [7] }, { name: "income", shape: [1], datatype: "FP64", data: [5] }] });
      expect(feature.status).toBe(400);
      const explained = await infer({ inputs: [{ name: "customer_id", shape: [1], datatype: "INT64", data: [7] }], parameters: { explain: true } });
      expect([explained.status, explained.body.path]).toEqual([400, "explain"]);
      expect((await infer({ inputs: [{ name: "customer_id", shape: [1], datatype: "INT64", data: [7] }], extra: 1 })).body.path).toBe("extra");
    }

    // Ten days later the profile rows are past their 4-day TTL: still answered, and said to be stale.
    const later = new ServiceFeatures(store, project.config.feature_store!, "svc", () => now + 10 * DAY);
    const staleApp = createApp({ models: { current: () => servedWithFeatures({ predictor: trained.model, provenance }, later.binding(trained.model)) } });
    const res = await staleApp.fetch(new Request("http://x/predict", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [{ customer_id: 7 }] }) }));
    const body = (await res.json()) as Record<string, any>;
    expect(res.status).toBe(200);
    expect(body.stale).toEqual([{ record: 0, view: "profile", key: "7", eventTime: new Date(T0 + 30 * DAY).toISOString(), ageSeconds: 13 * 86400, ttlSeconds: 4 * 86400 }]);
    await store.close();
  });
});

describe("a numeric key where the online store's keys are text", () => {
  it("is a 400 naming the type, not a 404; numeric-looking keys keep the 404", async () => {
    const signature = { inputs: [{ name: "applicant_id", type: "string" as const, nullable: false }], output: { task: "binary" as const, classes: ["no", "yes"] } };
    const binding = (example: string) => ({
      service: "svc", requestSignature: signature, joinKeys: ["applicant_id"], featureNames: [], model: { signature, predictRecords: () => [] },
      enrich: async () => {
        throw new NotFoundError("no applicant with applicant_id = 42 in feature view profiles", { path: "records[0].applicant_id" });
      },
      exampleKeys: async () => ({ applicant_id: example }),
    });
    const provenance = { model: "loan", version: 1, alias: "production", runId: "r", datasetId: "d", datasetHash: "h", artifactUri: "a" };
    for (const [example, status] of [["A00001", 400], ["17", 404]] as const) {
      const app = createApp({ models: { current: () => servedWithFeatures({ predictor: { signature, predictRecords: () => [] }, provenance }, binding(example)) } });
      const res = await app.fetch(new Request("http://x/predict", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [{ applicant_id: 42 }] }) }));
      const body = (await res.json()) as Record<string, string>;
      expect([res.status, body.path]).toEqual([status, "records[0].applicant_id"]);
      if (status === 400) expect(body.message).toBe("records[0].applicant_id must be a string, got number 42");
    }
  });
});
