// Where a single request's server CPU goes, on-CPU (perf, not the wall-clock sampler of profile.mjs): one server
// process under wrk, `perf record -g` on every thread of it (kernel and libuv/V8 helper threads included), each sample
// charged to the nearest JavaScript function on its stack (native and kernel frames under it count as its cost) or,
// with none, to a native/kernel bucket; scaled to µs per request by the process group's CPU time over the same run.
//   node bench/serve/perf-profile.mjs [predict|v2|bare|bare-v2] [build dir, default this checkout]   (after npm run build)
//   SECONDS=6 CONNECTIONS=16 TOP=30 WARM_REQUESTS=40000 (warm-up, at most 30 s); needs perf (apt-get install linux-perf) and root or perf_event_paranoid ≤ 1
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { loadChurn, trainChurn } from "./churn.mjs";
import { groupCpuMicros, launch, tmp, waitFor, wrk } from "./load.mjs";
import { v2Body } from "./vs-bare.mjs";

const kind = process.argv[2] ?? "predict";
const root = resolve(process.argv[3] ?? new URL("../..", import.meta.url).pathname);
const SECONDS = Number(process.env.SECONDS ?? 6);
const CONNS = Number(process.env.CONNECTIONS ?? 16);
const TOP = Number(process.env.TOP ?? 30);
const WARM = Number(process.env.WARM_REQUESTS ?? 40_000);

/** The bucket of one sample's stack (leaf first): our code by file, node's JavaScript by function, else native/kernel. */
function bucket(stack) {
  const js = stack.findIndex((f) => f.startsWith("JS:"));
  const below = js < 0 ? stack : stack.slice(0, js);
  if (below.some((f) => /Scaveng|MarkCompact|Sweep|Heap::|ConcurrentMarking/.test(f))) return "garbage collector";
  if (below.some((f) => f.includes("sendmsg") || f.includes("writev"))) return "kernel: socket send (writev, loopback delivery)";
  if (js < 0) {
    if (below.some((f) => f.includes("epoll"))) return "kernel/libuv: epoll wait";
    if (below.some((f) => f.includes("recvmsg") || f.includes("sock_read") || /^read$/.test(f))) return "kernel: socket read";
    if (below.some((f) => f.includes("llhttp") || f.includes("Parser"))) return "native: HTTP parser (llhttp)";
    if (stack[stack.length - 1]?.includes("start_thread")) return below.some((f) => f.includes("compiler")) ? "other threads: JIT compiler" : "other threads: GC helpers, fs thread pool";
    return "native: libuv, V8 entry, malloc (no JS frame)";
  }
  const f = stack[js];
  const m = /\/dist\/(\S+?)\.js/.exec(f);
  if (m) return `ours: ${m[1]}`;
  if (/ :\d+:\d+$/.test(f) || f.includes("bench/serve/bare")) return f.includes("bare") ? "bare endpoint's handler" : "ours: generated code";
  return `node: ${f.replace(/^JS:[*^~+-]?/, "").replace(/ node:/, " ")}`;
}

const { records } = loadChurn();
const rows = [records[0]];
const v2 = kind.endsWith("v2");
const body = v2 ? v2Body(rows) : JSON.stringify({ records: rows });
const bare = kind.startsWith("bare");
let child;
if (bare) child = launch("node", ["--perf-basic-prof-only-functions", join(root, "bench/serve/bare.mjs")], { PORT: "8841" });
else {
  const model = join(tmp, "perf-logreg.bin");
  writeFileSync(model, (await trainChurn({ name: "logistic", model: "logistic_regression", params: {} })).bytes);
  const alias = join(tmp, "perf-alias");
  writeFileSync(alias, model);
  child = launch("node", ["--perf-basic-prof-only-functions", join(root, "bench/serve/worker.mjs")], { ALIAS_FILE: alias, PORT: "8841", WORKERS: "1", LOG_DIR: mkdtempSync(join(tmp, "perf-log-")) });
}
await waitFor(`http://127.0.0.1:8841/${bare ? "" : "ready"}`, 60_000, 5, child.child);
const url = `http://127.0.0.1:8841${bare ? "/" : v2 ? "/v2/models/churn/infer" : "/predict"}`;
// JIT warm-up by request count, not time: on a loaded machine 3 s are a few thousand requests and the profile would
// show the optimizing compiler still at work.
for (let done = 0, t0 = Date.now(); done < WARM && Date.now() - t0 < 30_000; ) done += wrk(url, body, { connections: CONNS, seconds: 2 }).requests;
const data = join(tmp, `perf-${kind}.data`);
const perf = spawn("perf", ["record", "-F", "2999", "-g", "-o", data, "-p", String(child.child.pid), "--", "sleep", String(SECONDS + 1)], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 300));
const c0 = groupCpuMicros(child.child.pid);
const r = wrk(url, body, { connections: CONNS, seconds: SECONDS });
const cpu = (groupCpuMicros(child.child.pid) - c0) / r.requests;
await new Promise((res) => perf.once("exit", res));
await child.stop();

const counts = new Map();
let total = 0;
let stack = [];
const flush = () => {
  if (stack.length === 0) return;
  const b = bucket(stack);
  counts.set(b, (counts.get(b) ?? 0) + 1);
  total++;
  stack = [];
};
const text = execFileSync("perf", ["script", "-i", data, "-F", "ip,sym,dso"], { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] });
for (const line of text.split("\n")) {
  if (line.trim() === "") flush();
  else if (line[0] === " " || line[0] === "\t") {
    const m = /^\s*\S+\s+(.*?)(?:\+0x[0-9a-f]+)?\s+\(([^)]*)\)$/.exec(line);
    if (m) stack.push(m[2].includes("kernel") ? `[k]${m[1]}` : m[1]);
  }
}
flush();
const say = (s) => process.stdout.write(`${s}\n`);
say(`${kind} (${root}): ${r.rps.toFixed(0)} req/s, server CPU ${cpu.toFixed(1)} µs per request (process group, user + system), ${total} samples, failed ${r.non2xx + r.socketErrors}; load ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
const groups = new Map();
for (const [k, v] of counts) {
  const g = k.split(":")[0];
  groups.set(g, (groups.get(g) ?? 0) + v);
}
say(`by kind: ${[...groups].sort((a, b) => b[1] - a[1]).map(([g, v]) => `${g} ${((cpu * v) / total).toFixed(1)} µs`).join(", ")}`);
say("| where (nearest JS function, or native/kernel) | µs per request | share |\n|---|---:|---:|");
for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, TOP)) say(`| ${k} | ${((cpu * v) / total).toFixed(2)} | ${((100 * v) / total).toFixed(1)}% |`);
