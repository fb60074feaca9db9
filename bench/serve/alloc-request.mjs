// Bytes allocated and CPU per request in-process, no HTTP: the model alone (predictRecords), a whole /predict answer
// (body parse, validation, model, ids, metrics, answer JSON, prediction log line encoded at once) and a whole V2 infer
// answer, for 1 and 1,000 records. Allocation = heap growth over K calls with no GC in between (the young generation
// is made large enough; the run says if a GC happened anyway), which hardly moves with the machine's load.
//   node --min-semi-space-size=256 --max-semi-space-size=256 bench/serve/alloc-request.mjs
//   DIST=/path/to/other/dist (A/B against another build)  N=1,1000  WHAT=model,predict,v2  NO_LOG=1
import v8 from "node:v8";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { loadChurn } from "./churn.mjs";
import { v2Body } from "./vs-bare.mjs";
import { scratchDir } from "../scratch.mjs";

const dist = resolve(process.env.DIST ?? new URL("../../dist", import.meta.url).pathname);
const load = (p) => import(join(dist, p));
const [{ parseJsonBytes }, { answerPredict, answerPredictBytes, routeFor }, { answerV2, answerV2Bytes, v2Route }, { serveMetrics }, { PredictionLog }, { trainCandidate, holdoutSplit }] = await Promise.all(
  ["serve/body.js", "serve/predict.js", "serve/v2-infer.js", "serve/metrics.js", "monitor/prediction-log.js", "learn/train.js"].map(load),
);
const { Registry } = await import("prom-client");

const { frame, features, records } = loadChurn();
const split = holdoutSplit(frame.columns.find((c) => c.name === "churn"), { testFraction: 0.2, seed: 42, stratify: true });
const trained = await trainCandidate({ frame, target: "churn", features, task: "binary", positive: "Yes", testRows: split.test, cvFolds: 0, seed: 42, candidate: { name: "logistic", model: "logistic_regression", params: {} } });
const predictor = trained.model;
const served = { predictor, provenance: { model: "churn", version: 1, alias: "production", runId: "bench", datasetId: "wa_churn", datasetHash: "bench", artifactUri: "file://bench" } };
const log = new PredictionLog({ dir: join(scratchDir("millrace-alloc-"), "log"), encodeLater: false });
const models = { current: () => served };
// NO_LOG=1 leaves the prediction log out (its share of the bytes and CPU is then the difference).
const core = { models, sink: process.env.NO_LOG === "1" ? undefined : log, metrics: serveMetrics(new Registry(), undefined, () => []), vopts: { maxRecords: 10000, extraFields: "reject" }, onShadowError: () => {} };

let gcs = 0;
new PerformanceObserver((l) => (gcs += l.getEntries().length)).observe({ entryTypes: ["gc"] });

function caseFor(what, n) {
  const rows = records.slice(0, n);
  if (what === "model") return () => predictor.predictRecords(rows);
  if (what === "predict") {
    const bytes = Buffer.from(JSON.stringify({ records: rows }));
    return () => {
      // As the node fast path calls it: a single-record body laid out as the last one is read from its bytes.
      if (answerPredictBytes?.(core, routeFor(models, null), bytes, performance.now())) return;
      const body = parseJsonBytes(bytes);
      answerPredict(core, routeFor(models, null), body.value, performance.now(), body);
    };
  }
  const bytes = Buffer.from(v2Body(rows));
  // As the servers call it: the body's bytes go along, so the log writes them as received (198900d); a single-record
  // body laid out as the last one is read from its bytes (answerV2Bytes, builds that have it).
  return () => {
    const quick = answerV2Bytes?.(core, v2Route(core, "churn", undefined, null), bytes, performance.now());
    if (quick) return quick;
    const body = parseJsonBytes(bytes);
    return answerV2(core, v2Route(core, "churn", undefined, null), body.value, performance.now(), body.bytes);
  };
}

const say = (s) => process.stdout.write(`${s}\n`);
say(`dist ${dist}; load ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
for (const what of (process.env.WHAT ?? "model,predict,v2").split(",")) {
  for (const n of (process.env.N ?? "1,1000").split(",").map(Number)) {
    const one = caseFor(what, n);
    for (let i = 0; i < Math.max(200, 40_000 / n); i++) one(); // JIT warm-up
    await log.flush();
    // Allocation: K calls between two heap readings, least of 5 rounds (a round with a GC is not counted).
    const K = Math.max(20, Math.min(5000, 5000 / n));
    let bytes = Infinity;
    for (let round = 0; round < 5; round++) {
      globalThis.gc?.();
      await new Promise((r) => setTimeout(r, 5));
      const g0 = gcs;
      const h0 = v8.getHeapStatistics().used_heap_size;
      for (let i = 0; i < K; i++) one();
      const h1 = v8.getHeapStatistics().used_heap_size;
      await new Promise((r) => setTimeout(r, 5)); // GC entries reach the observer asynchronously
      if (gcs === g0) bytes = Math.min(bytes, (h1 - h0) / K);
      await log.flush();
    }
    // CPU: the least of 5 rounds of ~0.3 s (GC included: the collector's share is part of the request's cost).
    const L = Math.max(50, 100_000 / n);
    let cpu = Infinity;
    const g0 = gcs;
    for (let round = 0; round < 5; round++) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < L; i++) one();
      const c = process.cpuUsage(c0);
      cpu = Math.min(cpu, (c.user + c.system) / L);
      await log.flush();
    }
    const scav = ((gcs - g0) * 10_000) / (5 * L);
    say(`${what} × ${n} record(s): ${Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(2)} KB` : "n/a (GC in every round: run with a larger --max-semi-space-size)"} allocated per request; CPU ${cpu.toFixed(2)} µs per request${n > 1 ? ` (${((n * 1e6) / cpu / 1000).toFixed(0)}k rows/s)` : ""}; ${scav.toFixed(1)} GCs per 10k requests`);
  }
}
await log.close();
