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
const train = () =>
  trainCandidate({
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
const r = await train();
const cpu = process.cpuUsage(cpu0);
// job.repeat > 1: the fit again in this process, best CPU and wall of all (the peers' CPU column is best of N too).
const fits = [{ wall: r.trainSeconds, cpu: r.trainCpuSeconds }];
for (let k = 1; k < (job.repeat ?? 1); k++) {
  globalThis.gc?.();
  const again = await train();
  fits.push({ wall: again.trainSeconds, cpu: again.trainCpuSeconds });
}
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
  ...(r.selection ? { chosen: r.selection.chosen, candidates: r.selection.candidates.map((c) => `${c.label}=${c.cvMean?.toFixed(4) ?? c.status}${c.error ? ` [${c.error}]` : ""} (${c.seconds.toFixed(1)} s)`) } : {}),
  metrics: r.testMetrics,
  trainSeconds: r.trainSeconds,
  /** CPU seconds of the whole first trainCandidate call (all threads; evaluation and SHAP importance included). */
  callCpuSeconds: (cpu.user + cpu.system) / 1e6,
  /** Learner fit only (all threads), best of job.repeat fits; wall likewise. */
  fitCpuSeconds: Math.min(...fits.map((f) => f.cpu)),
  fitWallSeconds: Math.min(...fits.map((f) => f.wall)),
  prepSeconds: r.prepSeconds,
  predictSeconds,
  loadSeconds,
  modelBytes: bytes.length,
  dataRssMB: rssBefore / 2 ** 20,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
}));
