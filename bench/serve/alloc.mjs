// In-process: heap allocated and CPU per /predict request through the real handler pieces, no HTTP (body parse,
// validation, the model, the whole answer with the prediction log encoding at once). The allocation is exact and
// hardly moves with the machine's load; the CPU figures do.
//   node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128 bench/serve/alloc.mjs
//   N=1000 (records per request)  PARTS=parse|parse,validate|parse,model|parse,answer  NOLOG=1  (after npm run build)
import v8 from "node:v8";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { loadChurn, trainChurn } from "./churn.mjs";
import { scratchDir } from "../scratch.mjs";
const { parseJsonBytes } = await import("../../dist/serve/body.js");
const { answerPredict, routeFor } = await import("../../dist/serve/predict.js");
const { serveMetrics } = await import("../../dist/serve/metrics.js");
const { PredictionLog } = await import("../../dist/monitor/prediction-log.js");
const { Registry } = await import("prom-client");
const { records } = loadChurn();
const m = await trainChurn({ name: "logistic", model: "logistic_regression", params: {} });
const { loadModel } = await import("../../dist/learn/train.js");
const predictor = loadModel(m.bytes);
const served = { predictor, provenance: { model: "churn", version: 1, alias: "production", runId: "bench", datasetId: "wa_churn", datasetHash: "bench", artifactUri: "file://bench" } };
const log = new PredictionLog({ dir: join(scratchDir("millrace-alloc-"), "log"), encodeLater: false });
const models = { current: () => served };
const core = { models, sink: process.env.NOLOG ? undefined : log, metrics: serveMetrics(new Registry(), undefined, () => []), vopts: { maxRecords: 10000, extraFields: "reject" }, onShadowError: () => {} };
const n = Number(process.env.N ?? 1);
const bytes = Buffer.from(JSON.stringify({ records: records.slice(0, n) }));
let gcs = 0;
new PerformanceObserver((l) => (gcs += l.getEntries().length)).observe({ entryTypes: ["gc"] });
const { validatorFor } = await import("../../dist/serve/validate.js");
const validator = validatorFor(predictor.signature, core.vopts);
const parts = (process.env.PARTS ?? "parse,answer").split(",");
function one() {
  const body = parts.includes("parse") ? parseJsonBytes(bytes) : null;
  if (parts.includes("answer")) answerPredict(core, routeFor(models, null), body.value, performance.now(), body);
  let recs = body?.value.records;
  if (parts.includes("validate")) recs = validator.parseBody(body.value);
  if (parts.includes("model")) predictor.predictRecords(recs);
}
for (let i = 0; i < 20000 / n; i++) one();
await new Promise((r) => setTimeout(r, 50));
const K = Number(process.env.K ?? Math.max(50, 2000 / n));
for (let round = 0; round < 5; round++) {
  globalThis.gc();
  await new Promise((r) => setTimeout(r, 10));
  const g0 = gcs; const h0 = v8.getHeapStatistics().used_heap_size; const c0 = process.cpuUsage();
  for (let i = 0; i < K; i++) one();
  const c = process.cpuUsage(c0); const h1 = v8.getHeapStatistics().used_heap_size;
  console.log(`${(h1 - h0) / K / 1024 | 0} KB per request (gcs during: ${gcs - g0}); cpu ${((c.user + c.system) / K).toFixed(2)} µs per request`);
}
// cpu only, long
const c0 = process.cpuUsage(); const KK = 200000 / n; for (let i = 0; i < KK; i++) one(); const c = process.cpuUsage(c0);
console.log(`long: cpu ${((c.user + c.system) / KK).toFixed(2)} µs/request, ${(n * KK / ((c.user + c.system) / 1e6)).toFixed(0)} rows/s`);
await log.close();
