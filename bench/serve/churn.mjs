// Bench helper: the churn CSV as a Frame and as JSON records, and a model trained on it with Millrace's learners.
import { readFileSync, writeFileSync } from "node:fs";

export const CHURN_CSV = new URL("../../../shared/data/wa_churn.csv", import.meta.url).pathname;

function splitLine(line) {
  const out = [];
  let cur = "";
  let q = false;
  for (const ch of line) {
    if (ch === '"') q = !q;
    else if (ch === "," && !q) (out.push(cur), (cur = ""));
    else cur += ch;
  }
  out.push(cur);
  return out;
}

/** { header, rows (string cells), frame, records (without the target) } */
export function loadChurn(path = CHURN_CSV, target = "churn") {
  const lines = readFileSync(path, "utf8").split(/\r?\n/).filter((l) => l.length > 0);
  const header = splitLine(lines[0]);
  const rows = lines.slice(1).map(splitLine);
  const numeric = header.map((_, j) => rows.every((r) => r[j] === "" || Number.isFinite(Number(r[j]))));
  const columns = header.map((name, j) =>
    numeric[j]
      ? { name, kind: "numeric", values: Float64Array.from(rows, (r) => (r[j] === "" ? NaN : Number(r[j]))) }
      : { name, kind: "categorical", values: rows.map((r) => (r[j] === "" ? null : r[j])) },
  );
  const records = rows.map((r) => {
    const o = {};
    header.forEach((h, j) => {
      if (h === target) return;
      o[h] = r[j] === "" ? null : numeric[j] ? Number(r[j]) : r[j];
    });
    return o;
  });
  return { header, numeric, frame: { rowCount: rows.length, columns }, records, features: header.filter((h) => h !== target) };
}

/** Trains a candidate on churn with Millrace's learners; returns { model, bytes, testMetrics, seconds }. */
export async function trainChurn(candidate = { name: "gbdt", model: "gbdt", params: { n_estimators: 200, max_depth: 6, learning_rate: 0.1 } }) {
  const { trainCandidate, holdoutSplit } = await import("../../dist/learn/train.js");
  const { frame, features } = loadChurn();
  const target = frame.columns.find((c) => c.name === "churn");
  const split = holdoutSplit(target, { testFraction: 0.2, seed: 42, stratify: true });
  const t0 = performance.now();
  const r = await trainCandidate({ frame, target: "churn", features, task: "binary", positive: "Yes", testRows: split.test, cvFolds: 0, seed: 42, candidate });
  return { model: r.model, bytes: r.model.toBytes(), testMetrics: r.testMetrics, seconds: (performance.now() - t0) / 1000 };
}

export function saveBytes(path, bytes) {
  writeFileSync(path, bytes);
}
