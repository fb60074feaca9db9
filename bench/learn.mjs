// Learning-engine benchmark: Millrace's learners vs XGBoost / scikit-learn on the same split of every data set,
// same run; prints ratios and appends a dated section to bench/RESULTS.md.
// Usage: npm run bench:learn [-- --size small,medium,big] [--only wa_churn,shuttle] [--ours gbdt,linear,rf] [--no-append]
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { DATASETS, locate } from "./learn/datasets.mjs";
import { measureLatency } from "./learn/latency.mjs";
import { peerAvailable, runPeer, runPeerCpu } from "./learn/peer.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const sizes = opt("size", "small,medium").split(",");
const only = opt("only", "")?.split(",").filter(Boolean) ?? [];
const ours = opt("ours", "gbdt,linear").split(",");
const params = JSON.parse(opt("params", "{}"));
// CPU seconds per fit, best of this many fits on both sides (peer: bench/learn/peer-cpu.py); 0 = wall times only.
const cpuRepeat = Number(opt("cpu-repeat", "3"));
const append = !args.includes("--no-append");
const OUT = new URL("./out/", import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

const missingPeer = peerAvailable();
if (missingPeer) {
  console.error(`peers unavailable: ${missingPeer}`);
  process.exit(1);
}

/** Which peer row each of our models is compared with. */
function pairs(ds) {
  const list = [];
  if (ours.includes("gbdt")) list.push({ model: "gbdt", peer: "XGBoost hist nthread=2", peerKey: "xgb2" });
  if (ours.includes("rf")) list.push({ model: "random_forest", peer: "sklearn RandomForest 100 (n_jobs=2)", peerKey: "rf" });
  if (ours.includes("linear")) {
    if (ds.task === "regression") list.push({ model: "ridge", peer: "sklearn Ridge (scaled, one-hot)", peerKey: "lr" });
    else list.push({ model: "logistic_regression", peer: "sklearn LogisticRegression (scaled, one-hot)", peerKey: "lr" });
  }
  return list;
}

const METRIC = { binary: ["roc_auc", "auc"], multiclass: ["roc_auc", "auc"], regression: ["rmse", "rmse"] };
const fmt = (v, d = 4) => (v === undefined || Number.isNaN(v) ? "n/a" : v.toFixed(d));
const rows = [];
for (const ds of DATASETS) {
  if (only.length ? !only.includes(ds.name) : !sizes.includes(ds.size)) continue;
  let csv = locate(ds);
  if (!csv && ds.synthetic) {
    csv = join(OUT, ds.file);
    console.error(`[${ds.name}] writing ${csv}`);
    const r = spawnSync("/usr/bin/python3", [new URL("./learn/make-synthetic.py", import.meta.url).pathname, String(ds.synthetic), csv], { stdio: "inherit" });
    if (r.status !== 0) process.exit(1);
  }
  if (!csv) {
    console.error(`[${ds.name}] skipped: ${ds.file} not found (build it with ../shared/bench/make-datasets.sh /tmp/millrace-data)`);
    continue;
  }
  const list = pairs(ds);
  const split = join(OUT, `${ds.name}.test-rows`);
  console.error(`[${ds.name}] peers: ${list.map((p) => p.peerKey).join(",")}`);
  const peer = runPeer(ds, csv, [...new Set(list.map((p) => p.peerKey))], split);
  const timed = cpuRepeat > 0 && ds.size !== "big" ? list.filter((p) => p.peerKey === "xgb2" || p.peerKey === "rf").map((p) => p.peerKey) : [];
  const peerCpu = timed.length ? runPeerCpu(ds, csv, timed, split, cpuRepeat) : {};
  for (const p of list) {
    console.error(`[${ds.name}] ours: ${p.model}`);
    const repeat = peerCpu[p.peerKey] ? cpuRepeat : 1;
    const job = { csv, target: ds.target, task: ds.task, positive: ds.positive, drop: ds.drop, cat: ds.cat, rows: split, model: p.model, params: p.model === "gbdt" ? params : {}, repeat };
    const r = spawnSync(process.execPath, ["--expose-gc", new URL("./learn/run-one.mjs", import.meta.url).pathname, JSON.stringify(job)], { encoding: "utf8", maxBuffer: 2 ** 24 });
    if (r.status !== 0) {
      console.error(r.stderr);
      rows.push({ ds, p, error: r.stderr.split("\n").find((l) => l.trim()) ?? "failed" });
      continue;
    }
    const o = JSON.parse(r.stdout.trim().split("\n").pop());
    const q = peer.rows.find((x) => x.model === p.peer);
    rows.push({ ds, p, o, q, peerRss: peer.peakRssMB, qc: peerCpu[p.peerKey] });
    const [mk, pk] = METRIC[ds.task];
    console.error(`   ${p.model}: ${mk} ${fmt(o.metrics[mk])} vs ${fmt(q?.metrics[pk])}; train ${fmt(o.trainSeconds, 2)} s vs ${fmt(q?.train_s, 2)} s; fit CPU ${fmt(o.fitCpuSeconds, 2)} s vs ${fmt(peerCpu[p.peerKey]?.cpu_s, 2)} s`);
  }
}

const head = "| data set | ours | peer | metric | ours | peer | Δ (ours − peer) | train s ours | train s peer | train ratio | fit CPU s ours | fit CPU s peer | CPU ratio | best wall s ours / peer | predict s ours | predict s peer | predict ratio | peak RSS MB ours / peer |";
const lines = [head, "|" + "---|".repeat(18)];
for (const { ds, p, o, q, qc, error, peerRss } of rows) {
  if (error) {
    lines.push(`| ${ds.name} | ${p.model} | ${p.peer} | failed: ${error.replace(/\|/g, "/")} |||||||||||||||`);
    continue;
  }
  const [mk, pk] = METRIC[ds.task];
  const a = o.metrics[mk];
  const b = q?.metrics[pk];
  const ratio = (x, y) => (y > 0 ? (x / y).toFixed(2) + "×" : "n/a");
  lines.push(
    `| ${ds.name} | ${p.model} | ${p.peer} | ${mk} | ${fmt(a)} | ${fmt(b)} | ${b === undefined ? "n/a" : (a - b >= 0 ? "+" : "") + (a - b).toFixed(4)} | ` +
      `${fmt(o.trainSeconds, 2)} | ${fmt(q?.train_s, 2)} | ${ratio(o.trainSeconds, q?.train_s)} | ` +
      `${fmt(qc ? o.fitCpuSeconds : undefined, 2)} | ${fmt(qc?.cpu_s, 2)} | ${qc ? ratio(o.fitCpuSeconds, qc.cpu_s) : "n/a"} | ${qc ? `${fmt(o.fitWallSeconds, 2)} / ${fmt(qc.wall_s, 2)}` : "n/a"} | ${fmt(o.predictSeconds, 3)} | ${fmt(q?.predict_s, 2)} | ${ratio(o.predictSeconds, q?.predict_s)} | ${o.peakRssMB.toFixed(0)} / ${fmt(peerRss, 0)} |`,
  );
}
let table = lines.join("\n");
// Single-record latency of a 200-tree model in process (the floor of serving latency; target p99 < 50 µs).
const churn = locate(DATASETS[0]);
if (churn && !args.includes("--no-latency")) {
  const lat = await measureLatency(churn);
  table += `\n\nSingle-record predictRecords, 200-tree GBDT on wa_churn (100 distinct records in turn), 20,000 calls after 30,000 warm-up calls (V8 optimises the compiled tree chunks gradually: the first thousands of calls run slower): p50 ${lat.p50.toFixed(1)} µs, p99 ${lat.p99.toFixed(1)} µs, max ${lat.max.toFixed(0)} µs.`;
}
console.log(table);
if (append) {
  const load = spawnSync("uptime", { encoding: "utf8" }).stdout.trim();
  const cpu = cpus()[0]?.model ?? "unknown cpu";
  const section = [
    `\n## learn — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Command: \`npm run bench:learn -- ${args.join(" ")}\`  `,
    `Machine: ${cpus().length} cores (${cpu}), node ${process.version}; load: \`${load}\`  `,
    "Same test rows for both (peer_baselines.py --split-out). Train s = fit only (feature encoding excluded on both sides); predict s = predicting the test rows " +
      "(ours: feature pipeline included, best of 3; peer: one run). Fit CPU s = CPU seconds of every thread of the process during the fit, best of " +
      `${cpuRepeat} fits on both sides (peer: bench/learn/peer-cpu.py, OMP_WAIT_POLICY=PASSIVE so waiting threads do not spin); best wall likewise. Peak RSS: ours = the training process (CSV reader included); peer = the python process (pandas + all peer models run).`,
    "",
    table,
    "",
  ].join("\n");
  appendFileSync(new URL("./RESULTS.md", import.meta.url), section);
}
