// Drift benchmark: 1M logged rows × 20 columns written through the real PredictionLog, compacted to Parquet parts (timed
// alone), then `millrace drift` end to end (process start → report), vs pandas + scipy reading the same NDJSON log.
//   npm run bench:drift            (ROWS=1000000 PER_REQUEST=1000 RUNS=3 to change the shape; PEER=0 skips the peer)
import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const PER_REQUEST = Number(process.env.PER_REQUEST ?? 1000);
const RUNS = Number(process.env.RUNS ?? 3);
const PEER = process.env.PEER !== "0";
const repo = new URL("..", import.meta.url).pathname;
const cli = join(repo, "dist/cli/main.js");
const note = (s) => process.stdout.write(`${s}\n`);
const uptime = () => execFileSync("uptime").toString().trim();
const loadBefore = uptime();
const tmp = mkdtempSync(join(tmpdir(), "millrace-bench-drift-"));
const ms = (t0) => performance.now() - t0;

// 1. A churn project with a served model: what `millrace run examples/churn` makes.
const project = join(tmp, "churn");
cpSync(join(repo, "examples/churn"), project, { recursive: true, filter: (src) => !src.includes(".millrace") });
note("running the churn pipeline (model v1 and its training rows) ...");
const run = spawnSync(process.execPath, [cli, "run", project, "--json"], { encoding: "utf8", maxBuffer: 1 << 26 });
if (run.status !== 0) throw new Error(`millrace run failed: ${run.stderr}`);

const { loadProject } = await import("../dist/project/load-project.js");
const { withResources } = await import("../dist/flow/resources.js");
const { trainingReference } = await import("../dist/flow/steps/dataset.js");
const { PredictionLog, versionDir } = await import("../dist/monitor/prediction-log.js");
const { compactLog } = await import("../dist/monitor/log-compact.js");
const { readLoggedFrame } = await import("../dist/monitor/log-reader.js");
const { driftReport } = await import("../dist/monitor/drift-report.js");
const { benchDrift } = await import("./serve/drift.mjs");

const proj = loadProject(project);
const { mv, ds, reference } = await withResources(proj, async (r) => {
  const mv = await r.registry.resolve(proj.config.registry.model, proj.config.registry.alias);
  const { dataset, reference } = await trainingReference(r, mv.datasetId);
  return { mv, ds: dataset, reference };
});
const features = ds.features;
const refCols = features.map((f) => reference.columns.find((c) => c.name === f));

// 2. Traffic: training rows resampled, tenure and monthly charges shifted, logged as answered requests.
let seed = 7;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const rowOf = (i) => {
  const o = {};
  for (const c of refCols) {
    const v = c.values[i];
    o[c.name] = c.kind === "numeric" ? (Number.isNaN(v) ? null : v + (c.name === "tenure" ? 6 : c.name === "monthly_charges" ? 5 : 0)) : v;
  }
  return o;
};
const pool = Array.from({ length: reference.rowCount }, (_, i) => rowOf(i));
const root = proj.paths.predictions;
const log = new PredictionLog({ dir: root, capacity: 1e8, batchSize: 1e9, flushIntervalMs: 1e9 });
note(`logging ${ROWS.toLocaleString("en")} rows (${PER_REQUEST} per request) through PredictionLog ...`);
let t0 = performance.now();
for (let done = 0, k = 0; done < ROWS; k++) {
  const n = Math.min(PER_REQUEST, ROWS - done);
  const records = Array.from({ length: n }, () => pool[Math.floor(rand() * pool.length)]);
  const outputs = records.map(() => {
    const p = rand();
    return { label: p >= 0.5 ? "Yes" : "No", probabilities: { No: 1 - p, Yes: p } };
  });
  const ids = records.map(() => randomUUID());
  const requestJson = JSON.stringify({ records });
  const answers = `"predictions":${JSON.stringify(outputs)}`;
  log.logRequest({ model: mv.name, version: mv.version, alias: "production", at: new Date().toISOString(), latencyMs: 1, ids, records, outputs, requestJson, requestBytes: Buffer.from(requestJson), responseJson: `{${answers},"ids":${JSON.stringify(ids)}}` });
  done += n;
  if (k % 20 === 19) await log.flush();
}
await log.close();
const logMs = ms(t0);
const vdir = versionDir(root, mv.name, mv.version);
const bytesOf = (dir, ext) => readdirSync(dir).filter((f) => f.endsWith(ext)).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
const ndjsonBytes = bytesOf(vdir, ".ndjson");
const ndjsonFiles = readdirSync(vdir).length;
note(`logged in ${(logMs / 1000).toFixed(1)} s: ${ndjsonFiles} NDJSON files, ${(ndjsonBytes / 1e6).toFixed(0)} MB`);

