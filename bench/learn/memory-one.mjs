// One step of the memory benchmark in a fresh process (its own peak RSS):
//   prepare: ingest a data set's CSV into a lake under bench/out/lake/<name> (once);
//   fit:     read the table back with the lake's readFrame, as a Millrace pipeline does, and fit GBDT on the
//            benchmark's train rows; prints a JSON line with the RSS after reading and the process peak.
// Usage: node bench/learn/memory-one.mjs prepare|fit '{"name":...,"csv":...,"target":...,"task":...,"positive":...,"drop":[],"rows":FILE,"params":{}}'
import { readFileSync } from "node:fs";


const [step, spec] = process.argv.slice(2);
const job = JSON.parse(spec);
const root = new URL(`../out/lake/${job.name}`, import.meta.url).pathname;
const table = `bronze.${job.name}`;
const { Lake } = await import("../../dist/lake/lake.js");
const lake = await Lake.open(root);
try {
  if (step === "prepare") {
    if (!(await lake.current(table))) await lake.ingestFiles(table, [job.csv]);
    console.log(JSON.stringify({ prepared: table }));
  } else {
    const { trainCandidate } = await import("../../dist/learn/train.js");
    const version = await lake.current(table);
    if (!version) throw new Error(`${table} missing: run the prepare step`);
    const header = readFileSync(job.csv, "utf8").slice(0, 4096).split("\n")[0].split(",").map((h) => h.replace(/"/g, ""));
    const columns = header.filter((h) => !(job.drop ?? []).includes(h));
    const frame = await lake.readFrame(version, { columns });
    globalThis.gc?.();
    const dataRssMB = process.memoryUsage().rss / 2 ** 20;
    const test = Uint32Array.from(readFileSync(job.rows, "utf8").trim().split("\n").map(Number));
    const r = await trainCandidate({
      frame,
      target: job.target,
      features: columns.filter((c) => c !== job.target),
      task: job.task,
      positive: job.positive,
      testRows: test,
      cvFolds: 0,
      seed: 42,
      candidate: { name: "gbdt", model: "gbdt", params: job.params ?? {} },
    });
    console.log(JSON.stringify({ rows: frame.rowCount, dataRssMB, peakRssMB: process.resourceUsage().maxRSS / 1024, trainSeconds: r.trainSeconds, metrics: r.testMetrics }));
  }
} finally {
  await lake.close();
}
