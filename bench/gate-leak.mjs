// The gate on unseen data: 2,000 churn customers held back, a fully grown random forest promoted, the 2,000 landed,
// retrained; prints the champion's own test ROC-AUC and what the gate measured it at.
// Usage: node bench/gate-leak.mjs [CLI_JS] [EXAMPLE_DIR]   (defaults: dist/cli/main.js, examples/churn; pass an older
// build's CLI to compare, e.g. a git worktree of an earlier commit)
import fs from "node:fs"; import path from "node:path"; import os from "node:os"; import { spawnSync } from "node:child_process";
import { parse, stringify } from "yaml";
const [cli = "dist/cli/main.js", example = "examples/churn"] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-"));
fs.cpSync(example, dir, { recursive: true, filter: (s) => !s.includes(".millrace") });
const landing = path.join(dir, "data/landing");
const files = fs.readdirSync(landing).filter((f) => f.endsWith(".csv")).sort();
const ids = new Set();
for (const f of files) for (const l of fs.readFileSync(path.join(landing, f), "utf8").trim().split("\n").slice(1)) ids.add(l.split(",")[0]);
const chosen = new Set([...ids].sort().filter((_, i) => i % 7 < 2).slice(0, 2000));
let header; const moved = [];
for (const f of files) { const [h, ...rows] = fs.readFileSync(path.join(landing, f), "utf8").trim().split("\n"); header = h;
  fs.writeFileSync(path.join(landing, f), [h, ...rows.filter((r) => !chosen.has(r.split(",")[0]))].join("\n") + "\n"); moved.push(...rows.filter((r) => chosen.has(r.split(",")[0]))); }
const cfgFile = path.join(dir, "millrace.yaml");
const set = (f) => { const c = parse(fs.readFileSync(cfgFile, "utf8")); f(c); fs.writeFileSync(cfgFile, stringify(c)); };
set((c) => { c.train = { cv_folds: 0, metric: "roc_auc", candidates: [{ name: "forest", model: "random_forest", params: { n_estimators: 60 } }] }; c.registry.gate = { min: { roc_auc: 0.5 }, must_beat_production: true }; });
const run = () => JSON.parse(spawnSync(process.execPath, [cli, "run", dir, "--json"], { encoding: "utf8" }).stdout);
const a = run();
fs.writeFileSync(path.join(landing, "customers-2026-03.csv"), [header, ...moved].join("\n") + "\n");
set((c) => (c.train.retrain = "always"));
const b = run();
console.log(JSON.stringify({ championTest: a.candidates[0].test.roc_auc, challengerTest: b.candidates[0].test.roc_auc, promoted: b.model.promoted, reason: b.model.reason }, null, 1));
