// What explain=true adds per prediction: a 200-tree GBDT on wa_churn, one record at a time, predictRecords alone vs
// predictRecords + explainRecords (TreeSHAP, top 10), alternated in rounds so both see the same machine load; prints
// p50/p99 wall of both, the difference, CPU µs per call (process.cpuUsage over each round), and the additivity error
// (|sigmoid(base + contributions + rest) - the predicted probability|, max over the records).
// Usage: node bench/learn/explain-latency.mjs [--rounds 10] [--calls 1000]   (after the build)
import { spawnSync } from "node:child_process";
import { readCsvFrame } from "./csv.mjs";
import { DATASETS, locate } from "./datasets.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : def);
const rounds = opt("rounds", 10);
const calls = opt("calls", 1000);
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
function time(fn, n, wall, cpu) {
  const c0 = process.cpuUsage();
  for (let k = 0; k < n; k++) {
    const rec = [records[k % records.length]];
    const t = performance.now();
    fn(rec);
    wall.push((performance.now() - t) * 1000);
  }
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / n);
}
const predict = (rec) => r.model.predictRecords(rec);
const both = (rec) => (r.model.predictRecords(rec), r.model.explainRecords(rec, 10));
// Warm-up: V8 optimises the compiled tree chunks and the TreeSHAP loops over the first thousands of calls.
time(predict, 5000, [], []);
time(both, 3000, [], []);
const a = [], b = [], ca = [], cb = [];
for (let k = 0; k < rounds; k++) time(predict, calls, a, ca), time(both, calls, b, cb);
let additivity = 0;
for (const rec of records) {
  const p = r.model.predictRecords([rec])[0].probabilities.Yes;
  const e = r.model.explainRecords([rec], 10)[0][0];
  const raw = e.base + e.contributions.reduce((s, c) => s + c.value, 0) + e.rest;
  additivity = Math.max(additivity, Math.abs(1 / (1 + Math.exp(-raw)) - p), Math.abs(raw - e.raw));
}
const med = (xs) => pct(xs, 0.5);
const nodes = r.model.estimator.s.forest.feature.length;
const load = spawnSync("uptime", { encoding: "utf8" }).stdout.trim().replace(/.*load average: /, "");
console.log(
  `200-tree GBDT on wa_churn (${nodes} internal nodes), one record a call, ${rounds} alternated rounds of ${calls} calls each: ` +
    `predict p50 ${med(a).toFixed(1)} µs p99 ${pct(a, 0.99).toFixed(1)} µs; predict + explain p50 ${med(b).toFixed(1)} µs p99 ${pct(b, 0.99).toFixed(1)} µs; ` +
    `explain adds p50 ${(med(b) - med(a)).toFixed(1)} µs, p99 ${(pct(b, 0.99) - pct(a, 0.99)).toFixed(1)} µs; ` +
    `CPU per call (median of rounds) ${med(ca).toFixed(1)} vs ${med(cb).toFixed(1)} µs (adds ${(med(cb) - med(ca)).toFixed(1)} µs); ` +
    `additivity error max ${additivity.toExponential(1)}; load ${load}`,
);
