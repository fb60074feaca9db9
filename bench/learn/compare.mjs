// Model quality on the sets with categoricals (issue 11): every peer of ../shared/bench/peer_baselines.py (XGBoost,
// HistGB, RF, LR/Ridge) and any number of our learner settings, on the peers' test rows, same run; prints a markdown
// table (ours − XGBoost and ours − best peer) and appends it to bench/RESULTS.md unless --no-append.
// Usage: node bench/learn/compare.mjs [--sets credit_data,wa_churn,flights_100k,insteval]
//          [--ours 'gbdt' 'gbdt:{"cat_smooth":10}' 'auto:{"time_budget":60}'] [--peers xgb2,hgb,rf,lr] [--no-append]
// --peers xgb2: XGBoost only (flights_3m's four peers take ~15 min on a loaded 2-core machine). The "figure" column is
// issue 11's GBDT goal against XGBoost: AUC >= XGBoost - 0.002, RMSE <= XGBoost x 1.005.
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { DATASETS, locate } from "./datasets.mjs";
import { peerAvailable, runPeer } from "./peer.mjs";

const args = process.argv.slice(2);
const after = (name) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return [];
  const out = [];
  for (let j = i + 1; j < args.length && !args[j].startsWith("--"); j++) out.push(args[j]);
  return out;
};
const sets = (after("sets")[0] ?? "credit_data,wa_churn,flights_100k,insteval").split(",");
const ours = after("ours").length ? after("ours") : ["gbdt"];
const append = !args.includes("--no-append");
const OUT = new URL("../out/", import.meta.url).pathname;
const BUILDERS = {
  flights_100k: "/usr/bin/python3 bench/learn/make-flights-100k.py /tmp/millrace-data/flights_3m.csv /tmp/millrace-data/flights_100k.csv",
  twists: "/usr/bin/python3 bench/learn/make-twists.py /tmp/millrace-data",
};
mkdirSync(OUT, { recursive: true });
const missing = peerAvailable();
if (missing) {
  console.error(`peers unavailable: ${missing}`);
  process.exit(1);
}

const METRIC = { binary: ["roc_auc", "auc"], multiclass: ["roc_auc", "auc"], regression: ["rmse", "rmse"] };
const PEERS = (after("peers")[0] ?? "xgb2,hgb,rf,lr").split(",");
const fmt = (v, d = 4) => (v === undefined || Number.isNaN(v) ? "n/a" : v.toFixed(d));
const lines = ["| data set | ours | metric | ours | XGBoost | Δ vs XGBoost | figure | best peer | best peer's | Δ vs best | train s ours | train s XGBoost |", "|" + "---|".repeat(12)];
/** Issue 11's GBDT figure against XGBoost: AUC within 0.002 below, RMSE within 0.5% above. */
const figure = (a, x, higher) => (x === undefined ? "n/a" : higher ? (a >= x - 0.002 ? "met" : "**missed**") : a <= x * 1.005 ? `met (${(a / x).toFixed(4)}x)` : `**missed** (${(a / x).toFixed(4)}x)`);
for (const name of sets) {
  const ds = DATASETS.find((d) => d.name === name);
  if (!ds) throw new Error(`unknown set ${name}: ${DATASETS.map((d) => d.name).join(", ")}`);
  const csv = locate(ds);
  if (!csv) {
    console.error(`[${name}] skipped: ${ds.file} not found${ds.build ? ` (${BUILDERS[ds.build]})` : ""}`);
    lines.push(`| ${name} | not available on this machine |||||||||||`);
    continue;
  }
  const split = join(OUT, `${name}.test-rows`);
  console.error(`[${name}] peers`);
  const peer = runPeer(ds, csv, PEERS, split);
  const [mk, pk] = METRIC[ds.task];
  const higher = ds.task !== "regression";
  const xgb = peer.rows.find((r) => r.model.startsWith("XGBoost"));
  const best = peer.rows.filter((r) => Number.isFinite(r.metrics[pk])).sort((a, b) => (higher ? b.metrics[pk] - a.metrics[pk] : a.metrics[pk] - b.metrics[pk]))[0];
  for (const spec of ours) {
    const colon = spec.indexOf(":");
    const model = colon < 0 ? spec : spec.slice(0, colon);
    const params = colon < 0 ? {} : JSON.parse(spec.slice(colon + 1));
    const job = { csv, target: ds.target, task: ds.task, positive: ds.positive, drop: ds.drop, cat: ds.cat, rows: split, model, params };
    const r = spawnSync(process.execPath, ["--expose-gc", new URL("./run-one.mjs", import.meta.url).pathname, JSON.stringify(job)], { encoding: "utf8", maxBuffer: 2 ** 24 });
    if (r.status !== 0) {
      console.error(r.stderr);
      lines.push(`| ${name} | ${spec} | failed ||||||||||`);
      continue;
    }
    const o = JSON.parse(r.stdout.trim().split("\n").pop());
    const a = o.metrics[mk];
    const d = (b) => (b === undefined ? "n/a" : (a - b >= 0 ? "+" : "") + (a - b).toFixed(4));
    const label = o.chosen ? `${spec} → ${o.chosen}` : spec;
    const row = `| ${name} | ${label.replace(/\|/g, "/")} | ${mk} | ${fmt(a)} | ${fmt(xgb?.metrics[pk])} | ${d(xgb?.metrics[pk])} | ${figure(a, xgb?.metrics[pk], higher)} | ${best?.model ?? "n/a"} | ${fmt(best?.metrics[pk])} | ${d(best?.metrics[pk])} | ${fmt(o.trainSeconds, 2)} | ${fmt(xgb?.train_s, 2)} |`;
    console.error(row);
    if (o.candidates) console.error(`  candidates (CV on train rows, seconds): ${o.candidates.join(", ")}`);
    lines.push(row);
  }
}
const table = lines.join("\n");
console.log(table);
if (append) {
  const load = spawnSync("uptime", { encoding: "utf8" }).stdout.trim();
  appendFileSync(
    new URL("../RESULTS.md", import.meta.url),
    [
      `\n## learn: categoricals and peers — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
      "",
      `Command: \`node bench/learn/compare.mjs ${args.map((a) => (a.includes("{") ? `'${a}'` : a)).join(" ")}\`  `,
      `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}, shared with other sessions; load: \`${load}\`  `,
      `Same test rows for every model (peer_baselines.py --split-out); best peer = the best of the peers run (${PEERS.join(", ")}) on that set in this run.`,
      "",
      table,
      "",
    ].join("\n"),
  );
}
