// Linear learners on wide one-hot designs (issue 11), ours vs scikit-learn on the same rows in one run: CPU seconds of
// the fit alone (the first in a fresh process, and the best of --repeat), the ratio, and the test metric of each.
//   diamonds_sku: 15,000 seeded diamonds rows with a unique `sku` text column (one-hot: ~12k columns) and a
//                 cut|color|clarity `grade`; ridge on price, logistic regression on price > median.
//   insteval_20k: 20,000 seeded InstEval ratings, every column categorical (s, d, studage, lectage, service, dept:
//                 ~4k columns); ridge on y, multinomial logistic regression on y as 5 classes.
// sklearn: peer_baselines.py's encoding (sparse one-hot, scaled numerics), Ridge(alpha=1), LogisticRegression(max_iter=
// 1000); ours: `trainCandidate` with ridge / logistic_regression, the learner's fit timed (process.cpuUsage: every
// thread). Usage: node bench/learn/linear-wide.mjs [--repeat 3] [--root DIR] (--root: another checkout's dist/).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const repeat = Number(opt("repeat", "3"));
const root = opt("root", new URL("../..", import.meta.url).pathname);
const OUT = new URL("../out/", import.meta.url).pathname;
const SHARED = new URL("../../../shared/", import.meta.url).pathname;
const here = new URL(".", import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

/** A seeded permutation of 0..n-1 (xorshift32). */
function permutation(n, seed) {
  let s = seed >>> 0 || 1;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

function readRows(file) {
  const lines = readFileSync(file, "utf8").trim().split("\n");
  const header = lines[0].split(",").map((h) => h.replaceAll('"', ""));
  return { header, rows: lines.slice(1).map((l) => l.split(",").map((v) => v.replaceAll('"', ""))) };
}

/** Writes a set's CSVs and its test rows (every fifth row of a seeded order) to bench/out; returns the paths. */
function build() {
  const d = readRows(join(SHARED, "data/diamonds.csv"));
  const at = (name) => d.header.indexOf(name);
  const pick = permutation(d.rows.length, 7).slice(0, 15_000);
  const prices = Array.from(pick, (i) => Number(d.rows[i][at("price")])).sort((a, b) => a - b);
  const median = prices[prices.length >> 1];
  const dia = ["sku,carat,depth,table,grade,price,expensive"];
  pick.forEach((i, k) => {
    const r = d.rows[i];
    dia.push(`D${String(k).padStart(6, "0")},${r[at("carat")]},${r[at("depth")]},${r[at("table")]},${r[at("cut")]}|${r[at("color")]}|${r[at("clarity")]},${r[at("price")]},${Number(r[at("price")]) > median ? "yes" : "no"}`);
  });
  const ie = readRows(join(SHARED, "data/insteval_ratings.csv"));
  const ins = [`${ie.header.join(",")},grade`];
  for (const i of permutation(ie.rows.length, 3).slice(0, 20_000)) ins.push(`${ie.rows[i].join(",")},r${ie.rows[i][ie.header.indexOf("y")]}`);
  const sets = [
    { name: "diamonds_sku", csv: join(OUT, "diamonds_sku.csv"), lines: dia, cat: [], drop: { price: ["expensive"], expensive: ["price"] } },
    { name: "insteval_20k", csv: join(OUT, "insteval_20k.csv"), lines: ins, cat: ["s", "d", "studage", "lectage", "service", "dept"], drop: { y: ["grade"], grade: ["y"] } },
  ];
  for (const s of sets) {
    writeFileSync(s.csv, s.lines.join("\n") + "\n");
    const n = s.lines.length - 1;
    s.rows = join(OUT, `${s.name}.test-rows`);
    writeFileSync(s.rows, Array.from(permutation(n, 11).filter((_, k) => k % 5 === 0)).sort((a, b) => a - b).join("\n") + "\n");
  }
  return sets;
}

// Our side, run in a child process (the first fit is a fresh process's, as a CLI user gets it).
const OURS = `
const [root, csv, rowsFile, target, task, model, cats, drop, positive, repeat] = process.argv.slice(1);
const { readFileSync } = await import("node:fs");
const { readCsvFrame } = await import(${JSON.stringify(join(here, "csv.mjs"))});
const learner = await import(root + "/dist/learn/linear/" + (model === "ridge" ? "ridge.js" : "logistic.js"));
const Cls = model === "ridge" ? learner.Ridge : learner.LogisticRegression;
const fit = Cls.prototype.fit;
const cpus = [];
let seen;
Cls.prototype.fit = function (data) {
  seen = { est: this, data };
  const c0 = process.cpuUsage();
  const r = fit.call(this, data);
  const c = process.cpuUsage(c0);
  cpus.push((c.user + c.system) / 1e6);
  return r;
};
const { trainCandidate } = await import(root + "/dist/learn/train.js");
const frame = readCsvFrame(csv, drop ? drop.split(",") : []);
const catSet = new Set(cats.split(",").filter(Boolean));
for (const c of frame.columns) if (catSet.has(c.name)) (c.kind = "categorical"), (c.values = Array.from(c.values, String));
const testRows = Uint32Array.from(readFileSync(rowsFile, "utf8").trim().split("\\n").map(Number));
const features = frame.columns.map((c) => c.name).filter((n) => n !== target);
const r = await trainCandidate({ frame, target, features, task, positive: positive || undefined, testRows, cvFolds: 0, seed: 1, candidate: { name: model, model, params: {} } });
for (let i = 1; i < Number(repeat); i++) seen.est.clone().fit(seen.data);
const s = seen.est.clone().fit(seen.data).s;
cpus.pop();
const m = r.testMetrics;
console.log(JSON.stringify({ cpus, width: s.width, iterations: s.iterations, converged: s.converged, metric: task === "regression" ? "rmse " + m.rmse.toFixed(4) : task === "binary" ? "auc " + m.roc_auc.toFixed(4) : "logloss " + m.log_loss.toFixed(4) }));
`;

const SKLEARN = `
import json, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
import peer_baselines as pb
from sklearn.linear_model import LogisticRegression, Ridge
csv, target, task, rows, cats, drop, pos, repeat = sys.argv[2:10]
df = pb.pd.read_csv(csv, low_memory=False)
X, y, cat_cols, num_cols, classes = pb.prepare(df, target, task, [c for c in drop.split(",") if c], [c for c in cats.split(",") if c], pos or None)
test = np.zeros(len(X), dtype=bool)
test[np.loadtxt(rows, dtype=np.int64)] = True
ltr, lte, _ = pb.encode_all(X[~test], X[test], cat_cols, num_cols)["lr"]
cpus = []
for _ in range(int(repeat)):
    m = Ridge(alpha=1.0) if task == "regression" else LogisticRegression(max_iter=1000)
    c0 = time.process_time()
    m.fit(ltr, y[~test])
    cpus.append(time.process_time() - c0)
p = m.predict(lte) if task == "regression" else m.predict_proba(lte)
q = pb.metrics(task, y[test], p[:, 1] if task == "binary" else p, len(classes or []))
it = getattr(m, "n_iter_", None)
metric = "rmse %.4f" % q["rmse"] if task == "regression" else "auc %.4f" % q["auc"] if task == "binary" else "logloss %.4f" % q["logloss"]
print(json.dumps({"cpus": cpus, "width": ltr.shape[1], "iterations": int(np.max(it)) if it is not None else None, "metric": metric}))
`;

function run(cmd, argv, env) {
  const r = spawnSync(cmd, argv, { encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

const sets = build();
const cases = [
  { set: sets[0], target: "price", task: "regression", model: "ridge" },
  { set: sets[0], target: "expensive", task: "binary", model: "logistic_regression", positive: "yes" },
  { set: sets[1], target: "y", task: "regression", model: "ridge" },
  { set: sets[1], target: "grade", task: "multiclass", model: "logistic_regression" },
];
const f = (x) => x.toFixed(3);
console.log(`repeat ${repeat}, load ${loadavg()[0].toFixed(1)} at start`);
console.log("| set | model | columns | ours first / best CPU s (steps) | sklearn first / best CPU s (steps) | best CPU ratio | ours | sklearn |");
console.log("|---|---|---|---|---|---|---|---|");
for (const c of cases) {
  const drop = c.set.drop[c.target].join(",");
  const a = run("node", ["--input-type=module", "-e", OURS, root, c.set.csv, c.set.rows, c.target, c.task, c.model, c.set.cat.join(","), drop, c.positive ?? "", String(repeat)]);
  const b = run("/usr/bin/python3", ["-c", SKLEARN, join(SHARED, "bench"), c.set.csv, c.target, c.task, c.set.rows, c.set.cat.join(","), drop, c.positive ?? "", String(repeat)], { OMP_WAIT_POLICY: "PASSIVE" });
  const best = (x) => Math.min(...x);
  console.log(
    `| ${c.set.name} | ${c.model} | ${a.width} | ${f(a.cpus[0])} / ${f(best(a.cpus))} (${a.iterations}${a.converged ? "" : ", not converged"}) | ${f(b.cpus[0])} / ${f(best(b.cpus))} (${b.iterations ?? "-"}) | ${(best(a.cpus) / best(b.cpus)).toFixed(2)}× | ${a.metric} | ${b.metric} |`,
  );
}
console.log(`load ${loadavg()[0].toFixed(1)} at end`);
