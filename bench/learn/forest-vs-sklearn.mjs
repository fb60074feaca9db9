// Random forest vs scikit-learn's RandomForestRegressor/Classifier on benchmark sets, fresh processes alternated
// (ours, sklearn, ours, ...): each side's first fit in its process (wall and CPU of every thread) and, with
// --repeat > 1, the best later fit. Same split (bench/out/<set>.test-rows), 100 trees, 2 threads, sklearn with
// max_features=1.0 for regression (peer-cpu.py), ours with its defaults (all features for regression, full depth).
// Usage: node bench/learn/forest-vs-sklearn.mjs cps1988,diamonds,insteval [--pairs 3] [--repeat 3] [--root DIR]
//        (--root: another checkout's dist/ for our side; the load is printed with every run)
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { DATASETS, locate } from "./datasets.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const pairs = Number(opt("pairs", "3"));
const repeat = opt("repeat", "3");
const root = opt("root", null);
const here = new URL(".", import.meta.url).pathname;
const OUT = new URL("../out/", import.meta.url).pathname;
const load = () => loadavg()[0].toFixed(1);

function ours(ds) {
  const r = spawnSync("node", ["--expose-gc", `${here}forest-speed.mjs`, ds.name, "--repeat", repeat, ...(root ? ["--root", root] : [])], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  const line = r.stdout.split("\n")[0];
  const cpus = /\(([\d. ]+)\)/.exec(line)[1].trim().split(" ").map(Number);
  const first = Number(/wall first ([\d.]+)/.exec(line)[1]);
  const later = /later best ([\d.]+)/.exec(line);
  return { firstWall: first, firstCpu: cpus[0], bestWall: later ? Math.min(first, Number(later[1])) : first, bestCpu: Math.min(...cpus), quality: /(rmse|auc) [\d.]+/.exec(line)[0] };
}

function sklearn(ds) {
  const a = [`${here}peer-cpu.py`, locate(ds), ds.target, ds.task, "--rows", `${OUT}${ds.name}.test-rows`, "--models", "rf", "--repeat", repeat];
  if (ds.positive !== undefined) a.push("--positive", ds.positive);
  if (ds.cat?.length) a.push("--cat", ds.cat.join(","));
  const r = spawnSync("/usr/bin/python3", a, { encoding: "utf8", env: { ...process.env, OMP_WAIT_POLICY: "PASSIVE" } });
  if (r.status !== 0) throw new Error(r.stderr);
  const o = JSON.parse(r.stdout.trim().split("\n")[0]);
  return { firstWall: o.walls[0], firstCpu: o.cpus[0], bestWall: Math.min(...o.walls), bestCpu: Math.min(...o.cpus) };
}

const f = (x) => x.toFixed(2);
console.log("| set | pair | load | ours first wall / CPU s | sklearn first wall / CPU s | first wall ratio | ours best wall / CPU s | sklearn best wall / CPU s | best wall ratio | ours quality |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const name of args[0].split(",")) {
  const ds = DATASETS.find((d) => d.name === name);
  for (let p = 0; p < pairs; p++) {
    const l0 = load();
    const a = ours(ds);
    const b = sklearn(ds);
    console.log(`| ${name} | ${p + 1} | ${l0}-${load()} | ${f(a.firstWall)} / ${f(a.firstCpu)} | ${f(b.firstWall)} / ${f(b.firstCpu)} | ${f(a.firstWall / b.firstWall)}× | ${f(a.bestWall)} / ${f(a.bestCpu)} | ${f(b.bestWall)} / ${f(b.bestCpu)} | ${f(a.bestWall / b.bestWall)}× | ${a.quality} |`);
  }
}
