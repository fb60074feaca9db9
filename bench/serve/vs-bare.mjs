// Millrace `serve` (one process, log on at 100%) against the bare node:http endpoint (bare.mjs), alternated in one run:
// req/s and p99 of single records, and rows/s of 1,000-record batches, as ratios to the bare endpoint.
import { join } from "node:path";
import { groupCpuMicros, launch, waitFor, wrk } from "./load.mjs";

const here = new URL(".", import.meta.url).pathname;

/**
 * Alternates bare, ours, bare, ours ... `rounds` times; each side keeps its best run (req/s; its p99 from the same run),
 * so a burst of other work on a shared machine does not land on one side only.
 */
export async function versusBare({ aliasFile, logDir, single, batch, seconds, conns, rounds, note, port = 8812, barePort = 8820 }) {
  const runs = { bare: [], ours: [] };
  const one = async (side) => {
    const p =
      side === "bare"
        ? launch("node", [join(here, "bare.mjs")], { PORT: String(barePort) })
        : launch("node", [join(here, "worker.mjs")], { ALIAS_FILE: aliasFile, PORT: String(port), WORKERS: "1", LOG_DIR: logDir });
    const base = `http://127.0.0.1:${side === "bare" ? barePort : port}`;
    await waitFor(`${base}/ready`, 120_000, 5, p.child);
    const url = side === "bare" ? `${base}/` : `${base}/predict`;
    wrk(url, single, { connections: conns, seconds: 2 }); // JIT warm-up
    const c0 = groupCpuMicros(p.child.pid);
    const s = wrk(url, single, { connections: conns, seconds });
    const cpu = (groupCpuMicros(p.child.pid) - c0) / s.requests;
    const b = wrk(url, batch, { connections: 4, seconds: Math.max(2, Math.round(seconds / 2)) });
    await p.stop();
    const r = { cpu, rps: s.rps, p50: s.p50, p99: s.p99, failed: s.non2xx + s.socketErrors, batchRowsPerSec: b.rps * 1000, batchP99: b.p99, batchFailed: b.non2xx + b.socketErrors };
    note(`${side} (round ${runs[side].length + 1}): ${r.rps.toFixed(0)} req/s, server CPU ${r.cpu.toFixed(0)} µs/request, p50 ${r.p50} ms, p99 ${r.p99} ms, failed ${r.failed}; 1,000-record batches ${r.batchRowsPerSec.toFixed(0)} rows/s, p99 ${r.batchP99} ms, failed ${r.batchFailed}`);
    runs[side].push(r);
  };
  for (let k = 0; k < rounds; k++) {
    await one("bare");
    await one("ours");
  }
  const best = (list) => list.reduce((a, b) => (a.rps >= b.rps ? a : b));
  const bestBatch = (list) => Math.max(...list.map((r) => r.batchRowsPerSec));
  const bare = best(runs.bare);
  const ours = best(runs.ours);
  const out = {
    bare,
    ours,
    runs,
    rpsRatio: ours.rps / bare.rps,
    p99Ratio: ours.p99 / bare.p99,
    bareBatch: bestBatch(runs.bare),
    oursBatch: bestBatch(runs.ours),
  };
  out.batchRatio = out.oursBatch / out.bareBatch;
  // CPU time per request is far steadier than req/s when other work shares the cores: the least of each side.
  out.bareCpu = Math.min(...runs.bare.map((r) => r.cpu));
  out.oursCpu = Math.min(...runs.ours.map((r) => r.cpu));
  out.cpuRatio = out.bareCpu / out.oursCpu;
  out.roundRatios = runs.ours.map((o, k) => `${(o.rps / runs.bare[k].rps).toFixed(2)}×`);
  note(`vs bare node:http (best of ${rounds} alternated runs each): req/s ${ours.rps.toFixed(0)} / ${bare.rps.toFixed(0)} = ${out.rpsRatio.toFixed(2)}×, p99 ${ours.p99} / ${bare.p99} ms = ${out.p99Ratio.toFixed(2)}×; 1,000-record batches ${out.oursBatch.toFixed(0)} rows/s (bare parses them at ${out.bareBatch.toFixed(0)} rows/s, ${out.batchRatio.toFixed(2)}×); req/s ratio per round: ${out.roundRatios.join(", ")}; server CPU per request ${out.oursCpu.toFixed(0)} / ${out.bareCpu.toFixed(0)} µs (bare/ours ${out.cpuRatio.toFixed(2)}×)`);
  return out;
}
