// Ingest latency as versions pile up (issue 9 item 5): one-record pushes into one bronze table, p50/p99 measured
// at each checkpoint (default 0, 1,000 and 10,000 versions), plus the first push after reopening the lake (a
// restarted server). Between checkpoints the versions are made by the same one-record pushes, unmeasured.
// Run: npm run bench:ingest   (SAMPLES per checkpoint, default 50; it prints how long it took. 10,000 versions
// take about 5 minutes on a shared 2-core machine (~30 ms a push): STEPS=0,1000,2500 stays under 2 minutes).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Lake } from '../dist/lake/lake.js';

const steps = (process.env.STEPS ?? '0,1000,10000').split(',').map(Number);
const samples = Number(process.env.SAMPLES ?? 50);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-bench-versions-'));
const table = 'bronze.pushes';
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const started = performance.now();
let lake = await Lake.open(tmp);
let n = 0;
const push = async () => {
  const t = performance.now();
  await lake.ingestRecords(table, [{ id: n, tenure: n % 72, churn: n % 3 ? 'No' : 'Yes', note: `push ${n}` }]);
  n++;
  return performance.now() - t;
};
const rows = [];
try {
  for (const step of steps) {
    while (n < step) await push();
    const versions = (await lake.current(table))?.version ?? 0;
    const files = (await lake.current(table))?.files.length ?? 0;
    // A restarted server: a fresh Lake (no cached manifests) answers its first push.
    await lake.close();
    lake = await Lake.open(tmp);
    const first = await push();
    const ms = [];
    for (let i = 0; i < samples; i++) ms.push(await push());
    const row = { versions, dataFiles: files, p50_ms: +pct(ms, 50).toFixed(1), p99_ms: +pct(ms, 99).toFixed(1), firstAfterReopen_ms: +first.toFixed(1) };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  await lake.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`\n| versions | data files | p50 ms | p99 ms | first push after reopen ms |\n|---:|---:|---:|---:|---:|`);
for (const r of rows) console.log(`| ${r.versions} | ${r.dataFiles} | ${r.p50_ms} | ${r.p99_ms} | ${r.firstAfterReopen_ms} |`);
console.log(`\n${n} pushes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
