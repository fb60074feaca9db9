// One Millrace training run in a fresh process (clean heap, own peak RSS): prints a JSON line with metrics and times.
// Usage: node bench/learn/run-one.mjs '{"csv":...,"target":...,"task":...,"positive":...,"drop":[],"rows":FILE,"model":"gbdt","params":{}}'
import { readFileSync } from "node:fs";
import { asCategorical, readCsvFrame } from "./csv.mjs";

const { trainCandidate } = await import("../../dist/learn/train.js");
const job = JSON.parse(process.argv[2]);
const t0 = performance.now();
const frame = asCategorical(readCsvFrame(job.csv, job.drop ?? []), job.cat ?? []);
const test = Uint32Array.from(readFileSync(job.rows, "utf8").trim().split("\n").map(Number));
const loadSeconds = (performance.now() - t0) / 1000;
const features = frame.columns.map((c) => c.name).filter((c) => c !== job.target);
// Collect the CSV reader's garbage now, so its major GC does not land inside the timed training.
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
const cpu0 = process.cpuUsage();
const r = await trainCandidate({
  frame,
  target: job.target,
  features,
  task: job.task,
  positive: job.positive,
  testRows: test,
  cvFolds: 0,
  seed: 42,
  candidate: { name: job.model, model: job.model, params: job.params ?? {} },
});
const cpu = process.cpuUsage(cpu0);
// Predict-only time on the test rows (no metrics), best of 3 to damp noise from the shared machine.
let predictSeconds = Infinity;
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  r.model.scoreFrame(frame, test);
  predictSeconds = Math.min(predictSeconds, (performance.now() - t) / 1000);
}
const bytes = r.model.toBytes();
console.log(JSON.stringify({
  model: job.model,
  ...(r.selection ? { chosen: r.selection.chosen, candidates: r.selection.candidates.map((c) => `${c.label}=${c.cvMean?.toFixed(4) ?? c.status}`) } : {}),
  metrics: r.testMetrics,
  trainSeconds: r.trainSeconds,
  /** CPU seconds of the whole trainCandidate call (all threads): steadier than wall time on a shared machine. */
  trainCpuSeconds: (cpu.user + cpu.system) / 1e6,
  prepSeconds: r.prepSeconds,
  predictSeconds,
  loadSeconds,
  modelBytes: bytes.length,
  dataRssMB: rssBefore / 2 ** 20,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
}));
