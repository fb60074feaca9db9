// A/B of two builds of the server (each a folder holding dist/ and bench/serve/), one process each with the log on,
// alternated: req/s, p99 and server CPU per single-record request (the steadiest figure on a shared machine).
//   node bench/serve/ab.mjs <model.bin> <single.json> <dirA> <dirB> [rounds=3] [seconds=6]
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { groupCpuMicros, launch, tmp, waitFor, wrk } from "./load.mjs";

const [model, bodyFile, a, b, rounds = "3", seconds = "6"] = process.argv.slice(2);
const body = readFileSync(bodyFile, "utf8");
const alias = join(tmp, "ab-alias");
writeFileSync(alias, model);
const res = { [a]: [], [b]: [] };
for (let k = 0; k < Number(rounds); k++) {
  for (const dir of [a, b]) {
    const p = launch("node", [join(dir, "bench/serve/worker.mjs")], { ALIAS_FILE: alias, PORT: "8814", WORKERS: "1", LOG_DIR: mkdtempSync(join(tmp, "ablog-")) });
    await waitFor("http://127.0.0.1:8814/ready", 60_000, 5, p.child);
    wrk("http://127.0.0.1:8814/predict", body, { connections: 16, seconds: 2 });
    const c0 = groupCpuMicros(p.child.pid);
    const r = wrk("http://127.0.0.1:8814/predict", body, { connections: 16, seconds: Number(seconds) });
    const cpu = (groupCpuMicros(p.child.pid) - c0) / r.requests;
    await p.stop();
    res[dir].push({ rps: r.rps, p99: r.p99, cpu });
    process.stdout.write(`${dir}: ${r.rps.toFixed(0)} req/s, p99 ${r.p99} ms, CPU ${cpu.toFixed(1)} µs/request, failed ${r.non2xx + r.socketErrors}\n`);
  }
}
const least = (l) => Math.min(...l.map((r) => r.cpu));
const best = (l) => Math.max(...l.map((r) => r.rps));
process.stdout.write(`A ${a}: best ${best(res[a]).toFixed(0)} req/s, least CPU ${least(res[a]).toFixed(1)} µs; B ${b}: best ${best(res[b]).toFixed(0)} req/s, least CPU ${least(res[b]).toFixed(1)} µs; B/A CPU ${(least(res[b]) / least(res[a])).toFixed(3)}\n`);
