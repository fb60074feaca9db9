// Alternated comparison of builds of the server (each a folder holding dist/ and bench/serve/; "bare" = the bare
// node:http endpoint of bare.mjs), one process each with the log on: single-record req/s, p99 and server CPU per
// request, then 1,000-record batches in rows/s; ratios to the first side of every round.
//   node bench/serve/ab.mjs <model.bin> <single.json> <batch.json|-> <rounds> <seconds> bare <dirA> [<dirB> ...]
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { groupCpuMicros, launch, tmp, waitFor, wrk } from "./load.mjs";

const [model, singleFile, batchFile, rounds, seconds, ...sides] = process.argv.slice(2);
const here = new URL(".", import.meta.url).pathname;
const single = readFileSync(singleFile, "utf8");
const batch = batchFile === "-" ? null : readFileSync(batchFile, "utf8");
const alias = join(tmp, "ab-alias");
writeFileSync(alias, model);
const res = Object.fromEntries(sides.map((s) => [s, []]));
const say = (s) => process.stdout.write(`${s}\n`);
for (let k = 0; k < Number(rounds); k++) {
  for (const side of sides) {
    const p =
      side === "bare"
        ? launch("node", [join(here, "bare.mjs")], { PORT: "8814" })
        : launch("node", [join(side, "bench/serve/worker.mjs")], { ALIAS_FILE: alias, PORT: "8814", WORKERS: "1", LOG_DIR: mkdtempSync(join(tmp, "ablog-")) });
    await waitFor("http://127.0.0.1:8814/ready", 60_000, 5, p.child);
    const url = side === "bare" ? "http://127.0.0.1:8814/" : "http://127.0.0.1:8814/predict";
    wrk(url, single, { connections: 16, seconds: 2 });
    const c0 = groupCpuMicros(p.child.pid);
    const r = wrk(url, single, { connections: 16, seconds: Number(seconds) });
    const cpu = (groupCpuMicros(p.child.pid) - c0) / r.requests;
    const b = batch ? wrk(url, batch, { connections: 4, seconds: Math.max(2, Math.round(Number(seconds) / 2)) }) : null;
    await p.stop();
    const row = { rps: r.rps, p99: r.p99, cpu, rows: b ? b.rps * 1000 : NaN, failed: r.non2xx + r.socketErrors + (b ? b.non2xx + b.socketErrors : 0) };
    res[side].push(row);
    const base = res[sides[0]][k];
    say(`round ${k + 1} ${side}: ${r.rps.toFixed(0)} req/s (${(r.rps / base.rps).toFixed(2)}×), p99 ${r.p99} ms (${(r.p99 / base.p99).toFixed(2)}×), CPU ${cpu.toFixed(1)} µs/request, batches ${row.rows.toFixed(0)} rows/s (${(row.rows / base.rows).toFixed(2)}×), failed ${row.failed}`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const side of sides) {
  const l = res[side];
  const r = (f) => median(l.map((x, k) => f(x) / f(res[sides[0]][k])));
  say(`${side}: median per-round ratio to ${sides[0]}: req/s ${r((x) => x.rps).toFixed(2)}×, p99 ${r((x) => x.p99).toFixed(2)}×, batch rows/s ${r((x) => x.rows).toFixed(2)}×; best ${Math.max(...l.map((x) => x.rps)).toFixed(0)} req/s, least CPU ${Math.min(...l.map((x) => x.cpu)).toFixed(1)} µs/request`);
}
