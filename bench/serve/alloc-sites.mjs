// Where a single-record prediction allocates: V8's sampling heap profiler over N calls of predictRecords (the churn
// logistic model), allocations grouped by function.   node bench/serve/alloc-sites.mjs   (after npm run build)
import { Session } from "node:inspector/promises";
import { loadChurn, trainChurn } from "./churn.mjs";
const { loadModel } = await import("../../dist/learn/train.js");
const { records } = loadChurn();
const m = await trainChurn({ name: "logistic", model: "logistic_regression", params: {} });
const predictor = loadModel(m.bytes);
const one = [records[0]];
for (let i = 0; i < 20000; i++) predictor.predictRecords(one);
const s = new Session();
s.connect();
await s.post("HeapProfiler.startSampling", { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const N = 20000;
for (let i = 0; i < N; i++) predictor.predictRecords(one);
const { profile } = await s.post("HeapProfiler.stopSampling");
const by = new Map();
const walk = (n) => {
  const f = n.callFrame;
  const k = `${f.functionName || "(anon)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
  by.set(k, (by.get(k) ?? 0) + n.selfSize);
  for (const c of n.children) walk(c);
};
walk(profile.head);
let total = 0;
for (const v of by.values()) total += v;
console.log(`${(total / N).toFixed(0)} bytes per single-record predictRecords (sampled)`);
for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${(v / N).toFixed(0).padStart(7)} B  ${k}`);
