// Tracking at scale: insert N runs (params + 6 metrics + a 20-step series each), then time the queries a user runs
// — newest runs, sort by a metric, filter by metrics, one run's series — on SQLite and PostgreSQL.
// MLflow is the peer a user would pick, but it is not installable here (no PyPI, no Debian package): its UI is
// reported to slow down near 2k runs; these are our numbers at 10k and 50k.
//   npm run bench:registry [-- --runs 10000,50000]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openMetadataStore } from "../dist/store/open-metadata-store.js";

const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const sizes = arg("--runs", "10000,50000").split(",").map(Number);
// PostgreSQL inserts one run per round trip; above this size only SQLite is measured, to keep the run short.
const pgMax = Number(arg("--pg-max", "10000"));
const pgUrl = process.env.MILLRACE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function pgAvailable() {
  const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function time(fn, repeat = 5) {
  const ts = [];
  let out;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    out = await fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { ms: ts[Math.floor(ts.length / 2)], out };
}

async function bench(label, url, n) {
  const store = await openMetadataStore(url);
  const t0 = performance.now();
  const at = new Date().toISOString();
  for (let i = 0; i < n; i++) {
    const id = `run-${String(i).padStart(7, "0")}`;
    await store.createRun({
      id, experiment: i % 10 === 0 ? "churn-tuning" : "churn", name: `trial-${i}`, status: "finished",
      params: { max_depth: 3 + (i % 6), learning_rate: 0.01 * (1 + (i % 10)) }, metrics: {}, tags: { owner: "bench" }, artifacts: [],
      datasetId: "d1", parentRunId: i % 100 === 0 ? null : `run-${String(i - (i % 100)).padStart(7, "0")}`,
      startedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), endedAt: at, durationMs: 1000,
    });
    const x = Math.sin(i * 12.9898) * 43758.5453;
    const auc = 0.7 + 0.2 * (x - Math.floor(x));
    await store.logMetrics(id, [
      { key: "roc_auc", value: auc, step: 0, at }, { key: "accuracy", value: auc - 0.05, step: 0, at },
      { key: "f1", value: auc - 0.2, step: 0, at }, { key: "log_loss", value: 1 - auc, step: 0, at },
      { key: "precision", value: auc - 0.1, step: 0, at }, { key: "recall", value: auc - 0.15, step: 0, at },
      ...Array.from({ length: 20 }, (_, s) => ({ key: "train_loss", value: 1 / (s + 1), step: s, at })),
    ]);
  }
  const insertS = (performance.now() - t0) / 1000;
  const newest = await time(() => store.listRuns({ limit: 20 }));
  const sorted = await time(() => store.listRuns({ sortByMetric: "roc_auc", limit: 20 }));
  const exp = await time(() => store.listRuns({ experiment: "churn-tuning", sortByMetric: "roc_auc", limit: 20 }));
  const filtered = await time(() => store.listRuns({ metricFilters: [{ key: "roc_auc", op: ">", value: 0.85 }, { key: "log_loss", op: "<", value: 0.2 }], sortByMetric: "roc_auc", limit: 20 }));
  const children = await time(() => store.listRuns({ parentRunId: "run-0000100", limit: 200 }));
  const series = await time(() => store.metricHistory("run-0004242", "train_loss"));
  await store.close();
  return { label, n, insertS, newest: newest.ms, sorted: sorted.ms, exp: exp.ms, filtered: filtered.ms, children: children.ms, series: series.ms, top: sorted.out[0]?.metrics.roc_auc };
}

const rows = [];
for (const n of sizes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bench-reg-"));
  rows.push(await bench("SQLite", path.join(dir, "meta.db"), n));
  fs.rmSync(dir, { recursive: true, force: true });
  if (n > pgMax) console.error(`PostgreSQL left out at ${n} runs (--pg-max ${pgMax})`);
  else if (await pgAvailable()) {
    const schema = `bench_reg_${process.pid}_${n}`;
    rows.push(await bench("PostgreSQL", `${pgUrl}?schema=${schema}`, n));
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`drop schema if exists "${schema}" cascade`);
    await c.end();
  } else console.error(`PostgreSQL not reachable at ${pgUrl}: its rows are left out`);
}
const f = (ms) => `${ms.toFixed(1)} ms`;
const table = [
  "| store | runs | insert (runs/s, 26 metric points each) | newest 20 | top 20 by roc_auc | top 20 in one experiment | metric filter + sort | 99 child runs | one run's 20-step series |",
  "|---|---|---|---|---|---|---|---|---|",
  ...rows.map((r) => `| ${r.label} | ${r.n.toLocaleString("en-US")} | ${Math.round(r.n / r.insertS).toLocaleString("en-US")} | ${f(r.newest)} | ${f(r.sorted)} | ${f(r.exp)} | ${f(r.filtered)} | ${f(r.children)} | ${f(r.series)} |`),
].join("\n");
console.log(table);
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`;
fs.appendFileSync(
  path.resolve(import.meta.dirname, "RESULTS.md"),
  `\n## Tracking at scale — ${new Date().toISOString().slice(0, 10)}\n\nCommand: \`npm run bench:registry\` (bench/registry.mjs). Machine: ${machine}. Query times are the median of 5, through the MetadataStore API (what \`millrace runs\` calls). Peer: MLflow cannot be installed here (no PyPI, no Debian package), so there is no same-run ratio; the issue's reference point is MLflow's UI slowing near 2k runs.\n\n${table}\n`,
);
