// Millrace `serve` (log on at 100%, every default) against the bare node:http endpoint (bare.mjs), alternated in one
// run: req/s, p99 and server CPU per request of single records, and rows/s of 1,000-record batches, as ratios to the
// bare endpoint of the same round. Sides: /predict on the node fast path, /predict through the Hono route alone
// (FAST_PATH=0), the KServe V2 infer route (its bare side parses the same V2 body), and with `processes` > 1 the
// server's cluster against a bare endpoint with as many processes.
import { join } from "node:path";
import { freePort, groupCpuMicros, launch, waitFor, wrk } from "./load.mjs";

const here = new URL(".", import.meta.url).pathname;

/** A V2 (Open Inference Protocol) body with one column tensor per field of the records. */
export function v2Body(records) {
  const names = Object.keys(records[0]);
  const inputs = names.map((name) => {
    const data = records.map((r) => r[name]);
    const sample = data.find((v) => v !== null);
    const datatype = typeof sample === "number" ? (data.every((v) => v === null || Number.isInteger(v)) ? "INT64" : "FP64") : typeof sample === "boolean" ? "BOOL" : "BYTES";
    return { name, shape: [records.length], datatype, data };
  });
  return JSON.stringify({ inputs });
}

/**
 * The sides of one comparison. `bodies` = { single, batch, v2Single, v2Batch }; `processes` = the worker count for
 * the cluster pair (0 leaves it out); `hono` and `v2` add those sides.
 */
export function sidesFor({ aliasFile, logDir, bodies, hono = true, v2 = true, processes = 0 }) {
  const ours = (name, env, path, single, batch) => ({
    name,
    script: "worker.mjs",
    env: { ALIAS_FILE: aliasFile, WORKERS: "1", LOG_DIR: logDir, ...env },
    path,
    single,
    batch,
  });
  const bare = (name, single, batch, env = {}) => ({ name, script: "bare.mjs", env, path: "/", single, batch });
  const list = [bare("bare", bodies.single, bodies.batch), ours("ours", {}, "/predict", bodies.single, bodies.batch)];
  if (hono) list.push(ours("hono", { FAST_PATH: "0" }, "/predict", bodies.single, bodies.batch));
  if (v2) list.push(bare("bare-v2", bodies.v2Single, bodies.v2Batch), ours("v2", {}, "/v2/models/churn/infer", bodies.v2Single, bodies.v2Batch));
  if (processes > 1) {
    list.push(bare(`bare×${processes}`, bodies.single, bodies.batch, { WORKERS: String(processes) }), ours(`ours×${processes}`, { WORKERS: String(processes) }, "/predict", bodies.single, bodies.batch));
  }
  return list;
}

