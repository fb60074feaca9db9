// Bench helper: wrk runs with a JSON body from a file, parsed into req/s, latency percentiles and failures; process helpers.
import { spawn, execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { scratchDir } from "../scratch.mjs";

const PIN = process.env.PIN === "1";
export const tmp = scratchDir("millrace-bench-serve-");

function toMs(s) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "ms" ? v : m[2] === "s" ? v * 1000 : v * 60_000;
}

/**
 * Runs wrk POSTing `body` (string) to url; returns { rps, p50, p90, p99, requests, non2xx, socketErrors }. `lua` is
 * appended to the script (e.g. a `request` function that varies the body per request).
 */
export function wrk(url, body, { connections = 16, seconds = 10, threads = 1, headers = {}, lua: extra = "" } = {}) {
  const bodyFile = join(tmp, `body-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(bodyFile, body);
  const lua = join(tmp, `post-${Math.random().toString(36).slice(2)}.lua`);
  const hdr = Object.entries({ "Content-Type": "application/json", ...headers })
    .map(([k, v]) => `wrk.headers["${k}"] = "${v}"`)
    .join("\n");
  writeFileSync(lua, `wrk.method = "POST"\n${hdr}\nlocal f = io.open("${bodyFile}", "rb")\nwrk.body = f:read("*a")\nf:close()\n${extra}`);
  // PIN=1: the load generator on core 0 and (launch) the server on core 1, so neither preempts the other (an experiment).
  const out = execFileSync(PIN ? "taskset" : "wrk", [...(PIN ? ["-c", "0", "wrk"] : []), `-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--latency", "-s", lua, url], { encoding: "utf8", maxBuffer: 1 << 20 });
  const pct = (p) => toMs((new RegExp(`\\s${p}%\\s+(\\S+)`).exec(out) ?? [])[1] ?? "");
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number((/Requests\/sec:\s+([\d.]+)/.exec(out) ?? [])[1]),
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    requests: Number((/(\d+) requests in/.exec(out) ?? [])[1]),
    non2xx: Number((/Non-2xx or 3xx responses: (\d+)/.exec(out) ?? [0, 0])[1]),
    socketErrors: se ? se.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    raw: out,
  };
}

/** Polls url until it answers 200; resolves with the milliseconds waited. Fails at once if `child` exits first. */
export async function waitFor(url, timeoutMs = 120_000, everyMs = 5, child = null) {
  const t0 = performance.now();
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`the server for ${url} exited with code ${child.exitCode} before it was ready (see its output above)`);
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status === 200) return performance.now() - t0;
    } catch {
      // not up yet
    }
    if (performance.now() - t0 > timeoutMs) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The /proc stat fields (after the command name) of every live process of a process group (a server and its workers). */
function groupStats(pgid) {
  const out = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // Fields after the command name: state ppid pgrp ... utime(14) stime(15), in clock ticks (100 Hz).
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(f[2]) === pgid) out.push({ pid: Number(pid), f });
  }
  return out;
}

/** CPU time (µs, user + system) used so far by a process group. */
export function groupCpuMicros(pgid) {
  return groupStats(pgid).reduce((s, { f }) => s + (Number(f[11]) + Number(f[12])) * 10_000, 0);
}

/**
 * Counts the instructions (user + kernel) a process group retires over the next `seconds`, with perf (resolves null
 * without it). Unlike time, an instruction count hardly moves when other work shares the cores.
 */
export function groupInstructions(pgid, seconds) {
  const pids = groupStats(pgid).map((s) => s.pid);
  return new Promise((resolve) => {
    let err = "";
    const p = spawn("perf", ["stat", "-x", ",", "-e", "instructions", "-p", pids.join(","), "--", "sleep", String(seconds)], { stdio: ["ignore", "ignore", "pipe"] });
    p.stderr.on("data", (d) => (err += d));
    p.on("error", () => resolve(null));
    p.on("exit", (code) => {
      const n = Number(err.trim().split("\n").find((l) => l.includes("instructions"))?.split(",")[0]);
      resolve(code === 0 && Number.isFinite(n) ? n : null);
    });
  });
}

/** Spawns a process in its own group so stop() ends it and its children (cluster workers, uvicorn). */
export function launch(cmd, args, env = {}) {
  if (PIN) [cmd, args] = ["taskset", ["-c", "1", cmd, ...args]];
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit"], detached: true });
  return {
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          resolve();
        }
        setTimeout(() => {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            // already gone
          }
        }, 5000).unref();
      }),
  };
}

/**
 * A TCP port free on 127.0.0.1 now (the kernel's pick): a fixed port can be held by another run's server, which would
 * then answer the readiness probe and be measured in place of ours.
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
