// Lakehouse benchmark (issue 4), ours vs plain DuckDB in the same run on the same data:
//   1. ingest flights_3m.csv into a committed bronze version vs ../shared/bench/duckdb_ingest_peer.mjs (rows/s ratio)
//   2. full medallion run (bronze → silver with checks → two gold aggregates), then a no-op rerun
//   3. MERGE of 1M changed rows into a 10M-row table
// Run: npm run bench:lake   (data: MILLRACE_DATA or /tmp/millrace-data, built by ../shared/bench/make-datasets.sh)
// Appends a dated section to bench/RESULTS.md (unless NO_APPEND is set); REPS (default 3) sets the repetitions.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Lake } from '../dist/lake/lake.js';
import { runSqlModel } from '../dist/lake/model-runner.js';
import { loadSqlModels, orderSqlModels } from '../dist/lake/sql-models.js';
import { runChecks } from '../dist/quality/checks.js';

const here = import.meta.dirname;
const repo = path.resolve(here, '..');
const dataDir = process.env.MILLRACE_DATA ?? '/tmp/millrace-data';
const csv = path.join(dataDir, 'flights_3m.csv');
if (!fs.existsSync(csv)) {
  console.error(`missing ${csv}: build it with  bash ../shared/bench/make-datasets.sh ${dataDir}`);
  process.exit(1);
}
const reps = Number(process.env.REPS ?? 3);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-bench-lake-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const secs = async (fn) => { const t = performance.now(); const r = await fn(); return [(performance.now() - t) / 1000, r]; };
const node = (args) => {
  const r = spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
};
fs.readFileSync(csv); // warm the page cache so neither side pays for the first read
const loadAt = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadStart = loadAt();

// ---------------------------------------------------------------- 1. ingest
const ingest = { ours: [], peer: [] };
let rows = 0;
for (let i = 0; i < reps; i++) {
  fs.mkdirSync(path.join(tmp, `peer-${i}`));
  const p = node([path.join(repo, '../shared/bench/duckdb_ingest_peer.mjs'), csv, path.join(tmp, `peer-${i}`)]);
  ingest.peer.push(p.loadSeconds + p.parquetWriteSeconds);
  const lake = await Lake.open(path.join(tmp, `ingest-${i}`));
  const [s, r] = await secs(() => lake.ingestFiles('bronze.flights', [csv]));
  await lake.close();
  if (r.rowsOut !== p.rows || r.rowsBad !== 0) throw new Error(`ingest rows differ: ours ${r.rowsOut} (+${r.rowsBad} bad), peer ${p.rows}`);
  rows = r.rowsOut;
  ingest.ours.push(s);
}

// ---------------------------------------------------------------- 2. medallion + no-op rerun
const checks = {
  'silver.flights': [
    { rule: 'not_null', column: 'origin' },
    { rule: 'range', column: 'distance', min: 0, max: 6000 },
    { rule: 'accepted_values', column: 'day_of_week', values: [0, 1, 2, 3, 4, 5, 6] },
    { rule: 'regex', column: 'origin', pattern: '^[A-Z0-9]{3}$', mostly: 0.99 },
    { rule: 'row_count', min: 1 },
  ],
  'gold.delay_by_origin': [{ rule: 'unique', column: 'origin' }],
};
async function medallion(lake, checked) {
  const steps = {};
  const lap = async (name, fn) => { const [s, r] = await secs(fn); steps[name] = (steps[name] ?? 0) + s; return r; };
  const bronze = await lap('ingest', () => lake.ingestFiles('bronze.flights', [csv]));
  const versions = new Map([['bronze.flights', bronze.version ?? (await lake.current('bronze.flights'))]]);
  const models = orderSqlModels(loadSqlModels(path.join(here, 'lake/models')), ['bronze.flights']);
  let reused = 0;
  for (const m of models) {
    const r = await lap(`model ${m.name}`, () => runSqlModel(lake, m, {
      resolve: (t) => lake.relation(versions.get(t)),
      parents: m.refs.map((t) => ({ table: t, version: versions.get(t).version })),
    }));
    versions.set(m.name, r.version);
    if (r.reused) reused++;
    const key = `${m.name}@${r.version.version}`;
    if (checks[m.name] && !checked.has(key)) {
      const report = await lap(`checks ${m.name}`, () => runChecks(lake, r.version, checks[m.name]));
      if (!report.passed) throw new Error(`checks failed: ${JSON.stringify(report.results.filter((x) => !x.passed))}`);
      checked.add(key); // a reused version was checked when it was built
    }
  }
  return { steps, reused, models: models.length, versions };
}
const med = { full: [], noop: [], peer: [] };
let lastSteps = {};
for (let i = 0; i < reps; i++) {
  const p = node([path.join(here, 'lake/peer.mjs'), 'medallion', csv, path.join(tmp, `peer-med-${i}`)]);
  med.peer.push(p.seconds);
  const lake = await Lake.open(path.join(tmp, `med-${i}`));
  const checked = new Set();
  const [full, r1] = await secs(() => medallion(lake, checked));
  const [noop, r2] = await secs(() => medallion(lake, checked));
  if (r2.reused !== r2.models) throw new Error('no-op rerun rebuilt a model');
  await lake.close();
  med.full.push(full);
  med.noop.push(noop);
  lastSteps = r1.steps;
}

