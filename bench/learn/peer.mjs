// Runs the peers' harness (../shared/bench/peer_baselines.py) on one data set and parses its per-model lines.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const PEER_SCRIPT = new URL("../../../shared/bench/peer_baselines.py", import.meta.url).pathname;

export function peerAvailable() {
  if (!existsSync(PEER_SCRIPT)) return "no ../shared/bench/peer_baselines.py";
  const r = spawnSync("/usr/bin/python3", ["-c", "import xgboost, sklearn"], { encoding: "utf8" });
  return r.status === 0 ? null : "python3-xgboost / python3-sklearn not installed";
}

/**
 * Returns { rows: [{model, train_s, predict_s, metrics}], peakRssMB } and writes the split to `splitOut`.
 * Peak RSS is the python process's (data loading + every model run), measured with /usr/bin/time.
 */
export function runPeer(ds, csv, models, splitOut) {
  const args = ds.synthetic ? ["--synthetic", String(ds.synthetic)] : [csv, ds.target, ds.task];
  if (ds.positive !== undefined && !ds.synthetic) args.push("--positive", ds.positive);
  if (ds.drop?.length) args.push("--drop", ds.drop.join(","));
  if (ds.cat?.length) args.push("--cat", ds.cat.join(","));
  args.push("--models", models.join(","), "--split-out", splitOut);
  const r = spawnSync("/usr/bin/time", ["-f", "MAXRSS_KB %M", "/usr/bin/python3", PEER_SCRIPT, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`peer_baselines.py failed on ${ds.name}: ${r.stderr.slice(-2000)}`);
  const rows = [];
  let peakRssMB = NaN;
  for (const line of r.stderr.split("\n")) {
    const mem = line.match(/^MAXRSS_KB (\d+)/);
    if (mem) peakRssMB = Number(mem[1]) / 1024;
    const m = line.match(/^\s{2}(.+?)\s+train\s+([\d.]+)s predict\s+([\d.]+)s\s+(.*)$/);
    if (!m) continue;
    const metrics = Object.fromEntries(m[4].trim().split(/\s+/).map((kv) => kv.split("=")).map(([k, v]) => [k, Number(v)]));
    rows.push({ model: m[1].trim(), train_s: Number(m[2]), predict_s: Number(m[3]), metrics });
  }
  return { rows, peakRssMB };
}

/**
 * CPU seconds (every thread) and best wall seconds of the peer fits `models` (xgb2, rf), best of `repeat`, on the
 * split written by runPeer: { xgb2: { cpu_s, wall_s }, ... }. OMP_WAIT_POLICY=PASSIVE: on a shared machine XGBoost's
 * OpenMP threads otherwise spin (CPU charged, no work) while they wait for a core.
 */
export function runPeerCpu(ds, csv, models, split, repeat) {
  const args = [new URL("./peer-cpu.py", import.meta.url).pathname, csv, ds.target, ds.task, "--rows", split, "--models", models.join(","), "--repeat", String(repeat)];
  if (ds.positive !== undefined) args.push("--positive", ds.positive);
  if (ds.drop?.length) args.push("--drop", ds.drop.join(","));
  if (ds.cat?.length) args.push("--cat", ds.cat.join(","));
  const r = spawnSync("/usr/bin/python3", args, { encoding: "utf8", env: { ...process.env, OMP_WAIT_POLICY: "PASSIVE" }, maxBuffer: 2 ** 24 });
  if (r.status !== 0) throw new Error(`peer-cpu.py failed on ${ds.name}: ${r.stderr.slice(-2000)}`);
  return Object.fromEntries(r.stdout.trim().split("\n").map((l) => JSON.parse(l)).map((o) => [o.model, o]));
}
