// Scheduler overhead: 1,000 scheduled runs of a trivial pipeline (one no-op task) through the real scheduler — each
// tick claimed in a SQLite metadata store, the run recorded running then succeeded with its pipeline, its task log
// written, the tick closed — against the same DAG run bare 1,000 times in the same process; and, on the system
// clock, the delay from each tick's due time to its run's start over 30 ticks of a per-second schedule.
// Airflow cannot be installed here (no PyPI), so the peer is the bare DAG run. Run: npm run bench:schedule.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ManualClock } from "../dist/flow/clock.js";
import { runDag } from "../dist/flow/dag.js";
import { RunLogWriter } from "../dist/flow/run-log.js";
import { Scheduler } from "../dist/schedule/scheduler.js";
import { openMetadataStore } from "../dist/store/open-metadata-store.js";
import { orchestrationOf } from "../dist/store/orchestration.js";

const N = Number(process.env.BENCH_RUNS ?? 1000);
const LIVE = Number(process.env.BENCH_LIVE_TICKS ?? 30);
const noop = [{ id: "noop", deps: [], run: async () => 1 }];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function openStore() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bench-schedule-"));
  return openMetadataStore(path.join(dir, "meta.db"));
}

/** What a scheduled run records around its DAG (as runPipeline does): run row with its pipeline, task log, final row. */
async function recordedRun(meta, runId, startedAt) {
  const orch = orchestrationOf(meta);
  await orch.activeRuns("bench", "tiny");
  await meta.savePipelineRun({ id: runId, project: "bench", status: "running", trigger: "schedule", startedAt, endedAt: null, summary: null, placement: { pipeline: "tiny", partition: null } });
  const log = new RunLogWriter(orch, runId);
  const result = await runDag(noop, {}, { onEvent: (e) => log.onEvent(e) });
  await log.close();
  await meta.savePipelineRun({ id: runId, project: "bench", status: result.status, trigger: "schedule", startedAt, endedAt: new Date().toISOString(), summary: { status: result.status } });
  return { status: result.status };
}

// 1. Bare DAG, N times.
let cpu0 = process.cpuUsage();
let t0 = performance.now();
for (let i = 0; i < N; i++) await runDag(noop, {});
const bareMs = performance.now() - t0;
const bareCpu = process.cpuUsage(cpu0);

// 2. N scheduled runs: a per-minute schedule, catch-up on, N minutes simulated; one pass fires them all in order.
const meta = await openStore();
const clock = new ManualClock("2026-01-01T00:00:30Z");
const spec = { pipeline: "tiny", cron: "* * * * *", timezone: "UTC", catchup: true };
let sched = new Scheduler({ meta, project: "bench", schedules: [spec], clock, startRun: (run) => recordedRun(meta, run.runId, clock.now().toISOString()) });
await sched.fireDue(); // the first tick: a schedule that never fired starts at its latest due time
clock.set(new Date(Date.parse("2026-01-01T00:00:30Z") + N * 60_000));
cpu0 = process.cpuUsage();
t0 = performance.now();
const fired = await sched.fireDue();
const scheduledMs = performance.now() - t0;
const scheduledCpu = process.cpuUsage(cpu0);
if (fired.length !== N || fired.some((f) => f.status !== "succeeded")) throw new Error(`expected ${N} succeeded runs, got ${fired.length}`);
await meta.close();

// 3. Due → start delay of N per-second ticks, time compressed: the clock skips each sleep (no timer waits), so the
// delay is the scheduler's own work between a tick coming due and its run starting (the pass: reaping, the last
// tick, the admission check, the claim), the previous run's recording included when ticks come back to back.
class CompressedClock {
  constructor(start) {
    this.base = Date.parse(start);
    this.t0 = performance.now();
    this.skipped = 0;
  }
  now() {
    return new Date(this.base + (performance.now() - this.t0) + this.skipped);
  }
  sleep(ms, signal) {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.skipped += ms;
    return new Promise((resolve) => setImmediate(resolve));
  }
}
const compMeta = await openStore();
const comp = new CompressedClock("2026-01-01T00:00:00.500Z");
const compDelays = [];
const compStop = new AbortController();
sched = new Scheduler({
  meta: compMeta, project: "bench", schedules: [{ pipeline: "tiny", cron: "* * * * * *", timezone: "UTC", catchup: false }], clock: comp, maxSleepMs: 1000,
  startRun: async (run) => {
    compDelays.push(comp.now().getTime() - run.dueAt.getTime());
    if (compDelays.length >= N + 1) compStop.abort();
    return recordedRun(compMeta, run.runId, comp.now().toISOString());
  },
});
await sched.run(compStop.signal);
await compMeta.close();
const compressed = compDelays.slice(1);

// 4. Due → start delay on the system clock: a per-second schedule for LIVE ticks.
const liveMeta = await openStore();
const delays = [];
const stop = new AbortController();
sched = new Scheduler({
  meta: liveMeta, project: "bench", schedules: [{ pipeline: "tiny", cron: "* * * * * *", timezone: "UTC", catchup: false }], maxSleepMs: 1000,
  startRun: async (run) => {
    delays.push(Date.now() - run.dueAt.getTime());
    if (delays.length >= LIVE) stop.abort();
    return recordedRun(liveMeta, run.runId, new Date().toISOString());
  },
});
await sched.run(stop.signal);
await liveMeta.close();
// The first tick of a never-fired schedule is the latest past one (up to 1 s old): left out.
const live = delays.slice(1);

const perBare = (bareMs / N) * 1000;
const perScheduled = (scheduledMs / N) * 1000;
const load = os.loadavg().map((x) => x.toFixed(2)).join(" ");
const row = {
  runs: N, bareMs: +bareMs.toFixed(1), scheduledMs: +scheduledMs.toFixed(1), perBareUs: +perBare.toFixed(1), perScheduledUs: +perScheduled.toFixed(1),
  ratio: +(scheduledMs / bareMs).toFixed(1), overheadPerRunMs: +((scheduledMs - bareMs) / N).toFixed(3),
  cpuPerBareUs: +((bareCpu.user + bareCpu.system) / N).toFixed(1), cpuPerScheduledUs: +((scheduledCpu.user + scheduledCpu.system) / N).toFixed(1),
  compressedTicks: compressed.length, compressedP50Ms: +quantile(compressed, 0.5).toFixed(2), compressedP99Ms: +quantile(compressed, 0.99).toFixed(2), compressedMaxMs: +Math.max(...compressed).toFixed(2),
  liveTicks: live.length, delayP50Ms: quantile(live, 0.5), delayP99Ms: quantile(live, 0.99), delayMaxMs: Math.max(...live), load,
};
console.log(JSON.stringify(row, null, 2));
console.log(`\n${N} scheduled runs: ${scheduledMs.toFixed(0)} ms (${(perScheduled / 1000).toFixed(2)} ms a run) vs bare DAG ${bareMs.toFixed(0)} ms (${perBare.toFixed(0)} µs a run): ${row.ratio}× — ${row.overheadPerRunMs} ms of scheduling and recording per run`);
console.log(`due → start over ${compressed.length} per-second ticks, time compressed (the scheduler's own work): p50 ${row.compressedP50Ms} ms, p99 ${row.compressedP99Ms} ms, max ${row.compressedMaxMs} ms (target p99 < 1000 ms)`);
console.log(`CPU per run: scheduled ${row.cpuPerScheduledUs} µs vs bare ${row.cpuPerBareUs} µs`);
console.log(`due → start on the system clock over ${live.length} per-second ticks: p50 ${row.delayP50Ms} ms, p99 ${row.delayP99Ms} ms (target p99 < 1000 ms)`);
