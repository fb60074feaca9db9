// What the slow single-record /predict requests coincide with: one serving process (worker.mjs, log on unless LOG=0)
// under wrk; a preloaded probe records, from the first SIGUSR2 to the second, every answer's finish time and socket, the
// server's GC pauses (kind, start, duration), the prediction log's flushes and disk writes (start, end), event-loop
// delay, and per-thread CPU and the main thread's involuntary context switches. A request's latency is taken as the time
// between its answer and the previous answer on the same connection (wrk sends the next request as soon as it reads
// one), so a slow request is an interval; each interval above the threshold (default wrk's p99) is attributed to what
// overlaps it: a scavenge, a mark-compact, a log write in progress, a flush, or nothing the server recorded.
//   ROUNDS=2 SECONDS=8 CONNECTIONS=16 [LOG=0] [LOGROOT=/dev/shm] [NODE_FLAGS="--max-semi-space-size=4"] [ROOT=/path/to/checkout] node bench/serve/tail-events.mjs
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { loadChurn, trainChurn } from "./churn.mjs";
import { freePort, launch, tmp, waitFor, wrk } from "./load.mjs";

const here = new URL(".", import.meta.url).pathname;
const ROOT = resolve(process.env.ROOT && process.env.ROOT !== "bare" ? process.env.ROOT : join(here, "../.."));
// ROOT=bare probes the bare node:http endpoint (bare.mjs) instead, for the same figures under the same load.
const BARE = process.env.ROOT === "bare";
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const SECONDS = Number(process.env.SECONDS ?? 8);
const CONNS = Number(process.env.CONNECTIONS ?? 16);
const { records } = loadChurn();
const body = JSON.stringify({ records: [records[0]] });
const model = join(tmp, "tail-events.bin");
writeFileSync(model, (await trainChurn({ name: "logistic", model: "logistic_regression", params: {} })).bytes);
const alias = join(tmp, "tail-events-alias");
writeFileSync(alias, model);

const probe = join(tmp, "tail-events-probe.mjs");
writeFileSync(
  probe,
  `import dc from "node:diagnostics_channel"; import { PerformanceObserver, monitorEventLoopDelay } from "node:perf_hooks";
import { readFileSync, readdirSync, writeFileSync } from "node:fs"; import v8 from "node:v8";
const spaces = () => Object.fromEntries(v8.getHeapSpaceStatistics().map((x) => [x.space_name, x.space_used_size]));
let sp0; const mcSpaces = [];
new PerformanceObserver((l) => { if (on) for (const e of l.getEntries()) if (e.detail?.kind === 4) mcSpaces.push(spaces()); }).observe({ entryTypes: ["gc"] });
const { PredictionLog } = await import(${JSON.stringify(join(ROOT, "dist/monitor/prediction-log.js"))});
let on = false; const N = 4e6; const fin = new Float64Array(N); const cpuAt = new Float64Array(N); const sock = new Int32Array(N); let n = 0;
const ids = new WeakMap(); let nextId = 0;
dc.subscribe("http.server.response.finish", ({ socket }) => { if (!on || n >= N) return; let id = ids.get(socket); if (id === undefined) ids.set(socket, (id = nextId++)); const u = process.cpuUsage(); cpuAt[n] = (u.user + u.system) / 1000; fin[n] = performance.now(); sock[n++] = id; });
const gcs = []; new PerformanceObserver((l) => { if (on) for (const e of l.getEntries()) gcs.push([e.detail?.kind ?? 0, e.startTime, e.duration]); }).observe({ entryTypes: ["gc"] });
const flushes = [], writes = [], encodes = [];
const flush = PredictionLog.prototype.flush; PredictionLog.prototype.flush = function () { const t = performance.now(); const r = flush.call(this); if (on) flushes.push([t, performance.now()]); return r; };
const write = PredictionLog.prototype.write; PredictionLog.prototype.write = async function (b) { const t = performance.now(); try { return await write.call(this, b); } finally { if (on) writes.push([t, performance.now()]); } };
// A burst is the encode calls of one event-loop turn (one setImmediate pass over the waiting entries): a flag set by the
// first call is cleared by an immediate, which runs in the next turn's check phase. (Merging calls by a time gap instead
// glued consecutive turns of a busy server into "bursts" of tens of ms.)
const encode = PredictionLog.prototype.encode; let encStart = -1, encLast = -1, inTurn = false, encCalls = 0; const turnCalls = [];
PredictionLog.prototype.encode = function (e, k) { const t = performance.now(); if (on && !inTurn) { if (encStart >= 0) { encodes.push([encStart, encLast]); turnCalls.push(encCalls); } encStart = t; encCalls = 0; inTurn = true; setImmediate(() => { inTurn = false; }); } encode.call(this, e, k); encCalls++; encLast = performance.now(); };
const eld = monitorEventLoopDelay({ resolution: 1 });
const threads = () => Object.fromEntries(readdirSync("/proc/self/task").map((t) => { const s = readFileSync("/proc/self/task/" + t + "/stat", "utf8"); const comm = s.slice(s.indexOf("(") + 1, s.lastIndexOf(")")); const f = s.slice(s.lastIndexOf(")") + 2).split(" "); return [t + ":" + comm, Number(f[11]) + Number(f[12])]; }));
const ctx = () => Number(/nonvoluntary_ctxt_switches:\\s+(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]);
let t0, th0, c0;
process.on("SIGUSR2", () => {
  if (!on) { on = true; t0 = performance.now(); th0 = threads(); c0 = ctx(); sp0 = spaces(); eld.enable(); return; }
  on = false; eld.disable(); const th1 = threads();
  const cpu = Object.fromEntries(Object.keys(th1).map((k) => [k, (th1[k] - (th0[k] ?? 0)) * 10]).filter(([, v]) => v > 0));
  writeFileSync(process.env.PROBE_OUT, JSON.stringify({ t0, t1: performance.now(), fin: Array.from(fin.subarray(0, n)), cpuAt: Array.from(cpuAt.subarray(0, n)), sock: Array.from(sock.subarray(0, n)), gcs, flushes, writes, encodes, turnCalls, cpuMs: cpu, involuntary: ctx() - c0, sp0, sp1: spaces(), mcSpaces, newSpaceMB: v8.getHeapSpaceStatistics().find((x) => x.space_name === "new_space").space_size / 1e6, eld: { max: eld.max / 1e6, p99: eld.percentile(99) / 1e6, mean: eld.mean / 1e6 } }));
});
`,
);