/** One side: start it, warm the JIT, load it with single records then 1,000-record batches, stop it. */
async function runSide(side, { seconds, conns, port: asked, note }) {
  const port = asked ?? (await freePort());
  const p = launch("node", [join(here, side.script)], { ...side.env, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/ready`, 120_000, 5, p.child);
  const url = `${base}${side.path}`;
  wrk(url, side.single, { connections: conns, seconds: 2 }); // JIT warm-up
  const c0 = groupCpuMicros(p.child.pid);
  const s = wrk(url, side.single, { connections: conns, seconds });
  const cpu = (groupCpuMicros(p.child.pid) - c0) / s.requests;
  // The batch path (element-wise parse, column loops) has its own code to compile: warmed too, as the single path is.
  wrk(url, side.batch, { connections: 4, seconds: 1 });
  const b = wrk(url, side.batch, { connections: 4, seconds: Math.max(2, Math.round(seconds / 2)) });
  await p.stop();
  const load = (await import("node:os")).loadavg()[0];
  const r = { cpu, rps: s.rps, p50: s.p50, p99: s.p99, failed: s.non2xx + s.socketErrors, batchRowsPerSec: b.rps * 1000, batchP99: b.p99, batchFailed: b.non2xx + b.socketErrors, load };
  note(`${side.name}: ${r.rps.toFixed(0)} req/s, server CPU ${r.cpu.toFixed(1)} µs/request, p50 ${r.p50} ms, p99 ${r.p99} ms, failed ${r.failed}; 1,000-record batches ${r.batchRowsPerSec.toFixed(0)} rows/s, p99 ${r.batchP99} ms, failed ${r.batchFailed}; load ${load.toFixed(1)}`);
  return r;
}

/** The median; of an even count, the mean of the two middle values (of 2 rounds the upper one favoured req/s and hurt p99). */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Alternates every side `rounds` times (bare, ours, hono, ... then again); per side: the best req/s run (its p99 from
 * that run), the least CPU per request, the best batch rows/s, and the median over rounds of each ratio to its
 * reference side of the same round (the machine's load drifts; a same-round ratio cancels most of it).
 */
export async function alternate(sides, { seconds, conns, rounds, note, port }) {
  const runs = Object.fromEntries(sides.map((s) => [s.name, []]));
  for (let k = 0; k < rounds; k++) {
    // Every other round runs the sides in reverse: a side is not always the one after its reference (load that rises
    // or falls through a round then tilts no ratio the same way every round).
    const order = k % 2 === 0 ? sides : [...sides].reverse();
    note(`round ${k + 1} of ${rounds}${k % 2 ? " (reverse order)" : ""}`);
    for (const side of order) runs[side.name].push(await runSide(side, { seconds, conns, port, note }));
  }
  const summary = {};
  for (const side of sides) {
    const list = runs[side.name];
    const best = list.reduce((a, b) => (a.rps >= b.rps ? a : b));
    summary[side.name] = {
      runs: list,
      best,
      cpu: Math.min(...list.map((r) => r.cpu)),
      batch: Math.max(...list.map((r) => r.batchRowsPerSec)),
      loads: list.map((r) => r.load),
    };
  }
  /** Median over rounds of a / b for a field, and each round's ratio. */
  const ratio = (a, b, f) => {
    const per = runs[a].map((r, k) => f(r) / f(runs[b][k]));
    return { median: median(per), per };
  };
  return { runs, summary, ratio };
}

/** Markdown rows: each side against its reference (same round medians, plus best/least across rounds). */
export function comparisonTable(result, pairs) {
  const { summary, ratio } = result;
  const f = (x, d = 0) => x.toFixed(d);
  const lines = [
    "| ours vs reference (one process unless ×N; log on, defaults) | req/s best (ours / ref) | req/s ratio, median of rounds (per round) | p99 ms best run (ours / ref) | p99 ratio, median | server CPU µs per request, least (ours / ref; ref/ours) | 1,000-record batches rows/s best (ours / ref) | batch ratio, median | load avg during runs |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const [ours, ref, label] of pairs) {
    const a = summary[ours];
    const b = summary[ref];
    if (!a || !b) continue;
    const rps = ratio(ours, ref, (r) => r.rps);
    const p99 = ratio(ours, ref, (r) => r.p99);
    const batch = ratio(ours, ref, (r) => r.batchRowsPerSec);
    const loads = [...a.loads, ...b.loads];
    lines.push(
      `| ${label} | ${f(a.best.rps)} / ${f(b.best.rps)} | **${rps.median.toFixed(2)}×** (${rps.per.map((x) => x.toFixed(2)).join(", ")}) | ${a.best.p99} / ${b.best.p99} | ${p99.median.toFixed(2)}× | ${f(a.cpu, 1)} / ${f(b.cpu, 1)}; **${(b.cpu / a.cpu).toFixed(2)}×** | ${f(a.batch)} / ${f(b.batch)} | ${batch.median.toFixed(2)}× | ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} |`,
    );
  }
  return lines.join("\n");
}

/** The comparison `npm run bench:serve` prints (and BENCH_QUICK=1 prints alone). */
export async function versusBare({ aliasFile, logDir, records, seconds, conns, rounds, note, processes = 0, hono = true, v2 = true }) {
  const bodies = {
    single: JSON.stringify({ records: [records[0]] }),
    batch: JSON.stringify({ records: records.slice(0, 1000) }),
    v2Single: v2Body([records[0]]),
    v2Batch: v2Body(records.slice(0, 1000)),
  };
  const sides = sidesFor({ aliasFile, logDir, bodies, hono, v2, processes });
  const result = await alternate(sides, { seconds, conns, rounds, note });
  const pairs = [
    ["ours", "bare", "/predict (node fast path) vs bare node:http"],
    ["hono", "bare", "/predict through the Hono route only vs bare node:http"],
    ["ours", "hono", "**/predict fast path vs the Hono route** (node-fast.ts keep/remove)"],
    ["v2", "bare-v2", "KServe V2 `/v2/models/churn/infer` vs bare node:http parsing the same V2 body"],
    [`ours×${processes}`, `bare×${processes}`, `\`--workers ${processes}\` (cluster) vs bare node:http with ${processes} processes`],
  ];
  return { ...result, table: `${comparisonTable(result, pairs)}\n\n${goalLines(result)}` };
}

/** Issue 10's goals, each measured in this run: req/s and p99 as same-round ratios to the bare endpoint, batch rows/s. */
export function goalLines({ summary, ratio }) {
  const lines = ["| goal (issue 10, one process, log on) | this run | met |", "|---|---:|:---:|"];
  const mark = (ok) => (ok ? "yes" : "**no**");
  for (const [ours, ref, label] of [["ours", "bare", "/predict"], ["v2", "bare-v2", "KServe V2 infer"]]) {
    if (!summary[ours] || !summary[ref]) continue;
    const rps = ratio(ours, ref, (r) => r.rps);
    const p99 = ratio(ours, ref, (r) => r.p99);
    const per = (x) => x.per.map((v) => v.toFixed(2)).join(", ");
    lines.push(`| ${label}: req/s ≥ 0.6× bare (median of rounds; per round) | ${rps.median.toFixed(2)}× (${per(rps)}) | ${mark(rps.median >= 0.6)} |`);
    lines.push(`| ${label}: p99 ≤ 2× bare's (median of rounds; per round) | ${p99.median.toFixed(2)}× (${per(p99)}) | ${mark(p99.median <= 2)} |`);
    const rows = summary[ours].runs.map((r) => r.batchRowsPerSec);
    lines.push(`| ${label}: 1,000-record batches ≥ 400k rows/s (best; per round) | ${(summary[ours].batch / 1000).toFixed(0)}k (${rows.map((x) => (x / 1000).toFixed(0)).join(", ")}k); bare parsing the same bodies ${(summary[ref].batch / 1000).toFixed(0)}k | ${mark(summary[ours].batch >= 400_000)} |`);
  }
  return lines.join("\n");
}
