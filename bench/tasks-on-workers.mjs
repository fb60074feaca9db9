// Tasks on workers (issue 13): CPU of `millrace run examples/churn` in process (execution.executor: local) vs the
// same run with every task a BullMQ job on two `millrace worker` processes (Redis at MILLRACE_REDIS_URL or
// 127.0.0.1:6379), alternated, from a clean copy each time. CPU = the pipeline process + each worker's process tree
// (its sandboxed children, live or reaped), read from /proc; wall is printed but means little on a shared machine.
//   node bench/tasks-on-workers.mjs [--rounds 3]
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "dist/cli/main.js");
const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1] || 3) || 3;
const redis = process.env.MILLRACE_REDIS_URL ?? "redis://127.0.0.1:6379";
const TICK = 100;

function copy() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bench-workers-"));
  fs.cpSync(path.join(root, "examples/churn"), dir, { recursive: true, filter: (s) => !s.includes(".millrace") });
  return dir;
}

/** CPU seconds of a process and its descendants (their own time, and what they reaped). */
function treeCpu(pid) {
  const stats = [];
  for (const p of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const s = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
      stats.push({ pid: Number(p), ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK });
    } catch { /* gone */ }
  }
  const sum = (id) => stats.filter((s) => s.ppid === id).reduce((a, s) => a + sum(s.pid), stats.find((s) => s.pid === id)?.cpu ?? 0);
  return sum(pid);
}

/** The run under /usr/bin/time: its CPU (user + sys, children included) and wall. */
function timedRun(dir, env) {
  const r = spawnSync("/usr/bin/time", ["-f", "TIME %U %S %e", process.execPath, cli, "run", dir, "--json"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env } });
  const m = r.stderr.match(/TIME ([\d.]+) ([\d.]+) ([\d.]+)/);
  if (r.status !== 0 || !m) throw new Error(`millrace run failed: ${r.stdout.slice(0, 500)}\n${r.stderr.slice(-1000)}`);
  const s = JSON.parse(r.stdout);
  return { cpu: Number(m[1]) + Number(m[2]), wall: Number(m[3]), summary: s };
}

function local() {
  const dir = copy();
  const out = timedRun(dir, { MILLRACE_EXECUTOR: "local" });
  fs.rmSync(dir, { recursive: true, force: true });
  return { cpu: out.cpu, pipelineCpu: out.cpu, wall: out.wall, tasks: Object.keys(out.summary.tasks).length };
}

async function onWorkers() {
  const dir = copy();
  const env = { ...process.env, NO_COLOR: "1", MILLRACE_EXECUTOR: "bullmq", MILLRACE_REDIS_URL: redis, MILLRACE_QUEUE: `bench-${process.pid}-${Date.now()}` };
  const workers = [0, 1].map(() => spawn(process.execPath, [cli, "worker", dir, "--json"], { env, stdio: ["ignore", "pipe", "ignore"] }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.stdout.on("data", (d) => String(d).includes('"ready"') && resolve()))));
  const before = workers.map((w) => treeCpu(w.pid));
  const out = timedRun(dir, env);
  const workerCpu = workers.reduce((a, w, i) => a + treeCpu(w.pid) - before[i], 0);
  const onWorker = Object.values(out.summary.tasks).filter((t) => t.worker).length;
  for (const w of workers) w.kill("SIGTERM");
  await Promise.all(workers.map((w) => new Promise((resolve) => (w.exitCode !== null ? resolve() : w.on("exit", resolve)))));
  fs.rmSync(dir, { recursive: true, force: true });
  return { cpu: out.cpu + workerCpu, pipelineCpu: out.cpu, workerCpu, wall: out.wall, tasks: Object.keys(out.summary.tasks).length, onWorker };
}

const a = [];
const b = [];
for (let i = 0; i < rounds; i++) {
  a.push(local());
  b.push(await onWorkers());
}
const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const fmt = (xs) => xs.map((x) => x.toFixed(2)).join(", ");
console.log(`load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}; ${rounds} rounds alternated; churn, ${a[0].tasks} tasks`);
console.log(`| measure | in process (local) | on 2 workers (bullmq) | ratio |`);
console.log(`|---|---|---|---|`);
console.log(`| CPU s, all processes (median) | ${med(a.map((x) => x.cpu)).toFixed(2)} | ${med(b.map((x) => x.cpu)).toFixed(2)} | ${(med(b.map((x) => x.cpu)) / med(a.map((x) => x.cpu))).toFixed(2)}× |`);
console.log(`| CPU s, pipeline process (median) | ${med(a.map((x) => x.pipelineCpu)).toFixed(2)} | ${med(b.map((x) => x.pipelineCpu)).toFixed(2)} | ${(med(b.map((x) => x.pipelineCpu)) / med(a.map((x) => x.pipelineCpu))).toFixed(2)}× |`);
console.log(`| wall s (median; shared machine) | ${med(a.map((x) => x.wall)).toFixed(2)} | ${med(b.map((x) => x.wall)).toFixed(2)} | ${(med(b.map((x) => x.wall)) / med(a.map((x) => x.wall))).toFixed(2)}× |`);
console.log(`local CPU: ${fmt(a.map((x) => x.cpu))}; workers CPU (pipeline + workers): ${fmt(b.map((x) => x.cpu))}; tasks on a worker: ${b.map((x) => `${x.onWorker}/${x.tasks}`).join(", ")}`);
