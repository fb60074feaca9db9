// Where a 1,000-record /predict batch's CPU goes in-process, stage by stage, each stage run alone on the output of the
// one before: body parse (parseJsonBytes), validation (validator.parseBody), records to features (RecordsTransform),
// the learner (estimator.predict), outputs (predictRecords minus the two before it), answer JSON (answersJson), and the
// whole answer (answerPredict with the prediction log on, encoded at once). CPU = least of R rounds of K calls, the
// stages taking turns so drifting load hits all alike.   DIST=/path/to/dist  N=1000  R=20  K=20  MODEL=logistic|gbdt
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { loadChurn } from "./churn.mjs";
import { leastCpu } from "./least-cpu.mjs";
import { scratchDir } from "../scratch.mjs";

const dist = resolve(process.env.DIST ?? new URL("../../dist", import.meta.url).pathname);
const load = (p) => import(join(dist, p));
const [{ parseJsonBytes }, { answerPredict, routeFor }, { serveMetrics }, { PredictionLog }, { trainCandidate, holdoutSplit }, { validatorFor }, { RecordsTransform }, { answersJson }] = await Promise.all(
  ["serve/body.js", "serve/predict.js", "serve/metrics.js", "monitor/prediction-log.js", "learn/train.js", "serve/validate.js", "features/records-transform.js", "serve/answer-json.js"].map(load),
);
const { Registry } = await import("prom-client");

const { frame, features, records } = loadChurn();
const split = holdoutSplit(frame.columns.find((c) => c.name === "churn"), { testFraction: 0.2, seed: 42, stratify: true });
const candidate = process.env.MODEL === "gbdt" ? { name: "gbdt", model: "gbdt", params: {} } : { name: "logistic", model: "logistic_regression", params: {} };
const trained = await trainCandidate({ frame, target: "churn", features, task: "binary", positive: "Yes", testRows: split.test, cvFolds: 0, seed: 42, candidate });
const model = trained.model;
const served = { predictor: model, provenance: { model: "churn", version: 1, alias: "production", runId: "bench", datasetId: "wa_churn", datasetHash: "bench", artifactUri: "file://bench" } };
const log = new PredictionLog({ dir: join(scratchDir("millrace-batch-stages-"), "log"), encodeLater: false });
const models = { current: () => served };
const vopts = { maxRecords: 10000, extraFields: "reject" };
const core = { models, sink: log, metrics: serveMetrics(new Registry(), undefined, () => []), vopts, onShadowError: () => {} };
const N = Number(process.env.N ?? 1000);
const bytes = Buffer.from(JSON.stringify({ records: records.slice(0, N) }));
const body = parseJsonBytes(bytes);
const validator = validatorFor(model.signature, vopts);
const valid = validator.parseBody(body.value);
const transform = new RecordsTransform(model.pipeline.state);
const X = transform.transform(valid);
const outputs = model.predictRecords(valid);
const cases = {
  "parse (parseJsonBytes)": () => parseJsonBytes(bytes),
  "validate (validator.parseBody)": () => validator.parseBody(body.value),
  "records to features (RecordsTransform)": () => transform.transform(valid),
  "learner (estimator.predict)": () => model.estimator.predict(X),
  "predictRecords (features + learner + outputs)": () => model.predictRecords(valid),
  "answer JSON (answersJson)": () => answersJson(outputs),
  "whole /predict answer (log on)": () => {
    const b = parseJsonBytes(bytes);
    answerPredict(core, routeFor(models, null), b.value, performance.now(), b);
  },
};
for (const f of Object.values(cases)) for (let i = 0; i < Math.max(200, 300_000 / N); i++) f(); // JIT warm-up
await log.flush();
const R = Number(process.env.R ?? 20);
const K = Number(process.env.K ?? 20);
const best = await leastCpu(cases, { rounds: R, calls: K, between: () => log.flush() });
process.stdout.write(`${N} churn records (${bytes.length} bytes), ${candidate.model}; ${dist}; load ${loadavg().map((x) => x.toFixed(1)).join(" ")}\n`);
for (const [name, us] of Object.entries(best)) process.stdout.write(`${name}: ${us.toFixed(0)} µs CPU\n`);
await log.close();