// 3. Before compaction: reading the NDJSON log into a Frame (what `millrace drift` did before), and the peer's copy.
const like = { rowCount: 0, columns: refCols };
t0 = performance.now();
const fromNdjson = await readLoggedFrame(root, mv.name, mv.version, { signature: mv.signature, like });
const readNdjsonMs = ms(t0);
note(`read from NDJSON: ${fromNdjson.rowCount.toLocaleString("en")} rows in ${readNdjsonMs.toFixed(0)} ms`);
const peerLog = join(tmp, "peer-log");
if (PEER) cpSync(vdir, peerLog, { recursive: true });

// 4. Compaction, timed alone (one thread, as the serving process's worker or `millrace drift` runs it).
t0 = performance.now();
const compacted = await compactLog(root);
const compactMs = ms(t0);
const partBytes = bytesOf(vdir, ".parquet");
note(`compacted ${compacted.files} files, ${compacted.rows.toLocaleString("en")} rows in ${compactMs.toFixed(0)} ms (${(ndjsonBytes / 1e6).toFixed(0)} MB NDJSON → ${(partBytes / 1e6).toFixed(0)} MB Parquet)`);

// 5. `millrace drift` end to end, as a user runs it (best and median of RUNS), and the CLI's own start-up.
const timeCli = (args) => {
  const times = [];
  let out = null;
  for (let k = 0; k < RUNS; k++) {
    const s = performance.now();
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
    times.push(ms(s));
    if (r.status !== 0 && r.status !== 3) throw new Error(`millrace ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
    out = r.stdout;
  }
  times.sort((a, b) => a - b);
  return { best: times[0], median: times[Math.floor(times.length / 2)], out };
};
const drift = timeCli(["drift", project, "--json"]);
const driftOut = JSON.parse(drift.out);
const startup = timeCli(["--version"]);
note(`millrace drift: best ${drift.best.toFixed(0)} ms, median ${drift.median.toFixed(0)} ms (CLI start alone ${startup.best.toFixed(0)} ms); ${driftOut.report.currentRows.toLocaleString("en")} rows × ${driftOut.report.columns.length} columns, drifted: ${driftOut.report.columns.filter((c) => c.drifted).map((c) => c.column).join(", ")}`);

// 6. In-process breakdown: reading the parts, the report.
let readPartsMs = Infinity;
let current;
for (let k = 0; k < RUNS; k++) {
  t0 = performance.now();
  current = await readLoggedFrame(root, mv.name, mv.version, { signature: mv.signature, like });
  readPartsMs = Math.min(readPartsMs, ms(t0));
}
let reportMs = Infinity;
for (let k = 0; k < RUNS; k++) {
  t0 = performance.now();
  driftReport(reference, current, { columns: features });
  reportMs = Math.min(reportMs, ms(t0));
}
note(`in-process: read parts ${readPartsMs.toFixed(0)} ms, report ${reportMs.toFixed(0)} ms`);

// 7. Peers: scipy on the same arrays (stats alone), and pandas + scipy reading the NDJSON log (end to end).
const ordered = { rowCount: current.rowCount, columns: features.map((f) => current.columns.find((c) => c.name === f)) };
const refFrame = { rowCount: reference.rowCount, columns: refCols };
const d = PEER ? benchDrift(refFrame, ordered, mkdtempSync(join(tmp, "arrays-"))) : null;
let peerE2e = null;
if (PEER) {
  const csv = join(tmp, "reference.csv");
  const esc = (v) => (v === null || (typeof v === "number" && Number.isNaN(v)) ? "" : typeof v === "string" ? `"${v.replace(/"/g, '""')}"` : String(v));
  writeFileSync(csv, [features.join(","), ...Array.from({ length: reference.rowCount }, (_, i) => refCols.map((c) => esc(c.values[i])).join(","))].join("\n"));
  const meta = join(tmp, "columns.json");
  writeFileSync(meta, JSON.stringify(refCols.map((c) => ({ name: c.name, kind: c.kind }))));
  t0 = performance.now();
  const out = execFileSync("/usr/bin/python3", [new URL("./serve/drift_peer_ndjson.py", import.meta.url).pathname, peerLog, csv, meta], { encoding: "utf8", maxBuffer: 1 << 24 });
  peerE2e = { ...JSON.parse(out), wallMs: ms(t0) };
  let gap = 0;
  driftOut.report.columns.forEach((c, j) => {
    if (c.statistic !== null && Number.isFinite(peerE2e.scores[j])) gap = Math.max(gap, Math.abs(c.statistic - peerE2e.scores[j]));
  });
  peerE2e.gap = gap;
  note(`peer (pandas + scipy on the NDJSON): read ${peerE2e.readMs.toFixed(0)} ms + stats ${peerE2e.statsMs.toFixed(0)} ms, process ${peerE2e.wallMs.toFixed(0)} ms; largest score gap ${gap.toExponential(2)}`);
}

