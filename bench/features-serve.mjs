// /predict with features looked up online (requests carry only the entity key) vs /predict with the same features in
// the request, same model, same process, wrk alternating A, B, A, B… (issue 16 goal: ≥ 0.5× the req/s).
// Usage: node bench/features-serve.mjs [--seconds 5] [--rounds 3] [--no-record]
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { wrk } from "./serve/load.mjs";

const arg = (n, d) => (process.argv.includes(`--${n}`) ? Number(process.argv[process.argv.indexOf(`--${n}`) + 1]) : d);
const SECONDS = arg("seconds", 5);
const ROUNDS = arg("rounds", 3);
const load0 = os.loadavg().map((x) => x.toFixed(2)).join(" ");
const child = spawn(process.execPath, [new URL("./features/serve-pair.mjs", import.meta.url).pathname], { stdio: ["ignore", "pipe", "inherit"] });
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
  wrk(`${info.a}/predict`, info.bodyA, { seconds: 1 });
  wrk(`${info.b}/predict`, info.bodyB, { seconds: 1 });
  const a = [];
  const b = [];
  for (let i = 0; i < ROUNDS; i++) {
    a.push(wrk(`${info.a}/predict`, info.bodyA, { seconds: SECONDS }));
    b.push(wrk(`${info.b}/predict`, info.bodyB, { seconds: SECONDS }));
  }
  const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const ra = med(a.map((x) => x.rps));
  const rb = med(b.map((x) => x.rps));
  const bad = [...a, ...b].reduce((s, x) => s + x.non2xx + x.socketErrors, 0);
  const load1 = os.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(`lookup ${ra.toFixed(0)} req/s (p99 ${med(a.map((x) => x.p99)).toFixed(2)} ms) vs features in request ${rb.toFixed(0)} req/s (p99 ${med(b.map((x) => x.p99)).toFixed(2)} ms): ${(ra / rb).toFixed(2)}x; errors ${bad}`);
  if (!process.argv.includes("--no-record")) {
    fs.appendFileSync(new URL("./RESULTS.md", import.meta.url), [
      "",
      `## Feature store: /predict with online lookup vs features in the request — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
      "",
      `Command: \`node bench/features-serve.mjs\` (wrk 1 thread, 16 connections, ${SECONDS} s × ${ROUNDS} alternated rounds, median; one server process, SQLite online store, 10k entities, 12 features in 2 views + 1 on-demand, logistic regression). Machine: ${os.cpus().length} × ${os.cpus()[0].model.trim()}, node ${process.version}; shared, load ${load0} at start, ${load1} at end.`,
      "",
      "| measure | by entity key (lookup) | features in the request | ratio |",
      "|---|---|---|---|",
      `| req/s (median) | ${ra.toFixed(0)} | ${rb.toFixed(0)} | ${(ra / rb).toFixed(2)}× (issue goal ≥ 0.5×) |`,
      `| p99 ms (median) | ${med(a.map((x) => x.p99)).toFixed(2)} | ${med(b.map((x) => x.p99)).toFixed(2)} | |`,
      `| non-2xx + socket errors | ${a.reduce((s, x) => s + x.non2xx + x.socketErrors, 0)} | ${b.reduce((s, x) => s + x.non2xx + x.socketErrors, 0)} | |`,
      "",
    ].join("\n"));
  }
} finally {
  child.kill("SIGTERM");
}
