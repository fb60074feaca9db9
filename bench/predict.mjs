// Batch scoring benchmark: `millrace predict` over flights_3m (3M rows) vs the Python batch job the seeds write
// (pandas read_csv + XGBoost predict_proba + to_csv), both with a 200-tree depth-6 model trained on the same 300k rows.
// Wall time and peak RSS by /usr/bin/time, in one run; appends a section to bench/RESULTS.md.
//   npm run bench:predict          (needs flights_3m.csv: bash ../shared/bench/make-datasets.sh /tmp/millrace-data)
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DATASETS, locate } from "./learn/datasets.mjs";

const SAMPLE = 300_000;
const repo = new URL("..", import.meta.url).pathname;
const cli = join(repo, "dist/cli/main.js");
const flights = locate(DATASETS.find((d) => d.name === "flights_3m"));
if (!flights) throw new Error("flights_3m.csv not found: build it with bash ../shared/bench/make-datasets.sh /tmp/millrace-data");
const uptime = () => execFileSync("uptime").toString().trim();
const loadBefore = uptime();
const tmp = mkdtempSync(join(tmpdir(), "millrace-bench-predict-"));

// The project: the first 300k rows land in bronze; the model is trained on them (the peer trains on the same file).
const project = join(tmp, "flights");
mkdirSync(join(project, "data/landing"), { recursive: true });
const sample = join(project, "data/landing/flights-sample.csv");
writeFileSync(sample, readFileSync(flights, "utf8").split("\n", SAMPLE + 1).join("\n") + "\n");
writeFileSync(join(project, "millrace.yaml"), `name: flights
sources:
  - { name: flights, path: data/landing, pattern: "*.csv" }
dataset:
  table: bronze.flights
  target: delayed15
  task: binary
  positive: "1"
  exclude: [delay]
  split: { test_fraction: 0.2, seed: 42, stratify: true }
train:
  cv_folds: 0
  candidates:
    - { name: gbdt, model: gbdt, params: { n_estimators: 200, max_depth: 6, learning_rate: 0.1 } }
registry: { model: flights, alias: production }
`);
const run = spawnSync(process.execPath, [cli, "run", project, "--json"], { encoding: "utf8", maxBuffer: 1 << 26 });
if (run.status !== 0) throw new Error(`millrace run failed: ${run.stderr}`);

/** Runs a command under /usr/bin/time; returns its stdout, wall seconds and peak RSS in MB. */
function timed(cmd, args) {
  const r = spawnSync("/usr/bin/time", ["-f", "TIME %e %M", cmd, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const m = r.stderr.match(/TIME ([\d.]+) (\d+)/);
  return { out: r.stdout, wall: Number(m[1]), rssMb: Number(m[2]) / 1024 };
}

const oursOut = join(tmp, "ours.csv");
const ours = timed(process.execPath, [cli, "predict", "-p", project, "-i", flights, "-o", oursOut, "--json"]);
const oursReport = JSON.parse(ours.out);
const peerOut = join(tmp, "peer.csv");
const peer = timed("/usr/bin/python3", [join(repo, "bench/predict/peer.py"), sample, flights, peerOut, "delayed15", "delay"]);
const peerReport = JSON.parse(peer.out.trim().split("\n").pop());
if (oursReport.rows !== peerReport.rows) throw new Error(`row counts differ: ${oursReport.rows} vs ${peerReport.rows}`);

const rows = oursReport.rows;
const fmt = (s) => s.toFixed(2);
const table = [
  "| measure | Millrace (`millrace predict`) | peer (pandas + XGBoost 1.7, 2 threads) | ratio |",
  "|---|---:|---:|---:|",
  `| score ${rows.toLocaleString("en-US")} rows, CSV in → CSV out, s | ${fmt(oursReport.seconds)} (process ${fmt(ours.wall)}) | ${fmt(peerReport.score_s)} (read ${fmt(peerReport.read_s)}, predict ${fmt(peerReport.predict_s)}, write ${fmt(peerReport.write_s)}) | ${(oursReport.seconds / peerReport.score_s).toFixed(2)}× the time |`,
  `| rows/s | ${Math.round(rows / oursReport.seconds).toLocaleString("en-US")} | ${Math.round(rows / peerReport.score_s).toLocaleString("en-US")} | |`,
  `| peak RSS of the process, MB | ${ours.rssMb.toFixed(0)} (chunks of 100,000 rows) | ${peer.rssMb.toFixed(0)} (whole frame; its training on 300k rows included) | ${(ours.rssMb / peer.rssMb).toFixed(2)}× |`,
  `| input CSV / output CSV, MB | ${(statSync(flights).size / 2 ** 20).toFixed(0)} / ${(statSync(oursOut).size / 2 ** 20).toFixed(0)} | ${(statSync(flights).size / 2 ** 20).toFixed(0)} / ${(statSync(peerOut).size / 2 ** 20).toFixed(0)} | |`,
].join("\n");
console.log(table);
const section = `
## Batch scoring — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC

Command: \`npm run bench:predict\` (bench/predict.mjs, peer bench/predict/peer.py). Machine: 2 × AMD EPYC, node ${process.version}; load before: \`${loadBefore}\`, after: \`${uptime()}\`.
Model: GBDT 200 rounds, depth 6, lr 0.1 trained by \`millrace run\` on the first ${SAMPLE.toLocaleString("en-US")} rows of flights_3m (8 features, origin/destination categorical); the peer trains XGBoost with the same settings on the same rows, then times only the scoring.

${table}
`;
appendFileSync(new URL("./RESULTS.md", import.meta.url), section);
rmSync(tmp, { recursive: true, force: true });
console.log("appended to bench/RESULTS.md");
