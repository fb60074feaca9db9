// Spine benchmark: `millrace run examples/churn` from a clean state (wall time, best test ROC-AUC), and the
// churn learners vs XGBoost / scikit-learn on the peers' own split, all in one run. Appends to bench/RESULTS.md.
//   npm run bench:spine [-- --repeats 3]
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "dist/cli/main.js");
const shared = path.resolve(root, "../shared");
const repeats = Number(process.argv[process.argv.indexOf("--repeats") + 1] || 3) || 3;

function runPipelineOnce() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bench-spine-"));
  fs.cpSync(path.join(root, "examples/churn"), dir, { recursive: true, filter: (s) => !s.includes(".millrace") });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, "run", dir, "--json"], { encoding: "utf8" });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`millrace run failed: ${r.stdout}\n${r.stderr}`);
  const s = JSON.parse(r.stdout);
  fs.rmSync(dir, { recursive: true, force: true });
  const best = s.candidates.reduce((a, c) => (c.test.roc_auc > a.test.roc_auc ? c : a));
  return { wall, internal: s.durationMs / 1000, winner: s.model.candidate, winnerAuc: s.candidates.find((c) => c.candidate === s.model.candidate).test.roc_auc, bestAuc: best.test.roc_auc, tasks: s.tasks };
}

const runs = Array.from({ length: repeats }, runPipelineOnce);
const walls = runs.map((r) => r.wall).sort((a, b) => a - b);
const median = walls[Math.floor(walls.length / 2)];

// Quality on the peers' split: XGBoost + sklearn LR via peer_baselines.py, ours via `millrace train --test-rows`.
const rowsFile = path.join(os.tmpdir(), `churn-test-rows-${process.pid}.txt`);
const csv = path.join(shared, "data/wa_churn.csv");
let peerRows = [];
if (fs.existsSync(csv) && fs.existsSync("/usr/bin/python3")) {
  const out = execFileSync("/usr/bin/python3", [path.join(shared, "bench/peer_baselines.py"), csv, "churn", "binary", "--positive", "Yes", "--models", "xgb2,lr", "--split-out", rowsFile], { encoding: "utf8" });
  for (const line of out.split("\n")) {
    const m = line.match(/^\| (XGBoost hist nthread=2|sklearn LogisticRegression[^|]*) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|/);
    if (m) peerRows.push({ name: m[1].trim(), train: Number(m[2]), auc: Number(m[4]) });
  }
} else {
  console.error(`skipping peer comparison: ${csv} or /usr/bin/python3 (python3-xgboost, python3-sklearn) is missing`);
}
const ours = {};
if (peerRows.length > 0) {
  for (const model of ["gbdt", "logistic_regression"]) {
    const out = execFileSync(process.execPath, [cli, "train", csv, "--target", "churn", "--positive", "Yes", "--test-rows", rowsFile, "--model", model, "--json"], { encoding: "utf8" });
    ours[model] = JSON.parse(out);
  }
}

const signed = (d) => {
  const r = Number(d.toFixed(4));
  return `${r >= 0 ? "+" : ""}${(r === 0 ? 0 : r).toFixed(4)}`;
};
const lines = [];
lines.push(`| measure | Millrace | peer | ratio |`, `|---|---|---|---|`);
lines.push(`| \`millrace run examples/churn\` from clean state, wall s (median of ${repeats}) | ${median.toFixed(2)} | target < 30 | ${(median / 30).toFixed(3)} of budget |`);
lines.push(`| winning model's test ROC-AUC in that run (${runs[0].winner}) | ${runs[0].winnerAuc.toFixed(4)} | target ≥ 0.83 | — |`);
const xgb = peerRows.find((p) => p.name.startsWith("XGBoost"));
const lr = peerRows.find((p) => p.name.startsWith("sklearn"));
if (xgb && ours.gbdt) {
  lines.push(`| GBDT vs XGBoost 1.7 hist (2 threads), test ROC-AUC on the peers' split | ${ours.gbdt.metrics.roc_auc.toFixed(4)} | ${xgb.auc.toFixed(4)} | ${signed(ours.gbdt.metrics.roc_auc - xgb.auc)} |`);
  lines.push(`| GBDT vs XGBoost, train s | ${ours.gbdt.finalFitSeconds.toFixed(2)} | ${xgb.train.toFixed(2)} | ${(ours.gbdt.finalFitSeconds / xgb.train).toFixed(2)}× |`);
}
if (lr && ours.logistic_regression) {
  lines.push(`| logistic regression vs sklearn 1.2 LR (one-hot, scaled), test ROC-AUC | ${ours.logistic_regression.metrics.roc_auc.toFixed(4)} | ${lr.auc.toFixed(4)} | ${signed(ours.logistic_regression.metrics.roc_auc - lr.auc)} |`);
  lines.push(`| logistic regression vs sklearn, train s | ${ours.logistic_regression.finalFitSeconds.toFixed(2)} | ${lr.train.toFixed(2)} | ${(ours.logistic_regression.finalFitSeconds / lr.train).toFixed(2)}× |`);
}
const slowest = Object.entries(runs[0].tasks).sort((a, b) => (b[1].ms ?? 0) - (a[1].ms ?? 0)).slice(0, 4).map(([k, v]) => `${k} ${((v.ms ?? 0) / 1000).toFixed(2)} s`).join(", ");
const table = lines.join("\n");
console.log(table);
console.log(`pipeline wall times: ${walls.map((w) => w.toFixed(2)).join(", ")} s; slowest tasks: ${slowest}`);

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`;
const section = `\n## Spine: churn end to end — ${new Date().toISOString().slice(0, 10)}\n\nCommand: \`npm run bench:spine\` (bench/spine.mjs). Machine: ${machine}.\n\n${table}\n\nPipeline wall times: ${walls.map((w) => w.toFixed(2)).join(", ")} s (includes Node start-up). Slowest tasks of run 1: ${slowest}.\n`;
const results = path.join(root, "bench/RESULTS.md");
if (!fs.existsSync(results)) fs.writeFileSync(results, "# Benchmark results\n\nEvery figure here is printed by a script in bench/ and appended by it; the README cites these rows.\n");
fs.appendFileSync(results, section);
