// Seed spread of ours vs the peer: the same comparison as bench/recsys.mjs repeated over seeds, mean ± sd per side.
// Usage: node bench/recsys/seeds.mjs [--data synthetic|insteval] [--models nmf,svd] [--seeds 1,2,3,4,5]
//        [--vary split|init|data] [--md FILE]
// --vary split (default): one data file (synthetic: the peer's seed-42 set); per seed s the peer splits with s
//   (sklearn random_state=s, its --split-out) and seeds its fits with s; ours fits on the same rows with seed s.
// --vary init: the held-out rows fixed (the peer's split with seed 42); only the fits' seed is s on both sides.
// --vary data (synthetic only): per seed s a new --make-synthetic file with seed s, split and fits with seed 42.
// One peer process per seed runs every model (its fit CPU is beside ours); ours runs after it on its held-out rows.
import { appendFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { INSTEVAL, OUT, peer, PEER_MODELS, readRatings, synthetic, testRowsOf } from "./common.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const models = opt("models", "nmf,svd").split(",");
const seeds = opt("seeds", "1,2,3,4,5").split(",").map(Number);
const which = opt("data", "synthetic");
const vary = opt("vary", "split");
if (!["split", "init", "data"].includes(vary)) throw new Error(`--vary: split, init or data, got ${vary}`);
if (vary === "data" && which !== "synthetic") throw new Error("--vary data: only with --data synthetic");
if (!seeds.length || seeds.some((s) => !Number.isInteger(s))) throw new Error(`--seeds: integers, got ${opt("seeds")}`);
const bad = models.filter((m) => !PEER_MODELS.has(m));
if (bad.length) throw new Error(`--models: ${bad.join(", ")} has no peer (peer models: ${[...PEER_MODELS].join(", ")})`);
const md = opt("md", null);
const { trainRecommender } = await import("../../dist/recommend/train.js");

const METRICS = [["rmse", "rmse"], ["ndcg_at_10", "ndcg_at_k"]];
const runs = Object.fromEntries(models.map((m) => [m, { ours: { rmse: [], ndcg_at_10: [] }, peer: { rmse: [], ndcg_at_10: [] }, cpu: [[], []] }]));
const lines = [];
const say = (l) => (console.log(l), lines.push(l));
const load0 = loadavg()[0];
const fixedSplit = join(OUT, `seeds-${which}-fixed.test-rows`);
if (vary === "init") peer(which === "insteval" ? INSTEVAL : synthetic(42), "baseline", fixedSplit, true, 42);
for (const s of seeds) {
  const ds = which === "insteval" ? INSTEVAL : synthetic(vary === "data" ? s : 42);
  const seed = vary === "data" ? 42 : s;
  const split = vary === "init" ? fixedSplit : join(OUT, `seeds-${ds.name.split(" ")[0]}-${s}.test-rows`);
  const p = peer(ds, models.join(","), split, vary !== "init", seed);
  const data = readRatings(ds);
  const testRows = testRowsOf(data, split);
  for (const m of models) {
    const o = trainRecommender({ table: data, model: m, testRows, seed });
    const pm = p.models.find((x) => x.name === m);
    const r = runs[m];
    for (const [ours, theirs] of METRICS) r.ours[ours].push(o.metrics[ours] ?? NaN), r.peer[ours].push(pm[theirs] ?? NaN);
    r.cpu[0].push(o.trainCpuSeconds), r.cpu[1].push(pm.cpu_s);
    console.error(`seed ${s} ${m}: rmse ${o.metrics.rmse?.toFixed(4)} / ${pm.rmse?.toFixed(4)}, ndcg@10 ${o.metrics.ndcg_at_10?.toFixed(4)} / ${pm.ndcg_at_k?.toFixed(4)} (load ${loadavg()[0].toFixed(1)})`);
  }
}
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const sd = (a) => (a.length < 2 ? 0 : Math.sqrt(a.reduce((x, y) => x + (y - mean(a)) ** 2, 0) / (a.length - 1)));
const ms = (a) => `${mean(a).toFixed(4)} ± ${sd(a).toFixed(4)}`;
const diff = (a, b) => a.map((v, j) => v - b[j]);
say(`\`node bench/recsys/seeds.mjs --data ${which} --vary ${vary} --models ${models.join(",")} --seeds ${seeds.join(",")}\` — ` +
  `${which === "insteval" ? "InstEval" : vary === "data" ? "synthetic sets with seeds" : "the seed-42 synthetic set"}${vary === "split" ? ", splits and fits with seeds" : vary === "init" ? ", the seed-42 split, fits with seeds" : ""} ` +
  `${seeds.join(", ")}; mean ± sd over ${seeds.length} runs; paired difference = ours − peer per seed; load ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}.`);
say("");
say("| model | RMSE ours | RMSE peer | RMSE ours − peer | NDCG@10 ours | NDCG@10 peer | NDCG@10 ours − peer | fit CPU s ours / peer |");
say("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const m of models) {
  const r = runs[m];
  say(`| ${m} | ${ms(r.ours.rmse)} | ${ms(r.peer.rmse)} | ${ms(diff(r.ours.rmse, r.peer.rmse))} | ${ms(r.ours.ndcg_at_10)} | ${ms(r.peer.ndcg_at_10)} | ${ms(diff(r.ours.ndcg_at_10, r.peer.ndcg_at_10))} | ${mean(r.cpu[0]).toFixed(2)} / ${mean(r.cpu[1]).toFixed(2)} |`);
}
for (const m of models) {
  const r = runs[m];
  say(`${m} per seed (ours / peer): RMSE ${r.ours.rmse.map((v, j) => `${v.toFixed(4)}/${r.peer.rmse[j].toFixed(4)}`).join(", ")}; NDCG@10 ${r.ours.ndcg_at_10.map((v, j) => `${v.toFixed(4)}/${r.peer.ndcg_at_10[j].toFixed(4)}`).join(", ")}`);
}
if (md) appendFileSync(md, lines.join("\n") + "\n");