// 8. Table and RESULTS.md.
const ratio = (peer, ours) => (peer > 0 && ours > 0 ? `${(peer / ours).toFixed(1)}× faster` : "");
const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
const rows = [
  `| drift over ${ROWS.toLocaleString("en")} logged rows × ${features.length} columns | ours | peer | ratio |`,
  "|---|---:|---:|---:|",
  `| \`millrace drift\` end to end (process start → report), best / median of ${RUNS} | **${drift.best.toFixed(0)}** / ${drift.median.toFixed(0)} ms | ${peerE2e ? `${peerE2e.wallMs.toFixed(0)} ms (python process: json + pandas read ${peerE2e.readMs.toFixed(0)}, scipy ${peerE2e.statsMs.toFixed(0)})` : "–"} | ${peerE2e ? ratio(peerE2e.wallMs, drift.best) : ""} |`,
  `| … of which the CLI's start-up (\`millrace --version\`) | ${startup.best.toFixed(0)} ms | | |`,
  `| read the log into a Frame: Parquet parts (in-process) | ${readPartsMs.toFixed(0)} ms | | |`,
  `| read the log into a Frame: NDJSON, as before compaction | ${readNdjsonMs.toFixed(0)} ms | | ${ratio(readNdjsonMs, readPartsMs).replace("faster", "slower than parts")} |`,
  `| drift report, frames in memory | ${reportMs.toFixed(0)} ms | ${d ? `${d.peerMs.toFixed(0)} ms (scipy, same arrays)` : "–"} | ${d ? ratio(d.peerMs, reportMs) : ""} |`,
  `| compaction, timed alone (1 thread): ${compacted.files} files, ${mb(ndjsonBytes)} NDJSON → ${mb(partBytes)} Parquet | ${compactMs.toFixed(0)} ms (${((compacted.rows / compactMs) * 1000).toFixed(0)} rows/s) | | |`,
  `| logging the rows through PredictionLog (generator included) | ${logMs.toFixed(0)} ms | | |`,
].join("\n");
note(`\n${rows}`);
const section = [
  `\n## Drift over the prediction log — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
  "",
  `Command: \`npm run bench:drift\` (ROWS=${ROWS}, PER_REQUEST=${PER_REQUEST}, RUNS=${RUNS}). Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}; load before: \`${loadBefore}\`, after: \`${uptime()}\` (shared with other work).`,
  `Data: the churn example's model v1 (\`millrace run\`); its ${reference.rowCount.toLocaleString("en")} training rows resampled to ${ROWS.toLocaleString("en")} logged rows (tenure +6, monthly_charges +5) written by the real PredictionLog as ${PER_REQUEST}-record requests (${ndjsonFiles} NDJSON files, rotated at 32 MiB), compacted to Parquet parts, then \`millrace drift <project> --json\` as a user runs it (reads registry, training rows from the lake, the parts, prints the report).`,
  `Peer: ../bench/serve/drift_peer_ndjson.py — json + pandas reading the same NDJSON files, then Evidently's default statistics with scipy (largest score gap vs ours ${peerE2e ? peerE2e.gap.toExponential(2) : "n/a"}); the stats-only row runs ../bench/serve/drift_peer.py on the same arrays.`,
  "",
  rows,
  "",
].join("\n");
appendFileSync(new URL("./RESULTS.md", import.meta.url), section);
note("appended to bench/RESULTS.md");
rmSync(tmp, { recursive: true, force: true });
