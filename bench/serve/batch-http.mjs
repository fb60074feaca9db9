// 1,000-record batches over HTTP, builds alternated round by round: rows/s under wrk and the server's CPU per batch
// (process group, user + system), which a loaded machine disturbs far less than wall-clock rows/s. Sides are build
// folders (each holding dist/ and bench/serve/) or "bare" (bare.mjs: JSON.parse of the same body, fixed answer).
//   node bench/serve/batch-http.mjs <model.bin> <rounds> <seconds> bare <dirA> [<dirB> …]    ROUTE=predict|v2  CONNECTIONS=4
import { mkdtempSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { loadChurn } from "./churn.mjs";
import { freePort, groupCpuMicros, launch, tmp, waitFor, wrk } from "./load.mjs";
import { v2Body } from "./vs-bare.mjs";

const [model, rounds, seconds, ...sides] = process.argv.slice(2);
const here = new URL(".", import.meta.url).pathname;
const v2 = process.env.ROUTE === "v2";
const conns = Number(process.env.CONNECTIONS ?? 4);
const { records } = loadChurn();
const batch = v2 ? v2Body(records.slice(0, 1000)) : JSON.stringify({ records: records.slice(0, 1000) });
const alias = join(tmp, "batch-http-alias");
writeFileSync(alias, model);
const say = (s) => process.stdout.write(`${s}\n`);
const res = Object.fromEntries(sides.map((s) => [s, []]));
for (let k = 0; k < Number(rounds); k++) {
  for (const side of sides) {
    const port = String(await freePort());
    const p =
      side === "bare"
        ? launch("node", [join(here, "bare.mjs")], { PORT: port })
        : launch("node", [join(side, "bench/serve/worker.mjs")], { ALIAS_FILE: alias, PORT: port, WORKERS: "1", LOG_DIR: mkdtempSync(join(tmp, "batch-http-log-")) });
    await waitFor(`http://127.0.0.1:${port}/${side === "bare" ? "" : "ready"}`, 60_000, 5, p.child);
    const url = `http://127.0.0.1:${port}${side === "bare" ? "/" : v2 ? "/v2/models/churn/infer" : "/predict"}`;
    wrk(url, batch, { connections: conns, seconds: 2 }); // JIT warm-up
    const c0 = groupCpuMicros(p.child.pid);
    const r = wrk(url, batch, { connections: conns, seconds: Number(seconds) });
    const cpu = (groupCpuMicros(p.child.pid) - c0) / r.requests;
    await p.stop();
    const row = { rows: r.rps * 1000, cpu, p99: r.p99, failed: r.non2xx + r.socketErrors, load: loadavg()[0] };
    res[side].push(row);
    say(`round ${k + 1} ${side}: ${row.rows.toFixed(0)} rows/s, server CPU ${row.cpu.toFixed(0)} µs per batch (${((1000 * 1e6) / row.cpu / 1000).toFixed(0)}k rows per CPU-second), p99 ${row.p99} ms, failed ${row.failed}, load ${row.load.toFixed(1)}`);
  }
}
for (const side of sides) {
  const l = res[side];
  say(`${side} (${v2 ? "V2" : "/predict"}): best ${Math.max(...l.map((r) => r.rows)).toFixed(0)} rows/s (rounds ${l.map((r) => (r.rows / 1000).toFixed(0)).join(", ")}k); least server CPU ${Math.min(...l.map((r) => r.cpu)).toFixed(0)} µs per batch (rounds ${l.map((r) => r.cpu.toFixed(0)).join(", ")})`);
}
