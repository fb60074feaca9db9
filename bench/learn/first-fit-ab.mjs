// A/B of the GBDT's first fit in a fresh process: another build's dist/ (--old ROOT) against this checkout's,
// alternated (old, new, old, new, ...) so both see the same load; one fresh process per fit (bench/learn/fit-one.mjs).
// Prints per set the median and min of the train wall seconds, the fit's main-thread CPU and all-thread CPU.
// Usage: node bench/learn/first-fit-ab.mjs --old /tmp/old-worktree [--new /tmp/new-worktree] [--sets breast_cancer,wa_churn] [--pairs 6] [--params '{}']
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const old = opt("old");
if (!old) {
  console.error("--old ROOT (a checkout or copy whose dist/ is the baseline) is required");
  process.exit(2);
}
const fresh = opt("new", null);
const sets = opt("sets", "breast_cancer,credit_data,wa_churn,cps1988,diamonds,shuttle").split(",");
const pairs = Number(opt("pairs", "6"));
const params = opt("params", "{}");
const fitOne = new URL("./fit-one.mjs", import.meta.url).pathname;
const median = (v) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
const load = () => spawnSync("uptime", { encoding: "utf8" }).stdout.trim().replace(/.*load average: /, "");

function once(root, set) {
  const extra = root ? ["--root", root] : [];
  const r = spawnSync(process.execPath, ["--expose-gc", fitOne, set, "--predict", "1", "--params", params, ...extra], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  const m = r.stdout.match(/train ([\d.]+) s \(fit cpu ([\d.]+) s; main thread ([\d.]+) s.*?(auc|rmse) ([\d.]+)/);
  return { wall: Number(m[1]), cpu: Number(m[2]), main: Number(m[3]), metric: `${m[4]} ${m[5]}` };
}

console.log("| data set | first-fit wall s, median old → new | min old → new | main-thread CPU s, median old → new | all-thread fit CPU s, median old → new | metric old / new | load at start / end |");
console.log("|---|---|---|---|---|---|---|");
for (const set of sets) {
  const before = load();
  const a = [];
  const b = [];
  for (let k = 0; k < pairs; k++) {
    a.push(once(old, set));
    b.push(once(fresh, set));
  }
  const col = (key, f = median) => `${f(a.map((x) => x[key])).toFixed(3)} → ${f(b.map((x) => x[key])).toFixed(3)} (${(f(b.map((x) => x[key])) / f(a.map((x) => x[key]))).toFixed(2)}×)`;
  const min = (v) => Math.min(...v);
  console.log(`| ${set} | ${col("wall")} | ${col("wall", min)} | ${col("main")} | ${col("cpu")} | ${a[0].metric} / ${b[0].metric} | ${before} / ${load()} |`);
}
