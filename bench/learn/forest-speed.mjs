// Random-forest fit CPU alone (no evaluation, no SHAP importance) on benchmark data sets, for A/B work on
// src/learn/forest: the learner's fit on the bench split's train rows, CPU of every thread (process.cpuUsage), best of
// --repeat fits, the wall of the process's first fit (worker threads start in it) and of the best later one, and the
// test RMSE / AUC so speed changes can be checked for quality in the same run.
// Usage: node bench/learn/forest-speed.mjs cps1988,wa_churn [--repeat 3] [--params '{"n_threads":1}']   (after the build;
//        the test rows come from bench/out/<name>.test-rows, written by npm run bench:learn -- --only <name> --ours rf)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readCsvFrame } from "./csv.mjs";
import { DATASETS, locate } from "./datasets.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const repeat = Number(opt("repeat", "3"));
const params = JSON.parse(opt("params", "{}"));
const { RandomForest } = await import("../../dist/learn/forest/random-forest.js");
const { rocAuc } = await import("../../dist/learn/metrics.js");
const OUT = new URL("../out/", import.meta.url).pathname;

/** The frame as the learner sees it: numeric columns as they are, text columns as category codes; y per task. */
function matrix(ds) {
  const frame = readCsvFrame(locate(ds), ds.drop ?? []);
  const n = frame.columns[0].values.length;
  const columns = [];
  let y;
  for (const c of frame.columns) {
    if (c.name === ds.target) {
      y = ds.task === "regression" ? Float64Array.from(c.values) : Float64Array.from(c.values, (v) => (String(v) === ds.positive ? 1 : 0));
      continue;
    }
    if (c.values instanceof Float64Array) columns.push({ name: c.name, kind: "numeric", values: c.values });
    else {
      const levels = new Map();
      const codes = Int32Array.from(c.values, (v) => (v === null || v === undefined ? -1 : levels.get(v) ?? (levels.set(v, levels.size), levels.size - 1)));
      columns.push({ name: c.name, kind: "categorical", codes, levels: levels.size });
    }
  }
  const rowsFile = join(OUT, `${ds.name}.test-rows`);
  const isTest = new Uint8Array(n);
  if (existsSync(rowsFile)) for (const r of readFileSync(rowsFile, "utf8").trim().split("\n")) isTest[Number(r)] = 1;
  else for (let i = 0; i < n; i += 5) isTest[i] = 1;
  const take = (keep) => {
    const rows = Uint32Array.from({ length: n }, (_, i) => i).filter((i) => isTest[i] === keep);
    const X = { nRows: rows.length, columns: columns.map((c) => (c.kind === "numeric" ? { ...c, values: Float64Array.from(rows, (r) => c.values[r]) } : { ...c, codes: Int32Array.from(rows, (r) => c.codes[r]) })) };
    return { X, y: Float64Array.from(rows, (r) => y[r]) };
  };
  return { train: take(0), test: take(1) };
}

for (const name of args[0].split(",")) {
  const ds = DATASETS.find((d) => d.name === name);
  if (ds.task === "multiclass") throw new Error("forest-speed: binary and regression sets only");
  const { train, test } = matrix(ds);
  const nClasses = ds.task === "regression" ? 0 : 2;
  const cpus = [];
  const walls = [];
  let quality = "";
  for (let k = 0; k < repeat; k++) {
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const fitted = await new RandomForest(params).fit({ X: train.X, y: train.y, nClasses, seed: 42 });
    walls.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1e6);
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
}
