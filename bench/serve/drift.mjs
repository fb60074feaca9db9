// Bench helper: drift report over 1M current rows × 20 columns (churn-shaped) vs the churn reference, ours vs scipy on the same arrays.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { driftReport } from "../../dist/monitor/drift-report.js";

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reference = the churn frame's features (+ a score column); current = `rows` resampled rows, some columns shifted. */
export function driftFrames(churnFrame, rows, scores) {
  const r = rng(7);
  const feats = churnFrame.columns.filter((c) => c.name !== "churn");
  const ref = { rowCount: churnFrame.rowCount, columns: [...feats, { name: "_prediction", kind: "numeric", values: scores }] };
  const pick = Uint32Array.from({ length: rows }, () => Math.floor(r() * churnFrame.rowCount));
  const columns = ref.columns.map((c) => {
    if (c.kind === "numeric") {
      const v = new Float64Array(rows);
      const shift = c.name === "tenure" ? 6 : c.name === "monthly_charges" ? 5 : 0;
      for (let i = 0; i < rows; i++) v[i] = c.values[pick[i]] + shift;
      return { name: c.name, kind: "numeric", values: v };
    }
    const v = new Array(rows);
    for (let i = 0; i < rows; i++) v[i] = c.values[pick[i]];
    return { name: c.name, kind: "categorical", values: v };
  });
  return { ref, cur: { rowCount: rows, columns } };
}

/** Times driftReport (best of `repeat`) and the scipy peer on the same arrays; returns both and their largest score gap. */
export function benchDrift(ref, cur, dir, repeat = 3) {
  let best = Infinity;
  let report;
  for (let k = 0; k < repeat; k++) {
    const t0 = performance.now();
    report = driftReport(ref, cur);
    best = Math.min(best, performance.now() - t0);
  }
  // Same arrays for the peer: numeric as float64, categorical as int32 codes over a shared dictionary.
  const meta = [];
  ref.columns.forEach((c, j) => {
    const cc = cur.columns[j];
    if (c.kind === "numeric") {
      writeFileSync(join(dir, `r${j}.bin`), Buffer.from(c.values.buffer, c.values.byteOffset, c.values.byteLength));
      writeFileSync(join(dir, `c${j}.bin`), Buffer.from(cc.values.buffer, cc.values.byteOffset, cc.values.byteLength));
    } else {
      const dict = new Map();
      const code = (vals) => Int32Array.from(vals, (v) => (v === null ? -1 : dict.has(v) ? dict.get(v) : (dict.set(v, dict.size), dict.size - 1)));
      const rc = code(c.values);
      const ccodes = code(cc.values);
      writeFileSync(join(dir, `r${j}.bin`), Buffer.from(rc.buffer));
      writeFileSync(join(dir, `c${j}.bin`), Buffer.from(ccodes.buffer));
    }
    meta.push({ name: c.name, kind: c.kind, method: report.columns[j].method });
  });
  writeFileSync(join(dir, "meta.json"), JSON.stringify(meta));
  const peerOut = execFileSync("/usr/bin/python3", [new URL("./drift_peer.py", import.meta.url).pathname, dir], { encoding: "utf8", maxBuffer: 1 << 24 });
  const peer = JSON.parse(peerOut);
  let gap = 0;
  report.columns.forEach((c, j) => {
    if (c.statistic !== null && Number.isFinite(peer.scores[j])) gap = Math.max(gap, Math.abs(c.statistic - peer.scores[j]));
  });
  return { oursMs: best, peerMs: peer.ms, report, maxScoreGap: gap };
}

/** Writes `thousands` × 1,000 logged predictions through PredictionLog; times reading them back as a Frame from the NDJSON, compacting, and reading the Parquet parts. */
export async function benchLogRead(records, frame, signature, thousands, dir) {
  const { PredictionLog } = await import("../../dist/monitor/prediction-log.js");
  const { readLoggedFrame } = await import("../../dist/monitor/log-reader.js");
  const { compactLog } = await import("../../dist/monitor/log-compact.js");
  const recs = records.slice(0, 1000);
  const outs = recs.map((_, i) => ({ label: i % 3 ? "No" : "Yes", probabilities: { No: 0.7, Yes: 0.3 } }));
  const log = new PredictionLog({ dir, capacity: 1e8, batchSize: 1e9, flushIntervalMs: 1e9 });
  const requestJson = JSON.stringify({ records: recs });
  for (let k = 0; k < thousands; k++) {
    const ids = recs.map(() => crypto.randomUUID());
    log.logRequest({ model: "churn", version: 1, alias: "production", at: new Date().toISOString(), latencyMs: 1, ids, records: recs, outputs: outs, requestJson, requestBytes: Buffer.from(requestJson), responseJson: JSON.stringify({ predictions: outs, ids }) });
    if (k % 50 === 49) await log.flush();
  }
  await log.close();
  const read = async () => {
    const t0 = performance.now();
    const f = await readLoggedFrame(dir, "churn", 1, { like: frame, signature, includeOutput: true });
    return { rows: f.rowCount, ms: performance.now() - t0 };
  };
  const ndjson = await read();
  const t0 = performance.now();
  await compactLog(dir);
  const compactMs = performance.now() - t0;
  const parts = await read();
  if (parts.rows !== ndjson.rows) throw new Error(`compaction changed the row count: ${ndjson.rows} → ${parts.rows}`);
  return { rows: ndjson.rows, ms: ndjson.ms, compactMs, partsMs: parts.ms };
}
