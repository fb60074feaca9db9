// Recommender benchmark: Millrace's recommenders vs the Python peer (../shared/bench/peer_recsys.py: Surprise-style
// CF in numpy/torch, implicit ALS, a PyTorch two-tower) on the same file, the same held-out rows, the same metrics.
// Each model runs ours then the peer's back to back (the machine is shared: pairs see similar load); ratios = ours/peer.
// Fit time is CPU seconds (all threads) of fit alone on both sides — ours process.cpuUsage, the peer's
// time.process_time through bench/recsys/peer_fit_cpu.py (the peer unchanged) — with wall seconds beside it.
// Usage: npm run bench:recsys [-- --data insteval|synthetic|both] [--models svd,als] [--md FILE] [--serve-only | --no-serve]
// The data stay in ../shared (InstEval is GPL: read in place, never copied here); the synthetic set is the peer's
// seeded --make-synthetic file, written to bench/out/.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const SHARED = new URL("../../shared/", import.meta.url).pathname;
const PEER = join(SHARED, "bench/peer_recsys.py");
const PEER_CPU = new URL("./recsys/peer_fit_cpu.py", import.meta.url).pathname;
const OUT = new URL("./out/", import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });
const models = opt("models", "baseline,svd,svdpp,nmf,item_knn,als,two_tower").split(",");
const PEER_MODELS = new Set(["baseline", "svd", "svdpp", "nmf", "als", "two_tower"]);
const which = opt("data", "both");
const md = opt("md", null);

const { trainRecommender } = await import("../dist/recommend/train.js");
const { benchRecommendServing } = await import("./recsys-serve.mjs");
const serveOnly = args.includes("--serve-only");
const noServe = args.includes("--no-serve");

function sets() {
  const out = [];
  if (which !== "synthetic") out.push({ name: "insteval", file: join(SHARED, "data/insteval_ratings.csv"), user: "s", item: "d", rating: "y" });
  if (which !== "insteval") {
    const file = join(OUT, "synthetic_ratings.csv");
    if (!existsSync(file)) {
      const r = spawnSync("/usr/bin/python3", [PEER, "--make-synthetic", file, "--seed", "42"], { stdio: "inherit" });
      if (r.status !== 0) process.exit(1);
    }
    out.push({ name: "synthetic (peer --make-synthetic, seed 42)", file, user: "user", item: "item", rating: "rating" });
  }
  return out;
}

/** Minimal CSV reader for these files (no quoted commas): ids as written, ratings as numbers; rows lacking one dropped. */
function readRatings(ds) {
  const lines = readFileSync(ds.file, "utf8").trim().split(/\r?\n/);
  const head = lines[0].split(",").map((s) => s.replace(/"/g, ""));
  const [cu, ci, cr] = [ds.user, ds.item, ds.rating].map((c) => head.indexOf(c));
  const users = [], items = [], r = [], rows = [];
  for (let x = 1; x < lines.length; x++) {
    const f = lines[x].split(",").map((s) => s.replace(/"/g, ""));
    if (!f[cu] || !f[ci] || f[cr] === "" || !Number.isFinite(+f[cr])) continue;
    users.push(f[cu]), items.push(f[ci]), r.push(+f[cr]), rows.push(x - 1);
  }
  return { users, items, ratings: Float64Array.from(r), rows, columns: { user: ds.user, item: ds.item, rating: ds.rating } };
}

/** The peer on one model; `cpu_s`: its fit's CPU seconds (all threads) as peer_fit_cpu.py reports them on stderr. */
function peer(ds, model, split, first) {
  const a = [PEER_CPU, ds.file, "--user", ds.user, "--item", ds.item, "--rating", ds.rating, "--models", model, "--json"];
  a.push(...(first ? ["--split-out", split] : ["--split-in", split]));
  const r = spawnSync("/usr/bin/python3", a, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`peer ${model} failed: ${r.stderr}`);
  const cpu = JSON.parse(r.stderr.trim().split("\n").at(-1)).fit_cpu_s;
  const out = JSON.parse(r.stdout);
  for (const m of out.models) m.cpu_s = cpu[m.name];
  return out;
}

const f = (v, d = 4) => (v === undefined || v === null ? "n/a" : v.toFixed(d));
const ratio = (a, b) => (a === undefined || b === undefined || b === null || !b ? "n/a" : `${(a / b).toFixed(2)}×`);
const lines = [];
const say = (l) => (console.log(l), lines.push(l));
const stamp = new Date().toISOString().slice(0, 16).replace("T", " ");
say(`## Recommenders vs the Python peer — ${stamp} UTC`);
say("");
say(`\`npm run bench:recsys\` (${models.join(", ")}); machine: ${cpus().length} × ${cpus()[0].model.trim()}, node ${process.version}, **shared**: load average ${loadavg().map((x) => x.toFixed(1)).join(" / ")} at the start; ours then the peer per model, same held-out rows (the peer's --split-out), fit CPU = CPU seconds of fit alone, all threads (ours process.cpuUsage, the peer's time.process_time), fit wall beside it. Peer: peer_recsys.py on Debian python3 (numpy/scipy/torch, 2 torch threads).`);
for (const ds of serveOnly ? [] : sets()) {
  const split = join(OUT, `${ds.name.split(" ")[0]}.test-rows`);
  const data = readRatings(ds);
  say("");
  say(`### ${ds.name}: ${data.users.length.toLocaleString("en")} ratings`);
  say("");
  say("| model | RMSE ours | RMSE peer | MAE ours | MAE peer | NDCG@10 ours | NDCG@10 peer | P@10 ours | P@10 peer | MAP@10 ours / peer | coverage ours / peer | fit CPU s ours | fit CPU s peer | CPU ratio | fit wall s ours / peer | wall ratio | load |");
  say("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  // The split: the peer's (its baseline run writes --split-out), so both sides hold out the same rows.
  peer(ds, "baseline", split, true);
  const wanted = readFileSync(split, "utf8").trim().split("\n").map(Number);
  const pos = new Map(data.rows.map((row, x) => [row, x]));
  const testRows = Uint32Array.from(wanted, (row) => pos.get(row)).sort();
  for (const m of models) {
    const load = loadavg()[0];
    const ours = trainRecommender({ table: data, model: m, testRows, seed: 42 });
    const p = PEER_MODELS.has(m) ? peer(ds, m, split, false) : null;
    const pm = p?.models[0];
    const o = ours.metrics;
    say(`| ${m} | ${f(o.rmse)} | ${f(pm?.rmse)} | ${f(o.mae)} | ${f(pm?.mae)} | ${f(o.ndcg_at_10)} | ${f(pm?.ndcg_at_k)} | ${f(o.precision_at_10)} | ${f(pm?.precision_at_k)} | ${f(o.map_at_10)} / ${f(pm?.map_at_k)} | ${f(o.coverage_at_10, 3)} / ${f(pm?.coverage_at_k, 3)} | ${ours.trainCpuSeconds.toFixed(2)} | ${f(pm?.cpu_s, 2)} | ${ratio(ours.trainCpuSeconds, pm?.cpu_s)} | ${ours.trainSeconds.toFixed(2)} / ${f(pm?.fit_s, 2)} | ${ratio(ours.trainSeconds, pm?.fit_s)} | ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)} |`);
  }
}
if (!noServe) await benchRecommendServing(say);
say("");
if (md) appendFileSync(md, lines.join("\n") + "\n");
