// Defect 1 on credit_data.csv (target Status) with a fake clock: each fit advances it by a set time (logistic
// regression: 2 s cold, then 0.5 s; gbdt 0.1 s), so the budget's decisions are the same on any machine.
// Usage: node bench/learn/auto-cut-short.mjs [budget s, default 7] [repo root with dist/, default this one] (A/B: an older
// build's root). Logistic regression's CV is cut after part 1; gbdt scores all 5 parts; before b704970 the two were
// compared on different rows and the blend left logistic regression out.
import { readCsvFrame } from "./csv.mjs";
const budget = Number(process.argv[2] ?? 7);
const root = process.argv[3] ?? new URL("../..", import.meta.url).pathname;
const { MODELS } = await import(root + "/dist/learn/models.js");
const { trainCandidate } = await import(root + "/dist/learn/train.js");
const { holdoutSplit } = await import(root + "/dist/learn/split.js");
let clock = 0;
performance.now = () => clock;
for (const [name, ms] of [["logistic_regression", [2000, 500]], ["gbdt", [100]]]) {
  const kind = MODELS[name];
  const create = kind.create;
  let n = 0;
  kind.create = (p) => {
    const est = create(p);
    const fit = est.fit.bind(est);
    est.fit = async (d) => { const f = await fit(d); clock += ms[Math.min(n++, ms.length - 1)]; return f; };
    return est;
  };
}
const frame = readCsvFrame(new URL("../../../shared/data/credit_data.csv", import.meta.url).pathname);
const target = frame.columns.find((c) => c.name === "Status");
const { test } = holdoutSplit(target, { testFraction: 0.2, seed: 42, stratify: true });
const features = frame.columns.map((c) => c.name).filter((n) => n !== "Status");
const r = await trainCandidate({ frame, target: "Status", features, task: "binary", positive: "good", testRows: test, cvFolds: 0, seed: 42,
  candidate: { name: "auto", model: "auto", params: { candidates: "logistic_regression,gbdt,blend", time_budget_s: budget } } });
const s = r.selection;
console.log(`budget ${budget} s: chose ${s.chosen}; test roc_auc ${r.testMetrics.roc_auc.toFixed(4)}${s.comparison ? `; ${s.comparison}` : ""}`);
for (const c of s.candidates) console.log(`  ${c.label}: ${c.status} cv ${c.cvMean?.toFixed(4)}${c.cvParts ? ` (${c.cvParts} parts)` : ""}${c.comparedMean !== undefined ? ` compared ${c.comparedMean.toFixed(4)}` : ""}${c.reason ? ` — ${c.reason}` : ""}${Object.keys(c.params).length && c.label === "blend" ? ` ${JSON.stringify(c.params)}` : ""}`);