// ---------------------------------------------------------------- 3. MERGE 1M into 10M
const merge = { ours: [], peer: [] };
let mergeInfo;
for (let i = 0; i < reps; i++) {
  merge.peer.push(node([path.join(here, 'lake/peer.mjs'), 'merge', path.join(tmp, `peer-merge-${i}`)]).seconds);
  const lake = await Lake.open(path.join(tmp, `merge-${i}`));
  await lake.materialize('silver.big', `select range as id, range % 1000 as g, range * 0.5 as v, 'n' || (range % 5000) as s from range(10000000)`, { parents: [] });
  const [s, r] = await secs(() => lake.merge('silver.big', `select range as id, 7 as g, -1.0 as v, 'changed' as s from range(0, 10000000, 10)`, { key: ['id'] }));
  if (r.updated !== 1_000_000 || r.version.rowCount !== 10_000_000) throw new Error(`merge counts wrong: ${JSON.stringify(r)}`);
  mergeInfo = r;
  await lake.close();
  merge.ours.push(s);
}
fs.rmSync(tmp, { recursive: true, force: true });

// ---------------------------------------------------------------- report
const ingestRatio = median(ingest.peer) / median(ingest.ours);
const f = (x, d = 2) => x.toFixed(d);
const table = [
  ['| measure | Millrace | peer (plain DuckDB) | ratio / target |', '|---|---|---|---|'],
  [`| ingest flights_3m.csv → committed bronze version, s (median of ${reps}) | ${f(median(ingest.ours))} | ${f(median(ingest.peer))} | ${f(ingestRatio)}× peer throughput (target ≥ 0.9) |`],
  [`| ingest throughput, rows/s | ${Math.round(rows / median(ingest.ours)).toLocaleString('en')} | ${Math.round(rows / median(ingest.peer)).toLocaleString('en')} | |`],
  [`| full medallion run (bronze → silver + 5 checks → 2 gold), s | ${f(median(med.full))} | ${f(median(med.peer))} (no checks, no versions) | target < 20 s |`],
  [`| no-op rerun (nothing new), s | ${f(median(med.noop), 3)} | — | target < 1 s |`],
  [`| MERGE 1M changed rows into 10M rows (new committed version), s | ${f(median(merge.ours))} | ${f(median(merge.peer))} (MERGE INTO + Parquet write) | target < 3 s; ${f(median(merge.peer) / median(merge.ours))}× peer speed |`],
].flat();
const load = `${loadStart} at start, ${loadAt()} at end (the machine is shared with other engineers' jobs)`;
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const section = [
  `## Lakehouse: ingest, medallion, MERGE — ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Command: \`npm run bench:lake\` (bench/lake.mjs, peers bench/lake/peer.mjs and ../shared/bench/duckdb_ingest_peer.mjs). Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${load}. Data: flights_3m.csv (${rows.toLocaleString('en')} rows).`,
  '',
  ...table,
  '',
  `Runs (s): ingest ours ${ingest.ours.map((x) => f(x)).join(', ')} / peer ${ingest.peer.map((x) => f(x)).join(', ')}; medallion ${med.full.map((x) => f(x)).join(', ')} / peer ${med.peer.map((x) => f(x)).join(', ')}; no-op ${med.noop.map((x) => f(x, 3)).join(', ')}; merge ${merge.ours.map((x) => f(x)).join(', ')} / peer ${merge.peer.map((x) => f(x)).join(', ')}.`,
  `Medallion steps of the last full run (s): ${Object.entries(lastSteps).map(([k, v]) => `${k} ${f(v)}`).join(', ')}. Merge: ${mergeInfo.filesRewritten} file(s) rewritten, ${mergeInfo.filesKept} kept.`,
  '',
].join('\n');
console.log(table.join('\n'));
if (process.env.NO_APPEND) console.log('\n(NO_APPEND set: bench/RESULTS.md left as it is)');
else {
  fs.appendFileSync(path.join(here, 'RESULTS.md'), '\n' + section);
  console.log('\nappended to bench/RESULTS.md');
}
