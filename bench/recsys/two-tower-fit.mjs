// two_tower fit on InstEval, ours vs the PyTorch peer (peer_recsys.py --models two_tower, 2 torch threads), same
// held-out rows (the peer's --split-out), back to back; wall time of fit, and CPU time: ours = process.cpuUsage over
// the train call (fit + evaluation; the fit is >95% of it), the peer's = time.process_time over fit() alone (all its
// threads; bench/recsys/peer_fit_cpu.py runs the peer unchanged with that timer around fit).
// Usage: node bench/recsys/two-tower-fit.mjs [--rounds N] [--ours-only] [--params JSON]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const SHARED = new URL("../../../shared/", import.meta.url).pathname;
const PEER = join(SHARED, "bench/peer_recsys.py");
const FILE = join(SHARED, "data/insteval_ratings.csv");
const OUT = new URL("../out/", import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });
const split = join(OUT, "insteval.test-rows");
const rounds = Number(opt("rounds", "1"));
const params = JSON.parse(opt("params", "{}"));
const { trainRecommender } = await import("../../dist/recommend/train.js");

const lines = readFileSync(FILE, "utf8").trim().split(/\r?\n/);
const head = lines[0].split(",").map((s) => s.replace(/"/g, ""));
const [cu, ci, cr] = ["s", "d", "y"].map((c) => head.indexOf(c));
const users = [], items = [], r = [];
for (let x = 1; x < lines.length; x++) {
  const f = lines[x].split(",").map((s) => s.replace(/"/g, ""));
  users.push(f[cu]), items.push(f[ci]), r.push(+f[cr]);
}
const table = { users, items, ratings: Float64Array.from(r), columns: { user: "s", item: "d", rating: "y" } };

function peer(first) {
  const a = [new URL("./peer_fit_cpu.py", import.meta.url).pathname, FILE, "--user", "s", "--item", "d", "--rating", "y", "--models", "two_tower", "--json"];
  a.push(...(first ? ["--split-out", split] : ["--split-in", split]));
  const p = spawnSync("/usr/bin/python3", a, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (p.status !== 0) throw new Error(`peer failed: ${p.stderr}`);
  return { ...JSON.parse(p.stdout).models[0], cpu_s: JSON.parse(p.stderr.trim().split("\n").at(-1)).fit_cpu_s.two_tower };
}

if (!existsSync(split)) peer(true);
const testRows = Uint32Array.from(readFileSync(split, "utf8").trim().split("\n").map(Number)).sort();
console.log("| round | RMSE ours | RMSE peer | epochs ours (best) | fit s ours | fit s peer | wall ratio | fit CPU s ours | fit CPU s peer (2 threads) | CPU ratio | load |");
console.log("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
for (let k = 0; k < rounds; k++) {
  const load = loadavg()[0];
  const c0 = process.cpuUsage();
  const ours = trainRecommender({ table, model: "two_tower", params, testRows, seed: 42 });
  const cpu = process.cpuUsage(c0);
  const s = ours.model.fitted.s;
  const cpuFit = (cpu.user + cpu.system) / 1e6; // the whole train call (fit + evaluation; the fit is >95% of it)
  const p = args.includes("--ours-only") ? null : peer(false);
  const f = (v, d = 2) => (v === undefined || v === null ? "n/a" : v.toFixed(d));
  console.log(`| ${k + 1} | ${f(ours.metrics.rmse, 4)} | ${f(p?.rmse, 4)} | ${s.epochs} (${s.bestEpoch}) | ${f(ours.trainSeconds)} | ${f(p?.fit_s)} | ${p ? f(ours.trainSeconds / p.fit_s) + "×" : "n/a"} | ${f(cpuFit)} | ${f(p?.cpu_s)} | ${p ? f(cpuFit / p.cpu_s) + "×" : "n/a"} | ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)} |`);
}
