// The tail of single-record /predict and what the garbage collector adds to it: builds (or the bare endpoint)
// alternated round by round, each one process under wrk; per run: req/s, p50/p90/p99, server CPU per request and the
// server's GC (young-generation collections: count, total and longest pause; others) over the measured seconds.
// LOG=0 serves with the prediction log off; PIN=1 (load.mjs) puts wrk on core 0 and the server on core 1.
//   ROOTS=bare,/path/to/checkout-a,/path/to/checkout-b|--some-node-flag ROUNDS=3 SECONDS=5 CONNECTIONS=32 node bench/serve/gc-tail.mjs
// ROUTE=v2 sends the same record as a KServe V2 infer body to /v2/models/churn/infer (bare parses the same body).
// A root is a directory holding bench/serve/worker.mjs and its dist/ (a copy of an older build for an A/B); `|flags`
// after it adds node flags. ALLOC=1 also samples the server's allocations (heap profiler, collected objects included)
// and prints the top allocation sites in bytes per request.
import { writeFileSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { loadChurn, trainChurn } from "./churn.mjs";
import { v2Body } from "./vs-bare.mjs";
import { freePort, groupCpuMicros, launch, tmp, waitFor, wrk } from "./load.mjs";

const here = new URL(".", import.meta.url).pathname;
const roots = (process.env.ROOTS ?? `bare,${resolve(here, "../..")}`).split(",");
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 5);
const CONNS = Number(process.env.CONNECTIONS ?? 32);
const ALLOC = process.env.ALLOC === "1";

const { records } = loadChurn();
const V2 = process.env.ROUTE === "v2";
const body = V2 ? v2Body([records[0]]) : JSON.stringify({ records: [records[0]] });
const model = join(tmp, "gc-tail-logreg.bin");
writeFileSync(model, (await trainChurn({ name: "logistic", model: "logistic_regression", params: {} })).bytes);
const alias = join(tmp, "gc-tail-alias");
writeFileSync(alias, model);

// Preloaded into the server: sampling heap profile from SIGUSR2 (after the warm-up) to SIGTERM, written as JSON.
const profDir = mkdtempSync(join(tmp, "gc-tail-alloc-"));
const preload = join(tmp, "gc-tail-alloc.mjs");
writeFileSync(
  preload,
  `import { Session } from "node:inspector"; import { writeFileSync } from "node:fs";
const s = new Session(); s.connect(); s.post("HeapProfiler.enable");
const start = () => s.post("HeapProfiler.startSampling", { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
start();
process.on("SIGUSR2", () => s.post("HeapProfiler.stopSampling", () => start()));
process.on("SIGTERM", () => s.post("HeapProfiler.stopSampling", (e, r) => { if (!e) writeFileSync(${JSON.stringify(profDir)} + "/" + process.pid + ".json", JSON.stringify(r.profile)); }));
`,
);

/** Bytes per request by allocation site (function, file:line and its three callers), top 25. */
function allocationSites(file, requests) {
  const p = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map();
  (function walk(n, path) {
    const f = n.callFrame;
    n.name = `${f.functionName || "(anonymous)"} ${f.url.replace(/.*\/dist\//, "dist/")}:${f.lineNumber + 1}`;
    n.path = path;
    byId.set(n.id, n);
    for (const c of n.children) walk(c, [n.name, ...path].slice(0, 3));
  })(p.head, []);
  const sites = new Map();
  let total = 0;
  for (const s of p.samples) {
    const n = byId.get(s.nodeId);
    if (!n) continue; // a sample whose stack node the profile left out
    const key = `${n.name}  <- ${n.path.join(" <- ")}`;
    sites.set(key, (sites.get(key) ?? 0) + s.size);
    total += s.size;
  }
  console.log(`  allocated ${(total / requests).toFixed(0)} bytes per request; top sites:`);
  // Allocations of 32 KB or more (large-object space, old generation at once): count and bytes per site over the run.
  const large = new Map();
  for (const s of p.samples) {
    if (s.size < 32768) continue;
    const n = byId.get(s.nodeId);
    const key = n ? `${n.name}  <- ${n.path.join(" <- ")}` : "?";
    const l = large.get(key) ?? [0, 0];
    large.set(key, [l[0] + 1, l[1] + s.size]);
  }
  for (const [k, [c, b]] of [...large].sort((a, b) => b[1][1] - a[1][1]).slice(0, 8)) console.log(`  large: ${c} × avg ${(b / c / 1024).toFixed(0)} KB  ${k}`);
  for (const [k, v] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${(v / requests).toFixed(0).padStart(6)}  ${k}`);
}

for (let r = 0; r < ROUNDS; r++) {
  for (const root of roots) {
    const [dir, flags = ""] = root.split("|");
    const bare = dir === "bare";
    const script = bare ? join(here, "bare.mjs") : join(dir, "bench/serve/worker.mjs");
    const nodeArgs = [...flags.split(" ").filter(Boolean), ...(ALLOC && !bare ? [`--import=${preload}`] : [])];
    const port = await freePort();
    const p = launch("node", [...nodeArgs, script], { ALIAS_FILE: alias, PORT: String(port), WORKERS: "1", LOG_DIR: process.env.LOG === "0" ? "" : mkdtempSync(join(tmp, "gc-tail-log-")), GC_STATS: bare ? "" : "1" });
    await waitFor(`http://127.0.0.1:${port}/${bare ? "" : "ready"}`, 60_000, 5, p.child);
    const url = `http://127.0.0.1:${port}${bare ? "/" : V2 ? "/v2/models/churn/infer" : "/predict"}`;
    wrk(url, body, { connections: CONNS, seconds: 3 }); // JIT warm-up
    if (!bare) process.kill(p.child.pid, "SIGUSR2"); // GC counts (worker.mjs GC_STATS) and allocation samples from here
    const c0 = groupCpuMicros(p.child.pid);
    const s = wrk(url, body, { connections: CONNS, seconds: SECONDS });
    const cpu = (groupCpuMicros(p.child.pid) - c0) / s.requests;
    await p.stop();
    const line = `${root}: ${s.rps.toFixed(0)} req/s, server CPU ${cpu.toFixed(1)} µs/request, p50 ${s.p50} p90 ${s.p90} p99 ${s.p99} ms; load ${loadavg()[0].toFixed(1)}`;
    console.log(line);
    if (ALLOC && !bare) {
      const f = readdirSync(profDir).find((n) => n.startsWith(`${p.child.pid}.`));
      if (f) allocationSites(join(profDir, f), s.requests);
    }
  }
}
