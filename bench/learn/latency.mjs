// Single-record prediction latency in process (steady state, after warm-up): a 200-tree GBDT on the churn data answering one JSON record at a
// time through predictRecords (the serving path: records -> frame -> pipeline -> trees). Prints p50/p99 in µs.
import { readCsvFrame } from "./csv.mjs";

export async function measureLatency(csv, { calls = 20000, warmup = 30000 } = {}) {
  const { trainCandidate } = await import("../../dist/learn/train.js");
  const frame = readCsvFrame(csv);
  const features = frame.columns.map((c) => c.name).filter((c) => c !== "churn");
  const r = await trainCandidate({
    frame, target: "churn", features, task: "binary", positive: "Yes", testRows: new Uint32Array(0), cvFolds: 0, seed: 1,
    candidate: { name: "gbdt", model: "gbdt", params: { n_estimators: 200 } },
  });
  const records = Array.from({ length: 100 }, (_, i) =>
    Object.fromEntries(frame.columns.filter((c) => c.name !== "churn").map((c) => [c.name, c.kind === "numeric" ? (Number.isNaN(c.values[i]) ? null : c.values[i]) : c.values[i]])),
  );
  for (let k = 0; k < warmup; k++) r.model.predictRecords([records[k % 100]]);
  const t = new Float64Array(calls);
  for (let k = 0; k < calls; k++) {
    const t0 = process.hrtime.bigint();
    r.model.predictRecords([records[k % 100]]);
    t[k] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  t.sort();
  return { trees: 200, p50: t[Math.floor(calls * 0.5)], p99: t[Math.floor(calls * 0.99)], max: t[calls - 1] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureLatency(process.argv[2] ?? new URL("../../../shared/data/wa_churn.csv", import.meta.url).pathname)));
}
