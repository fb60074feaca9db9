// The GBDT's first fit in a fresh process against XGBoost's (hist, 2 threads, peer_baselines' settings), alternated
// (ours, XGBoost, ours, ...) so both see the same load: ours by bench/learn/fit-one.mjs (train wall = the fit call,
// all-thread fit CPU, main-thread CPU), XGBoost by bench/learn/peer-cpu.py --repeat 1 (its first fit in the process:
// wall and process CPU, OMP_WAIT_POLICY=PASSIVE). Needs bench/out/<set>.test-rows (compare.mjs or bench:learn writes them).
// Usage: node bench/learn/first-fit-vs-xgb.mjs [--root BUILD] [--sets breast_cancer,credit_data] [--pairs 5]
import { spawnSync } from "node:child_process";
import { DATASETS, locate } from "./datasets.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const root = opt("root", null);
const sets = opt("sets", "breast_cancer,credit_data,wa_churn,cps1988,diamonds,shuttle").split(",");
const pairs = Number(opt("pairs", "5"));
const OUT = new URL("../out/", import.meta.url).pathname;
const median = (v) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
const load = () => spawnSync("uptime", { encoding: "utf8" }).stdout.trim().replace(/.*load average: /, "");

function ours(set) {
  const extra = root ? ["--root", root] : [];
  const r = spawnSync(process.execPath, ["--expose-gc", new URL("./fit-one.mjs", import.meta.url).pathname, set, "--predict", "1", ...extra], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  const m = r.stdout.match(/train ([\d.]+) s \(fit cpu ([\d.]+) s; main thread ([\d.]+) s/);
  return { wall: Number(m[1]), cpu: Number(m[2]), main: Number(m[3]) };
}

function xgb(ds) {
  const a = [new URL("./peer-cpu.py", import.meta.url).pathname, locate(ds), ds.target, ds.task, "--rows", `${OUT}${ds.name}.test-rows`, "--models", "xgb2", "--repeat", "1"];
  if (ds.positive !== undefined) a.push("--positive", ds.positive);
  if (ds.drop?.length) a.push("--drop", ds.drop.join(","));
  if (ds.cat?.length) a.push("--cat", ds.cat.join(","));
  const r = spawnSync("/usr/bin/python3", a, { encoding: "utf8", env: { ...process.env, OMP_WAIT_POLICY: "PASSIVE" } });
  if (r.status !== 0) throw new Error(r.stderr.slice(-2000));
  const o = JSON.parse(r.stdout.trim().split("\n").pop());
  return { wall: o.walls[0], cpu: o.cpus[0] };
}

console.log("| data set | first-fit wall s ours / XGBoost (median) | ratio | min wall ours / XGBoost | ratio of mins | fit CPU s ours (all threads) / XGBoost | CPU ratio | ours main-thread CPU s | ≤ 1.0× (median wall) | load at start / end |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const set of sets) {
  const ds = DATASETS.find((d) => d.name === set);
  const before = load();
  const o = [];
  const x = [];
  for (let k = 0; k < pairs; k++) {
    o.push(ours(set));
    x.push(xgb(ds));
  }
  const [ow, xw] = [median(o.map((r) => r.wall)), median(x.map((r) => r.wall))];
  const [om, xm] = [Math.min(...o.map((r) => r.wall)), Math.min(...x.map((r) => r.wall))];
  const [oc, xc] = [median(o.map((r) => r.cpu)), median(x.map((r) => r.cpu))];
  const f = (v) => v.toFixed(3);
  console.log(`| ${set} | ${f(ow)} / ${f(xw)} | ${(ow / xw).toFixed(2)}× | ${f(om)} / ${f(xm)} | ${(om / xm).toFixed(2)}× | ${f(oc)} / ${f(xc)} | ${(oc / xc).toFixed(2)}× | ${f(median(o.map((r) => r.main)))} | ${ow <= xw ? "yes" : "no"} | ${before} / ${load()} |`);
}
