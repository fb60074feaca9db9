// Peak memory of a GBDT fit, like for like: ours reads the data set back from a lake table (readFrame, as a
// Millrace pipeline does) and fits in a fresh process; XGBoost's peak is its python process (pandas reading the
// CSV + the fit), both on the same train rows. Appends a dated section to bench/RESULTS.md.
// Usage: node bench/learn/memory.mjs [--only fertility,synthetic_1m,flights_3m] [--no-append]
import { spawnSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { DATASETS, locate } from "./datasets.mjs";
import { peerAvailable, runPeer } from "./peer.mjs";

const args = process.argv.slice(2);
const only = (args.includes("--only") ? args[args.indexOf("--only") + 1] : "fertility,synthetic_1m,flights_3m").split(",");
const OUT = new URL("../out/", import.meta.url).pathname;
const missing = peerAvailable();
if (missing) {
  console.error(`peers unavailable: ${missing}`);
  process.exit(1);
}
const step = (name, job) => {
  const r = spawnSync(process.execPath, ["--expose-gc", new URL("./memory-one.mjs", import.meta.url).pathname, name, JSON.stringify(job)], { encoding: "utf8", maxBuffer: 2 ** 24 });
  if (r.status !== 0) throw new Error(`${name} ${job.name}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
};
const load = () => spawnSync("uptime", { encoding: "utf8" }).stdout.trim().replace(/.*load average: /, "");
const rows = [];
for (const ds of DATASETS) {
  if (!only.includes(ds.name)) continue;
  const csv = locate(ds) ?? (ds.synthetic ? join(OUT, ds.file) : null);
  if (!csv) {
    console.error(`[${ds.name}] skipped: ${ds.file} not found`);
    continue;
  }
  const split = join(OUT, `${ds.name}.memory.test-rows`);
  console.error(`[${ds.name}] peer (XGBoost 2 threads)`);
  const peer = runPeer(ds, csv, ["xgb2"], split);
  const job = { name: ds.name, csv, target: ds.target, task: ds.task, positive: ds.positive, drop: ds.drop, rows: split };
  console.error(`[${ds.name}] ours: lake ingest (once), then readFrame + fit`);
  step("prepare", job);
  const before = load();
  const o = step("fit", job);
  const q = peer.rows.find((x) => x.model === "XGBoost hist nthread=2");
  rows.push({ ds, o, q, peerRss: peer.peakRssMB, load: before });
  console.error(`   peak ${o.peakRssMB.toFixed(0)} MB (data ${o.dataRssMB.toFixed(0)} MB) vs XGBoost ${peer.peakRssMB.toFixed(0)} MB`);
}
const lines = [
  "| data set | rows | ours: RSS after readFrame MB | ours: peak RSS MB | XGBoost peak RSS MB | peak ratio | AUC ours / XGBoost | train s ours / XGBoost (same run) | load before ours |",
  "|---|---|---|---|---|---|---|---|---|",
  ...rows.map(({ ds, o, q, peerRss, load: l }) =>
    `| ${ds.name} | ${o.rows} | ${o.dataRssMB.toFixed(0)} | ${o.peakRssMB.toFixed(0)} | ${peerRss.toFixed(0)} | ${(o.peakRssMB / peerRss).toFixed(2)}× | ` +
      `${o.metrics.roc_auc?.toFixed(4)} / ${q?.metrics.auc?.toFixed(4)} | ${o.trainSeconds.toFixed(2)} / ${q?.train_s.toFixed(2)} | ${l} |`,
  ),
];
const table = lines.join("\n");
console.log(table);
if (!args.includes("--no-append")) {
  appendFileSync(
    new URL("../RESULTS.md", import.meta.url),
    [
      `\n## learn memory — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
      "",
      `Command: \`node bench/learn/memory.mjs ${args.join(" ")}\`  `,
      `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}  `,
      "Ours: a fresh process reads the lake table (ingested once from the CSV) with readFrame and fits GBDT (default params) on the same train rows; " +
        "peak = its max RSS. XGBoost: the python process of peer_baselines.py --models xgb2 (pandas reading the CSV + the fit).",
      "",
      table,
      "",
    ].join("\n"),
  );
}
