// The garbage collector's work for single-record /predict answers in-process, no HTTP and no client, so the machine's
// load hardly moves it: N answers through answerPredictBytes as node-fast calls them (each from its own callback, 16 per
// event-loop turn), prediction log on (LOG=1, default) or off; prints CPU per answer, scavenges and mark-compacts.
//   [DIST=/path/to/other/dist] [LOG=0] [ENCODE_NOW=1: encodeLater off] [N=300000] [CYCLE=1: 500 records in turn] [PAD=9000: bytes of short-lived garbage
//   per answer, as the HTTP layer adds in the server] node [--trace-gc-nvp] bench/serve/log-gc.mjs
import { join, resolve } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
const dist = resolve(process.env.DIST ?? new URL("../../dist", import.meta.url).pathname);
const load = (p) => import(join(dist, p));
const [{ parseJsonBytes }, { answerPredict, answerPredictBytes, routeFor }, { serveMetrics }, { PredictionLog }, { loadModel }] = await Promise.all(["serve/body.js", "serve/predict.js", "serve/metrics.js", "monitor/prediction-log.js", "learn/train.js"].map(load));
const { Registry } = await import("prom-client");
const { loadChurn, trainChurn } = await import("./churn.mjs");
const { scratchDir } = await import("../scratch.mjs");
const { records } = loadChurn();
const predictor = loadModel((await trainChurn({ name: "logistic", model: "logistic_regression", params: {} })).bytes);
const served = { predictor, provenance: { model: "churn", version: 1, alias: "production", runId: "bench", datasetId: "wa_churn", datasetHash: "bench", artifactUri: "file://bench" } };
const log = process.env.LOG === "0" ? undefined : new PredictionLog({ dir: join(scratchDir("millrace-log-gc-"), "log"), encodeLater: process.env.ENCODE_NOW !== "1" });
const models = { current: () => served };
const core = { models, sink: log, metrics: serveMetrics(new Registry(), undefined, () => []), vopts: { maxRecords: 10000, extraFields: "reject" }, onShadowError: () => {} };
const gcs = { 1: 0, 2: 0, 4: 0, 8: 0 };
new PerformanceObserver((l) => { for (const e of l.getEntries()) gcs[e.detail.kind] = (gcs[e.detail.kind] ?? 0) + 1; }).observe({ entryTypes: ["gc"] });
const bytes = Buffer.from(JSON.stringify({ records: [records[Number(process.env.REC ?? 0)]] }));
// CYCLE=1: the first 500 records in turn (distinct answers), else the same record every time (the bench's load).
const bodies = records.slice(0, 500).map((r) => Buffer.from(JSON.stringify({ records: [r] })));
let j = 0;
// PAD=n: n more short-lived bytes per answer (the HTTP layer's ~9 KB in the server: fewer answers between scavenges).
const PAD = Number(process.env.PAD ?? 0) / 8;
let padSink = 0;
// FRESH=1: each body in a buffer of its own, as the HTTP parser hands it over (the log holds it until it is encoded).
const FRESH = process.env.FRESH === "1";
const freshCopy = (b) => { const c = Buffer.from(new ArrayBuffer(b.length)); c.set(b); return c; };
const one = () => { if (PAD > 0) padSink += new Array(PAD).fill(0).length; const bytes0 = process.env.CYCLE === "1" ? bodies[j++ % 500] : bytes; const bytes2 = FRESH ? freshCopy(bytes0) : bytes0; if (answerPredictBytes(core, routeFor(models, null), bytes2, performance.now())) return; const b = parseJsonBytes(bytes2); answerPredict(core, routeFor(models, null), b.value, performance.now(), b); };
const N = Number(process.env.N ?? 400000);
const c0 = process.cpuUsage();
// As the server calls it: each answer from its own callback (microtasks drain after each), 16 per event-loop turn.
if (process.env.SYNC === "1") for (let i = 0; i < N; i += 16) { for (let k = 0; k < 16; k++) one(); await new Promise((r) => setImmediate(r)); }
else for (let i = 0; i < N; i += 16) { for (let k = 0; k < 16; k++) setImmediate(one); await new Promise((r) => setImmediate(r)); }
const c = process.cpuUsage(c0);
await new Promise((r) => setTimeout(r, 50));
const v8 = await import("node:v8");
console.log(`${dist} log ${process.env.LOG !== "0" ? "on" : "off"}: ${N} answers, CPU ${((c.user + c.system) / N).toFixed(2)} µs each; scavenges ${gcs[1]}, mark-compacts ${gcs[4]}, other ${gcs[2] + gcs[8]}; young gen ${(v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size / 1e6).toFixed(1)} MB`);
await log?.close();
