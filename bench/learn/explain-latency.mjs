// What explain=true adds per prediction: a 200-tree GBDT on wa_churn, one record at a time, predictRecords alone vs
// predictRecords + explainRecords (TreeSHAP), 2,000 calls each after warm-up; prints p50/p99 of both and the difference.
// Usage: node bench/learn/explain-latency.mjs   (after flock /tmp/millrace-build.lock npm run build)
import { readCsvFrame } from "./csv.mjs";
import { DATASETS, locate } from "./datasets.mjs";

const { trainCandidate } = await import("../../dist/learn/train.js");
const csv = locate(DATASETS.find((d) => d.name === "wa_churn"));
const frame = readCsvFrame(csv);
const target = "churn";
const features = frame.columns.map((c) => c.name).filter((c) => c !== target);
const r = await trainCandidate({ frame, target, features, task: "binary", positive: "Yes", testRows: new Uint32Array(0), cvFolds: 0, seed: 1, candidate: { name: "gbdt", model: "gbdt", params: { n_estimators: 200 } } });
const records = Array.from({ length: 100 }, (_, i) =>
  Object.fromEntries(features.map((f) => {
    const c = frame.columns.find((x) => x.name === f);
    const v = c.values[i * 37];
    return [f, c.kind === "numeric" ? (Number.isNaN(v) ? null : v) : v];
  })),
);
const pct = (xs, q) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
function time(fn, calls) {
  const out = [];
  for (let k = 0; k < calls; k++) {
    const rec = [records[k % records.length]];
    const t = performance.now();
    fn(rec);
    out.push((performance.now() - t) * 1000);
  }
  return out;
}
const predict = (rec) => r.model.predictRecords(rec);
const both = (rec) => (r.model.predictRecords(rec), r.model.explainRecords(rec, 10));
time(predict, 5000);
time(both, 2000);
const a = time(predict, 2000);
const b = time(both, 2000);
const nodes = r.model.estimator.s.forest.feature.length;
console.log(`200-tree GBDT on wa_churn (${nodes} internal nodes), one record a call: predict p50 ${pct(a, 0.5).toFixed(1)} µs p99 ${pct(a, 0.99).toFixed(1)} µs; predict + explain p50 ${pct(b, 0.5).toFixed(1)} µs p99 ${pct(b, 0.99).toFixed(1)} µs; explain adds p50 ${(pct(b, 0.5) - pct(a, 0.5)).toFixed(1)} µs, p99 ${(pct(b, 0.99) - pct(a, 0.99)).toFixed(1)} µs`);
