// The 1,000-record /predict batch in one process, two builds alternated round by round: the body parse
// (parseJsonBytes) and the whole answer (parse, validation, model, ids, metrics, answer JSON, prediction log line
// encoded at once), with the body parsed by BASE's parseJsonBytes vs this build's (everything else from this build),
// and JSON.parse of the whole text (what the bare endpoint does) for scale. CPU = least of R rounds of K calls each,
// so a loaded machine slows both sides alike.
//   BASE=/path/to/other/dist node bench/serve/batch-parse.mjs      (R=30 K=20 N=1000)
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { loadChurn } from "./churn.mjs";
import { leastCpu } from "./least-cpu.mjs";
import { scratchDir } from "../scratch.mjs";

const dist = resolve(process.env.DIST ?? new URL("../../dist", import.meta.url).pathname);
if (!process.env.BASE) throw new Error("set BASE to the dist folder of the build to compare against");
const base = resolve(process.env.BASE);
const [{ parseJsonBytes: parseOurs }, { parseJsonBytes: parseBase }, { answerPredict, routeFor }, { serveMetrics }, { PredictionLog }, { trainCandidate, holdoutSplit }] = await Promise.all(
  [join(dist, "serve/body.js"), join(base, "serve/body.js"), ...["serve/predict.js", "serve/metrics.js", "monitor/prediction-log.js", "learn/train.js"].map((p) => join(dist, p))].map((p) => import(p)),
);
const { Registry } = await import("prom-client");

const { frame, features, records } = loadChurn();
const split = holdoutSplit(frame.columns.find((c) => c.name === "churn"), { testFraction: 0.2, seed: 42, stratify: true });
const trained = await trainCandidate({ frame, target: "churn", features, task: "binary", positive: "Yes", testRows: split.test, cvFolds: 0, seed: 42, candidate: { name: "logistic", model: "logistic_regression", params: {} } });
const served = { predictor: trained.model, provenance: { model: "churn", version: 1, alias: "production", runId: "bench", datasetId: "wa_churn", datasetHash: "bench", artifactUri: "file://bench" } };
const log = new PredictionLog({ dir: join(scratchDir("millrace-batch-parse-"), "log"), encodeLater: false });
const models = { current: () => served };
const core = { models, sink: log, metrics: serveMetrics(new Registry(), undefined, () => []), vopts: { maxRecords: 10000, extraFields: "reject" }, onShadowError: () => {} };
const N = Number(process.env.N ?? 1000);
const bytes = Buffer.from(JSON.stringify({ records: records.slice(0, N) }));
const answer = (parse) => () => {
  const body = parse(bytes);
  answerPredict(core, routeFor(models, null), body.value, performance.now(), body);
};
const cases = {
  "JSON.parse(whole text) (the bare endpoint's parse)": () => JSON.parse(bytes.toString()),
  "parse, base": () => parseBase(bytes),
  "parse, this build": () => parseOurs(bytes),
  "whole /predict answer, base's parse": answer(parseBase),
  "whole /predict answer, this build's parse": answer(parseOurs),
};
for (const f of Object.values(cases)) for (let i = 0; i < Math.max(200, 300_000 / N); i++) f(); // JIT warm-up
const R = Number(process.env.R ?? 30);
const K = Number(process.env.K ?? 20);
const best = await leastCpu(cases, { rounds: R, calls: K, between: () => log.flush() });
process.stdout.write(`${N} churn records (${bytes.length} bytes); base ${base}; this ${dist}; load ${loadavg().map((x) => x.toFixed(1)).join(" ")}\n`);
for (const [name, us] of Object.entries(best)) process.stdout.write(`${name}: ${us.toFixed(0)} µs CPU (${((N * 1e6) / us / 1000).toFixed(0)}k rows/s)\n`);
await log.close();
