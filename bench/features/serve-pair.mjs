// Child of bench/features-serve.mjs: one trained model served twice in this process — A by entity key (features
// looked up in a SQLite online store, on-demand computed), B with the same features sent in the request — and prints
// {"a": port, "b": port, "bodyA": ..., "bodyB": ...} once both listen.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createApp } from "../../dist/serve/app.js";
import { startServer } from "../../dist/serve/server.js";
import { servedWithFeatures } from "../../dist/serve/feature-lookup.js";
import { trainCandidate } from "../../dist/learn/train.js";
import { featureStoreSchema } from "../../dist/project/config-features.js";
import { ServiceFeatures } from "../../dist/featurestore/online-features.js";
import { openOnlineStore } from "../../dist/featurestore/online/online-stores.js";

const N = 10_000;
const NF = 12;
const names = Array.from({ length: NF }, (_, i) => `f${i}`);
const fsConfig = featureStoreSchema.parse({
  entities: [{ name: "e", join_keys: ["id"] }],
  feature_views: [
    { name: "a", source: "silver.a", entity: "e", timestamp: "ts", ttl: "365d", features: names.slice(0, 6).map((name) => ({ name, type: "number" })) },
    { name: "b", source: "silver.b", entity: "e", timestamp: "ts", ttl: "365d", features: names.slice(6).map((name) => ({ name, type: "number" })) },
  ],
  on_demand_features: [{ name: "ratio", expression: "f0 / f6" }],
  feature_services: [{ name: "svc", features: ["a", "b", "ratio"] }],
});
const value = (i, f) => ((i * 7919 + f * 104729) % 1000) / 10 + 1;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bench-fserve-"));
const store = await openOnlineStore("online.db", { project: "bench", dir });
const now = Date.now();
for (const [view, fs_] of [["a", names.slice(0, 6)], ["b", names.slice(6)]]) {
  await store.put(view, Array.from({ length: N }, (_, i) => ({ key: `E${i}`, ts: now - 1000, values: Object.fromEntries(fs_.map((f) => [f, value(i, Number(f.slice(1)))])) })));
}
const cols = [...names, "ratio"];
const frame = {
  rowCount: N,
  columns: [
    ...cols.map((c) => ({ name: c, kind: "numeric", values: Float64Array.from({ length: N }, (_, i) => (c === "ratio" ? value(i, 0) / value(i, 6) : value(i, Number(c.slice(1))))) })),
    { name: "y", kind: "categorical", values: Array.from({ length: N }, (_, i) => (value(i, 0) / value(i, 6) > 1 ? "yes" : "no")) },
  ],
};
const trained = await trainCandidate({ frame, target: "y", features: cols, task: "binary", positive: "yes", testRows: new Uint32Array(0), cvFolds: 0, seed: 1, candidate: { name: "lr", model: "logistic_regression" } });
const provenance = { model: "m", version: 1, alias: "production", runId: "r", datasetId: "d", datasetHash: "h", artifactUri: "a" };
const sf = new ServiceFeatures(store, fsConfig, "svc");
const featured = servedWithFeatures({ predictor: trained.model, provenance }, sf.binding(trained.model));
const plain = { predictor: trained.model, provenance };
const a = await startServer(createApp({ models: { current: () => featured } }), { port: 0 });
const b = await startServer(createApp({ models: { current: () => plain } }), { port: 0 });
const row = sf.computeOnDemand(Object.fromEntries(names.map((f, i) => [f, value(123, i)])));
console.log(JSON.stringify({ a: a.url, b: b.url, bodyA: JSON.stringify({ records: [{ id: "E123" }] }), bodyB: JSON.stringify({ records: [row] }) }));
process.on("SIGTERM", async () => {
  await a.close();
  await b.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
