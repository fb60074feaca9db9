// A/B of V8's young-generation size for one serving process (log on, every default): single-record /predict under wrk,
// alternated with and without `--min/max-semi-space-size=MB`; req/s, p50/p99, server CPU per request, and the
// scavenges per 10,000 requests with their pause total (counts hardly move with the machine's load; times do).
//   node bench/serve/semi-space.mjs   (after npm run build; SEMI=32 ROUNDS=3 SECONDS=6 CONNECTIONS=16)
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { loadChurn, trainChurn } from "./churn.mjs";
import { groupCpuMicros, tmp, waitFor, wrk } from "./load.mjs";

const SEMI = Number(process.env.SEMI ?? 32);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 6);
const CONNS = Number(process.env.CONNECTIONS ?? 16);
const { records } = loadChurn();
const m = await trainChurn({ name: "logistic", model: "logistic_regression", params: {} });
const art = join(tmp, "semi.bin");
writeFileSync(art, m.bytes);
const alias = join(tmp, "semi-alias");
writeFileSync(alias, art);
const body = JSON.stringify({ records: [records[0]] });
const worker = new URL("./worker.mjs", import.meta.url).pathname;

async function side(flags) {
  let err = "";
  const child = spawn(process.execPath, [...flags, worker], {
    env: { ...process.env, ALIAS_FILE: alias, WORKERS: "1", LOG_DIR: join(tmp, "semi-log"), PORT: "8850", GC_STATS: "1" },
    stdio: ["ignore", "inherit", "pipe"],
    detached: true,
  });
  child.stderr.on("data", (d) => (err += d));
  await waitFor("http://127.0.0.1:8850/ready", 120_000, 5, child).catch((e) => {
    throw new Error(`${e.message}\n${err}`);
  });
  wrk("http://127.0.0.1:8850/predict", body, { connections: CONNS, seconds: 2 });
  process.kill(child.pid, "SIGUSR2");
  const c0 = groupCpuMicros(child.pid);
  const r = wrk("http://127.0.0.1:8850/predict", body, { connections: CONNS, seconds: SECONDS });
  const cpu = (groupCpuMicros(child.pid) - c0) / r.requests;
  const exited = new Promise((res) => child.once("exit", res));
  process.kill(-child.pid, "SIGTERM");
  await exited;
  const gc = JSON.parse(/GC_STATS (.*)/.exec(err)?.[1] ?? "{}");
  return { rps: r.rps, p50: r.p50, p99: r.p99, cpu, per10k: (gc.minor * 1e4) / r.requests, pauseUsPerReq: (gc.minorMs * 1e3) / r.requests, maxMs: gc.minorMaxMs, load: loadavg()[0] };
}

const sides = [["default", []], [`semi ${SEMI} MB`, [`--min-semi-space-size=${SEMI}`, `--max-semi-space-size=${SEMI}`]]];
const runs = Object.fromEntries(sides.map(([n]) => [n, []]));
for (let k = 0; k < ROUNDS; k++) {
  for (const [name, flags] of k % 2 ? [...sides].reverse() : sides) {
    const r = await side(flags);
    runs[name].push(r);
    process.stdout.write(`${name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, CPU ${r.cpu.toFixed(1)} µs/request, ${r.per10k.toFixed(1)} scavenges per 10k requests (pauses ${r.pauseUsPerReq.toFixed(2)} µs/request, longest ${r.maxMs.toFixed(2)} ms), load ${r.load.toFixed(1)}\n`);
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [a, b] = sides.map(([n]) => runs[n]);
process.stdout.write(`\nmedian of ${ROUNDS}: p99 ${med(a.map((r) => r.p99))} vs ${med(b.map((r) => r.p99))} ms; req/s ${med(a.map((r) => r.rps)).toFixed(0)} vs ${med(b.map((r) => r.rps)).toFixed(0)}; CPU ${med(a.map((r) => r.cpu)).toFixed(1)} vs ${med(b.map((r) => r.cpu)).toFixed(1)} µs; scavenges/10k ${med(a.map((r) => r.per10k)).toFixed(1)} vs ${med(b.map((r) => r.per10k)).toFixed(1)}\n`);
