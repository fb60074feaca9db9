// Recommender benchmark: Millrace's recommenders vs the Python peer (../shared/bench/peer_recsys.py: Surprise-style
// CF in numpy/torch, implicit ALS, a PyTorch two-tower) on the same file, the same held-out rows, the same metrics.
// Each model runs ours then the peer's back to back (the machine is shared: pairs see similar load); ratios = ours/peer.
// Fit time is CPU seconds (all threads) of fit alone on both sides — ours process.cpuUsage, the peer's
// time.process_time through bench/recsys/peer_fit_cpu.py (the peer unchanged) — with wall seconds beside it.
// Usage: npm run bench:recsys [-- --data insteval|synthetic|both] [--models svd,als] [--md FILE] [--serve-only | --no-serve]
// The data stay in ../shared (InstEval is GPL: read in place, never copied here); the synthetic set is the peer's
// seeded --make-synthetic file, written to bench/out/. Seed spread (mean ± sd over seeds, ours vs the peer):
// node bench/recsys/seeds.mjs (bench/recsys/seeds.mjs says how).
import { appendFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { INSTEVAL, OUT, PEER_MODELS, peer, readRatings, synthetic, testRowsOf } from "./recsys/common.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const models = opt("models", "baseline,svd,svdpp,nmf,item_knn,als,two_tower").split(",");
const which = opt("data", "both");
const md = opt("md", null);

const { trainRecommender } = await import("../dist/recommend/train.js");
const { benchRecommendServing } = await import("./recsys-serve.mjs");
const serveOnly = args.includes("--serve-only");
const noServe = args.includes("--no-serve");

function sets() {
  const out = [];
  if (which !== "synthetic") out.push(INSTEVAL);
  if (which !== "insteval") out.push(synthetic(42));
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
  const testRows = testRowsOf(data, split);
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