const overlaps = (a, b, s, e) => s < b && e > a;
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

for (let r = 0; r < ROUNDS; r++) {
  const out = join(tmp, `tail-events-${r}.json`);
  const port = await freePort();
  const flags = (process.env.NODE_FLAGS ?? "").split(" ").filter(Boolean);
  const p = launch("node", [...flags, `--import=${probe}`, BARE ? join(here, "bare.mjs") : join(ROOT, "bench/serve/worker.mjs")], {
    ALIAS_FILE: alias,
    PORT: String(port),
    WORKERS: "1",
    LOG_DIR: process.env.LOG === "0" ? "" : mkdtempSync(join(process.env.LOGROOT ?? tmp, "tail-events-log-")),
    PROBE_OUT: out,
  });
  await waitFor(`http://127.0.0.1:${port}/${BARE ? "" : "ready"}`, 60_000, 5, p.child);
  const url = `http://127.0.0.1:${port}/${BARE ? "" : "predict"}`;
  wrk(url, body, { connections: CONNS, seconds: 3 });
  process.kill(p.child.pid, "SIGUSR2");
  const s = wrk(url, body, { connections: CONNS, seconds: SECONDS });
  process.kill(p.child.pid, "SIGUSR2");
  await new Promise((ok) => setTimeout(ok, 500));
  await p.stop();
  const d = JSON.parse(readFileSync(out, "utf8"));
  // Latency of each answer: since the previous answer on its connection.
  const last = new Map();
  const lat = [];
  for (let i = 0; i < d.fin.length; i++) {
    const prev = last.get(d.sock[i]);
    if (prev !== undefined) lat.push([prev, d.fin[i]]);
    last.set(d.sock[i], d.fin[i]);
  }
  const sorted = lat.map(([a, b]) => b - a).sort((x, y) => x - y);
  const threshold = Number(process.env.THRESHOLD_MS ?? s.p99);
  if (lat.length === 0) continue;
  const slow = lat.filter(([a, b]) => b - a > threshold);
  const scav = d.gcs.filter((g) => g[0] === 1);
  const major = d.gcs.filter((g) => g[0] !== 1);
  const cls = { scavenge: 0, "mark-compact/other GC": 0, "log encode burst": 0, "log flush": 0, "log disk write in flight": 0, none: 0 };
  for (const [a, b] of slow) {
    if (major.some((g) => overlaps(a, b, g[1], g[1] + g[2]))) cls["mark-compact/other GC"]++;
    else if (scav.some((g) => overlaps(a, b, g[1], g[1] + g[2]))) cls.scavenge++;
    else if (d.flushes.some(([x, y]) => overlaps(a, b, x, y + 0.01))) cls["log flush"]++;
    else if (d.encodes.some(([x, y]) => y - x > 0.3 && overlaps(a, b, x, y))) cls["log encode burst"]++;
    else if (d.writes.some(([x, y]) => overlaps(a, b, x, y))) cls["log disk write in flight"]++;
    else cls.none++;
  }
  // Stalls: gaps between consecutive answers (any connection) over 1 ms, and what overlaps the longest ones.
  const gaps = [];
  // With the process's CPU time spent over the gap: a server busy through it (≥ 70%: its own work, GC included) or
  // off the CPU (descheduled by other load, or waiting on the client).
  for (let i = 1; i < d.fin.length; i++) if (d.fin[i] - d.fin[i - 1] > 1) gaps.push([d.fin[i - 1], d.fin[i], d.cpuAt[i] - d.cpuAt[i - 1]]);
  gaps.sort((x, y) => y[1] - y[0] - (x[1] - x[0]));
  const what = ([a, b, c]) =>
    [
      `cpu ${Math.round((100 * c) / (b - a))}%`,
      ...d.gcs.filter((g) => overlaps(a, b, g[1], g[1] + g[2])).map((g) => `gc${g[0]} ${g[2].toFixed(2)}ms`),
      ...d.flushes.filter(([x, y]) => overlaps(a, b, x, y + 0.01)).map(([x, y]) => `flush ${(y - x).toFixed(2)}ms`),
      ...d.encodes.filter(([x, y]) => overlaps(a, b, x, y)).map(([x, y]) => `encode ${(y - x).toFixed(2)}ms`),
      ...(d.writes.some(([x, y]) => overlaps(a, b, x, y)) ? ["write in flight"] : []),
    ].join(", ") || "nothing recorded";
  const secs = (d.t1 - d.t0) / 1000;
  const gcMs = (l) => l.reduce((x, g) => x + g[2], 0);
  const writeBusy = d.writes.reduce((x, [a, b]) => x + b - a, 0);
  const encBursts = d.encodes.map(([x, y]) => y - x).sort((x, y) => y - x);
  console.log(
    `round ${r + 1}: wrk ${s.rps.toFixed(0)} req/s p50 ${s.p50} p90 ${s.p90} p99 ${s.p99} ms; answers ${d.fin.length}; server-side interval p50 ${pct(sorted, 50).toFixed(2)} p99 ${pct(sorted, 99).toFixed(2)} max ${sorted[sorted.length - 1].toFixed(2)} ms; load ${loadavg()[0].toFixed(1)}`,
  );
  console.log(
    `  GC: ${scav.length} scavenges (${gcMs(scav).toFixed(0)} ms, max ${Math.max(0, ...scav.map((g) => g[2])).toFixed(2)}), ${major.length} other (${gcMs(major).toFixed(0)} ms, max ${Math.max(0, ...major.map((g) => g[2])).toFixed(2)}); young generation at the end ${d.newSpaceMB.toFixed(1)} MB; per 100k answers: ${((scav.length * 1e5) / d.fin.length).toFixed(1)} scavenges, ${((major.length * 1e5) / d.fin.length).toFixed(1)} other`,
  );
  console.log(`  log: ${d.flushes.length} flushes (max sync ${Math.max(0, ...d.flushes.map(([a, b]) => b - a)).toFixed(2)} ms), writes in flight ${((100 * writeBusy) / (d.t1 - d.t0)).toFixed(0)}% of the time; encode turns ${encBursts.length}, longest ${encBursts.slice(0, 3).map((x) => x.toFixed(2)).join("/")} ms, entries per turn max ${Math.max(0, ...d.turnCalls)}`);
  const mb = (o) => Object.entries(o).filter(([, v]) => v > 1e5).map(([k, v]) => `${k.replace("_space", "")} ${(v / 1e6).toFixed(1)}`).join(" ");
  console.log(`  heap MB at start: ${mb(d.sp0)}; at end: ${mb(d.sp1)}; after each mark-compact: ${d.mcSpaces.map((x) => (x.old_space / 1e6).toFixed(1) + "+lo " + (x.large_object_space / 1e6).toFixed(1)).join(", ")}`);
  console.log(`  event loop delay max ${d.eld.max.toFixed(2)} p99 ${d.eld.p99.toFixed(2)} ms; main thread involuntary switches ${d.involuntary} (${(d.involuntary / secs).toFixed(0)}/s); thread CPU ms: ${JSON.stringify(d.cpuMs)}`);
  console.log(`  ${slow.length} intervals > ${threshold} ms coincide with: ${Object.entries(cls).map(([k, v]) => `${k} ${((100 * v) / Math.max(1, slow.length)).toFixed(0)}%`).join(", ")}`);
  const busy = gaps.filter(([a, b, c]) => c >= 0.7 * (b - a));
  const busyWhat = { gc: 0, "log encode": 0, "log flush": 0, other: 0 };
  for (const [a, b] of busy) {
    if (d.gcs.some((g) => overlaps(a, b, g[1], g[1] + g[2]))) busyWhat.gc++;
    else if (d.encodes.some(([x, y]) => overlaps(a, b, x, y))) busyWhat["log encode"]++;
    else if (d.flushes.some(([x, y]) => overlaps(a, b, x, y + 0.01))) busyWhat["log flush"]++;
    else busyWhat.other++;
  }
  const total = (l) => l.reduce((x, [a, b]) => x + b - a, 0).toFixed(0);
  console.log(`  stalls > 1 ms: ${gaps.length} (${total(gaps)} ms), of which the server was busy through ${busy.length} (${total(busy)} ms; with GC ${busyWhat.gc}, log encode ${busyWhat["log encode"]}, flush ${busyWhat["log flush"]}, other ${busyWhat.other}); busy > 2 ms: ${busy.filter(([a, b]) => b - a > 2).length}; busy with a log write in flight ${busy.filter(([a, b]) => d.writes.some(([x, y]) => overlaps(a, b, x, y))).length}`);
  console.log(`  ${gaps.length} stalls > 1 ms (no answer on any connection); longest: ${gaps.slice(0, 6).map((g) => `${(g[1] - g[0]).toFixed(2)}ms [${what(g)}]`).join("; ")}`);
}
