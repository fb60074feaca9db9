// Random-forest fit CPU alone (no evaluation, no SHAP importance) on benchmark data sets, for A/B work on
// src/learn/forest: the learner's fit on the bench split's train rows, CPU of every thread (process.cpuUsage), best of
// --repeat fits, the wall of the process's first fit (worker threads start in it) and of the best later one, and the
// test RMSE / AUC so speed changes can be checked for quality in the same run.
// Usage: node bench/learn/forest-speed.mjs cps1988,wa_churn [--repeat 3] [--params '{"n_threads":1}'] [--root DIR]
//        (after the build; --root: another checkout's dist/, for alternated A/B runs; the test rows come from
//        bench/out/<name>.test-rows, written by npm run bench:learn -- --only <name> --ours rf; a data set's `cat`
//        columns are categorical, as bench:learn gives them)
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DATASETS } from "./datasets.mjs";
import { matrix } from "./forest-data.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const repeat = Number(opt("repeat", "3"));
const params = JSON.parse(opt("params", "{}"));
const root = resolve(opt("root", new URL("../..", import.meta.url).pathname));
const { RandomForest } = await import(join(root, "dist/learn/forest/random-forest.js"));
const { rocAuc } = await import(join(root, "dist/learn/metrics.js"));
/** CPU ns of each thread of this process by thread id (Linux /proc; empty elsewhere), with its name. */
function threadCpu() {
  const m = new Map();
  try {
    for (const t of readdirSync("/proc/self/task")) {
      const ns = Number(readFileSync(`/proc/self/task/${t}/schedstat`, "utf8").split(" ")[0]);
      m.set(t, { ns, comm: readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim() });
    }
  } catch {}
  return m;
}

/** "name s" per thread that used >= 5 ms between two threadCpu() snapshots (threads started in between count from 0). */
function threadDelta(a, b) {
  const out = [];
  for (const [t, { ns, comm }] of b) {
    const d = (ns - (a.get(t)?.ns ?? 0)) / 1e9;
    if (d >= 0.005) out.push(`${t === String(process.pid) ? "main" : `${comm}:${t}`} ${d.toFixed(3)}`);
  }
  return out.join(", ");
}

for (const name of args[0].split(",")) {
  const ds = DATASETS.find((d) => d.name === name);
  if (ds.task === "multiclass") throw new Error("forest-speed: binary and regression sets only");
  const { train, test } = matrix(ds);
  const nClasses = ds.task === "regression" ? 0 : 2;
  const cpus = [];
  const walls = [];
  let quality = "";
  let firstThreads = "";
  for (let k = 0; k < repeat; k++) {
    globalThis.gc?.();
    const s0 = threadCpu();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const fitted = await new RandomForest(params).fit({ X: train.X, y: train.y, nClasses, seed: 42 });
    walls.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1e6);
    firstThreads += `\n  fit ${k + 1} CPU by thread (s): ${threadDelta(s0, threadCpu())}`;
    const p = fitted.predict(test.X);
    if (nClasses === 0) {
      let s = 0;
      for (let i = 0; i < p.length; i++) s += (p[i] - test.y[i]) ** 2;
      quality = `rmse ${Math.sqrt(s / p.length).toFixed(4)}`;
    } else quality = `auc ${rocAuc(test.y, p.filter((_, j) => j % 2 === 1)).toFixed(4)}`;
  }
  const load = spawnSync("uptime", { encoding: "utf8" }).stdout.trim().replace(/.*load average: /, "");
  const later = walls.length > 1 ? `, later best ${Math.min(...walls.slice(1)).toFixed(3)} s` : "";
  console.log(`${name} rf fit CPU best ${Math.min(...cpus).toFixed(3)} s (${cpus.map((x) => x.toFixed(2)).join(" ")}); wall first ${walls[0].toFixed(3)} s${later}; ${quality} load ${load}`);
  if (firstThreads) console.log(firstThreads.slice(1));
}
