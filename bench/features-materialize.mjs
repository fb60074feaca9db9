// Materialization of N entities into the online store (issue 16 figure): a full first run, then an incremental run
// after a new version changing 1% of the keys; wall time and the process's peak RSS. SQLite (default) or any store
// location given with --store. Usage: node bench/features-materialize.mjs [--entities 1000000] [--store URL] [--no-record]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Lake } from "../dist/lake/lake.js";
import { definePipeline } from "../dist/project/load-project.js";
import { materializeViews } from "../dist/featurestore/materialize.js";
import { openOnlineStore } from "../dist/featurestore/online/online-stores.js";

const arg = (n, d) => (process.argv.includes(`--${n}`) ? process.argv[process.argv.indexOf(`--${n}`) + 1] : d);
const N = Number(arg("entities", 1_000_000));
const location = arg("store", "online.db");
const load0 = os.loadavg().map((x) => x.toFixed(2)).join(" ");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bench-mat-"));
const lake = await Lake.open(path.join(dir, "lake"));
const now = Date.now();
const F = 5;
const rows = (salt) => `SELECT 'E' || (range % ${N}) AS entity_id, make_timestamp(${(now - 86_400_000) * 1000} + (range // ${N}) * 1000000 + ${salt}) AS ts,
  ${Array.from({ length: F }, (_, f) => `CAST(hash(range, ${f}, ${salt}) % 100000 AS DOUBLE) AS f${f}`).join(", ")} FROM range(${2 * N})`;
await lake.materialize("silver.v", rows(0), { parents: [] });
const project = definePipeline({
  name: "mat_bench", sources: [{ name: "x" }], dataset: { table: "gold.t", target: "y", task: "binary" },
  train: { candidates: [{ name: "lr", model: "logistic_regression" }] }, registry: { model: "m" },
  feature_store: {
    entities: [{ name: "e", join_keys: ["entity_id"] }],
    feature_views: [{ name: "v", source: "silver.v", entity: "e", timestamp: "ts", ttl: "30d", features: Array.from({ length: F }, (_, f) => ({ name: `f${f}`, type: "number" })) }],
  },
}, dir);
const store = await openOnlineStore(location, { project: `mat_${process.pid}`, dir });
const rss0 = process.resourceUsage().maxRSS;
let t = performance.now();
const [full] = await materializeViews(lake, project, store, {});
const fullS = (performance.now() - t) / 1000;
const rssFull = process.resourceUsage().maxRSS;
// A new version: 1% of the entities get a newer row.
const cur = await lake.current("silver.v");
await lake.materialize("silver.v", `SELECT * FROM ${lake.relation(cur)} UNION ALL SELECT entity_id, ts + INTERVAL 1 HOUR, f0 + 1, f1, f2, f3, f4 FROM (${rows(7)}) WHERE hash(entity_id) % 100 = 0 AND ts = (SELECT max(ts) FROM (${rows(7)}))`, { parents: [] });
t = performance.now();
const [inc] = await materializeViews(lake, project, store, {});
const incS = (performance.now() - t) / 1000;
const rssInc = process.resourceUsage().maxRSS;
await store.remove("v", await store.keys("v"));
await store.close();
await lake.close();
fs.rmSync(dir, { recursive: true, force: true });
const load1 = os.loadavg().map((x) => x.toFixed(2)).join(" ");
const mb = (kb) => (kb / 1024).toFixed(0);
console.log(`full: ${full.written} entities in ${fullS.toFixed(1)} s (${(full.written / fullS).toFixed(0)}/s), peak RSS ${mb(rssFull)} MB (before ${mb(rss0)}); incremental: ${inc.written} written in ${incS.toFixed(1)} s, peak RSS ${mb(rssInc)} MB`);
if (!process.argv.includes("--no-record")) {
  fs.appendFileSync(new URL("./RESULTS.md", import.meta.url), [
    "",
    `## Feature store: materializing ${N.toLocaleString("en-US")} entities — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Command: \`node bench/features-materialize.mjs --entities ${N}\` (store: ${location.replace(/\/\/[^@]*@/, "//")}; a view of ${(2 * N).toLocaleString("en-US")} rows, 2 per entity, ${F} number features). Machine: ${os.cpus().length} × ${os.cpus()[0].model.trim()}, node ${process.version}; shared, load ${load0} at start, ${load1} at end. No peer: the figure the issue asks for is time and peak memory.`,
    "",
    "| run | entities written | wall s | entities/s | process peak RSS MB |",
    "|---|---|---|---|---|",
    `| full (first) | ${full.written.toLocaleString("en-US")} | ${fullS.toFixed(1)} | ${(full.written / fullS).toFixed(0)} | ${mb(rssFull)} (${mb(rss0)} before) |`,
    `| incremental (1% of keys changed) | ${inc.written.toLocaleString("en-US")} | ${incS.toFixed(1)} | | ${mb(rssInc)} |`,
    "",
  ].join("\n"));
}
