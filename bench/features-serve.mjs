// /predict with features looked up online (requests carry only the entity key) vs /predict with the same features in
// the request, same model, same process, wrk alternating A, B, A, B… (issue 16 goal: ≥ 0.5× the req/s). Requests by
// key rotate over all 10,000 entities. Run twice: with the SQLite store's row cache (default) and without it
// (MILLRACE_ONLINE_CACHE_ROWS=0, every request reads SQLite). Server CPU per request comes from /proc (both servers
// live in one child process, measured per wrk run).
// Usage: node bench/features-serve.mjs [--seconds 5] [--rounds 3] [--no-record]
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { wrk } from "./serve/load.mjs";

const arg = (n, d) => (process.argv.includes(`--${n}`) ? Number(process.argv[process.argv.indexOf(`--${n}`) + 1]) : d);
const SECONDS = arg("seconds", 5);
const ROUNDS = arg("rounds", 3);
const ENTITIES = 10_000;
const rotate = `local i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(nil, nil, nil, '{"records":[{"id":"E' .. ((i * 7919) % ${ENTITIES}) .. '"}]}')\nend\n`;
const load0 = os.loadavg().map((x) => x.toFixed(2)).join(" ");
const TICK_US = 1e6 / 100; // /proc/<pid>/stat counts clock ticks of 10 ms (USER_HZ 100)
const cpuUs = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * TICK_US;
};
const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

async function measure(cacheRows) {
  const env = { ...process.env, ...(cacheRows === null ? {} : { MILLRACE_ONLINE_CACHE_ROWS: String(cacheRows) }) };
  const child = spawn(process.execPath, [new URL("./features/serve-pair.mjs", import.meta.url).pathname], { stdio: ["ignore", "pipe", "inherit"], env });
  const info = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      try {
        resolve(JSON.parse(out));
      } catch {
        /* wait */
      }
    });
    child.on("exit", (c) => reject(new Error(`serve-pair exited ${c}`)));
  });
  try {
    for (const [url, body] of [[info.a, info.bodyA], [info.b, info.bodyB]]) {
      const r = await fetch(`${url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (r.status !== 200) throw new Error(`${url}: ${r.status} ${await r.text()}`);
    }
    const run = (which) => {
      const c0 = cpuUs(child.pid);
      const r = which === "a" ? wrk(`${info.a}/predict`, info.bodyA, { seconds: SECONDS, lua: rotate }) : wrk(`${info.b}/predict`, info.bodyB, { seconds: SECONDS });
      return { ...r, cpuUsPerReq: (cpuUs(child.pid) - c0) / Math.max(1, r.requests) };
    };
    wrk(`${info.a}/predict`, info.bodyA, { seconds: 1, lua: rotate });
    wrk(`${info.b}/predict`, info.bodyB, { seconds: 1 });
    const a = [];
    const b = [];
    for (let i = 0; i < ROUNDS; i++) {
      a.push(run("a"));
      b.push(run("b"));
    }
    const sum = (xs) => ({ rps: med(xs.map((x) => x.rps)), p99: med(xs.map((x) => x.p99)), cpu: med(xs.map((x) => x.cpuUsPerReq)), bad: xs.reduce((s, x) => s + x.non2xx + x.socketErrors, 0) });
    return { a: sum(a), b: sum(b) };
  } finally {
    child.kill("SIGTERM");
  }
}

const cached = await measure(null);
const uncached = await measure(0);
const load1 = os.loadavg().map((x) => x.toFixed(2)).join(" ");
const line = (name, m) => `${name}: lookup ${m.a.rps.toFixed(0)} req/s (p99 ${m.a.p99.toFixed(2)} ms, ${m.a.cpu.toFixed(0)} µs CPU/req) vs features in request ${m.b.rps.toFixed(0)} req/s (p99 ${m.b.p99.toFixed(2)} ms, ${m.b.cpu.toFixed(0)} µs CPU/req): ${(m.a.rps / m.b.rps).toFixed(2)}x req/s, ${(m.b.cpu / m.a.cpu).toFixed(2)}x CPU; errors ${m.a.bad + m.b.bad}`;
console.log(line("row cache on", cached));
console.log(line("row cache off", uncached));
if (!process.argv.includes("--no-record")) {
  const row = (name, m) => `| ${name} | ${m.a.rps.toFixed(0)} | ${m.b.rps.toFixed(0)} | **${(m.a.rps / m.b.rps).toFixed(2)}×** | ${m.a.cpu.toFixed(0)} | ${m.b.cpu.toFixed(0)} | ${(m.b.cpu / m.a.cpu).toFixed(2)}× | ${m.a.p99.toFixed(2)} / ${m.b.p99.toFixed(2)} | ${m.a.bad + m.b.bad} |`;
  fs.appendFileSync(new URL("./RESULTS.md", import.meta.url), [
    "",
    `## Feature store: /predict with online lookup vs features in the request — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Command: \`node bench/features-serve.mjs\` (wrk 1 thread, 16 connections, ${SECONDS} s × ${ROUNDS} alternated rounds, median; one server process, SQLite online store, ${ENTITIES.toLocaleString("en-US")} entities (requests by key rotate over all of them), 12 features in 2 views + 1 on-demand, logistic regression). Machine: ${os.cpus().length} × ${os.cpus()[0].model.trim()}, node ${process.version}; shared, load ${load0} at start, ${load1} at end. Server CPU per request from /proc (10 ms ticks over ≥ 5 s runs).`,
    "",
    "| store read | by key req/s | features in request req/s | req/s ratio (goal ≥ 0.5×) | by key CPU µs/req | in request CPU µs/req | CPU ratio | p99 ms by key / in request | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    row("row cache on (default)", cached),
    row("row cache off (every request reads SQLite)", uncached),
    "",
  ].join("\n"));
}
