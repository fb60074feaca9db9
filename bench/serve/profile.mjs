// Where a single-record request's server CPU goes: one server process (log on at 100%, every default) under wrk load,
// run with node --cpu-prof; prints µs per request for the parts of the path (inclusive time of the named functions ÷
// requests served while profiled) and the top functions by self time.
// Only samples taken during the measured wrk run count (V8's profile clock is the monotonic clock process.hrtime reads).
// "bare" profiles the bare node:http endpoint (bare.mjs) under the same load.
//   node bench/serve/profile.mjs [predict|v2|bare][-batch]      (after npm run build; SECONDS=8 CONNECTIONS=16)
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { loadChurn, saveBytes, trainChurn } from "./churn.mjs";
import { tmp, waitFor, wrk } from "./load.mjs";
import { v2Body } from "./vs-bare.mjs";

const SECONDS = Number(process.env.SECONDS ?? 8);
const CONNS = Number(process.env.CONNECTIONS ?? 16);

/** Parts of the request path, each matched by function name (and optionally file); first match on the stack wins per part. */
const PARTS = [
  ["node's HTTP parser → request event (parserOnIncoming)", (f) => f.functionName === "parserOnIncoming"],
  ["body read + strict UTF-8 + JSON.parse (parseJsonBytes)", (f) => f.functionName === "parseJsonBytes"],
  ["answer (answerPredict / answerV2: everything below)", (f) => f.functionName === "answerPredict" || f.functionName === "answerV2"],
  ["… V2 tensors → records", (f) => f.functionName === "tensorsToRecords"],
  ["… validation (compiled per-signature check)", (f) => f.functionName === "parseBody" || f.functionName === "parseRecords"],
  ["… the model (predictRecords)", (f) => f.functionName === "predictRecords"],
  ["… score: model + ids + metrics (score)", (f) => f.functionName === "score"],
  ["… answer JSON (answersJson, outputTensorsJson)", (f) => f.functionName === "answersJson" || f.functionName === "outputTensorsJson" || f.functionName === "idsJson"],
  ["… hand to the prediction log (logAnswer)", (f) => f.functionName === "logAnswer"],
  ["prediction log: encoding + writes off the request (flush/encode/write)", (f) => f.url.includes("/monitor/prediction-log") && f.functionName !== "logRequest" && f.functionName !== "enqueue"],
  ["write the answer (res.writeHead + res.end)", (f) => f.functionName === "writeHead" || f.functionName === "end"],
  ["… of which the kernel's loopback send (writev)", (f) => f.functionName === "writev"],
  ["garbage collector", (f) => f.functionName === "(garbage collector)"],
];

/** µs per request per part, busy µs per request, and the top self-time functions. */
export function summarise(profile, requests, from = -Infinity, to = Infinity) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const parts = new Array(PARTS.length).fill(0);
  const self = new Map();
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((s, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (at < from || at > to) return;
    const top = byId.get(s).callFrame;
    if (top.functionName === "(idle)" || top.functionName === "(program)") return;
    busy += dt;
    const key = `${top.functionName || "(anonymous)"} ${top.url.split("/").slice(-2).join("/")}:${top.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const hit = new Array(PARTS.length).fill(false);
    for (let id = s; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id).callFrame;
      PARTS.forEach(([, match], k) => {
        if (!hit[k] && match(f)) hit[k] = true;
      });
    }
    hit.forEach((h, k) => h && (parts[k] += dt));
  });
  return {
    busyPerRequest: busy / requests,
    parts: PARTS.map(([name], k) => [name, parts[k] / requests]),
    top: [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => [k, v / requests, v / busy]),
  };
}

const kind = process.argv[2] ?? "predict";
const { records } = loadChurn();
const logreg = await trainChurn({ name: "logistic", model: "logistic_regression", params: {} });
const model = join(tmp, "logreg.bin");
saveBytes(model, logreg.bytes);
// "…-batch" kinds send 1,000-record requests (4 connections) instead of single records.
const batch = kind.endsWith("-batch");
const rows = batch ? records.slice(0, 1000) : [records[0]];
const body = kind.startsWith("v2") ? v2Body(rows) : JSON.stringify({ records: rows });
const dir = join(tmp, "profile");
const profDir = join(dir, "prof");
mkdirSync(profDir, { recursive: true });
const port = 8840;
const script = kind.startsWith("bare") ? "./bare.mjs" : "./log-share-server.mjs";
const child = spawn(process.execPath, ["--cpu-prof", "--cpu-prof-dir", profDir, new URL(script, import.meta.url).pathname], {
  env: { ...process.env, MODEL: model, LOG_DIR: join(dir, "log"), PORT: String(port) },
  stdio: ["ignore", "inherit", "inherit"],
});
const bare = kind.startsWith("bare");
const url = `http://127.0.0.1:${port}${kind.startsWith("v2") ? "/v2/models/churn/infer" : bare ? "/" : "/predict"}`;
await waitFor(`http://127.0.0.1:${port}/${bare ? "" : "health"}`, 60_000, 20, child);
const conns = batch ? 4 : CONNS;
wrk(url, body, { connections: conns, seconds: 2 });
const from = Number(process.hrtime.bigint() / 1000n);
const r = wrk(url, body, { connections: conns, seconds: SECONDS });
const to = Number(process.hrtime.bigint() / 1000n);
const exited = new Promise((resolve) => child.once("exit", resolve));
child.kill(bare ? "SIGTERM" : "SIGINT");
await exited;
const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
const s = summarise(JSON.parse(readFileSync(join(profDir, file), "utf8")), r.requests, from, to);
const say = (x) => process.stdout.write(`${x}\n`);
say(`${kind}: ${r.rps.toFixed(0)} req/s (${(r.rps * rows.length).toFixed(0)} rows/s) under the profiler, failed ${r.non2xx + r.socketErrors}; load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
say(`busy main-thread CPU per request (profiled run only): ${s.busyPerRequest.toFixed(1)} µs`);
say("| where | µs per request |\n|---|---:|");
for (const [name, us] of s.parts) say(`| ${name} | ${us.toFixed(1)} |`);
say("\ntop self time:");
for (const [k, us, share] of s.top) say(`${us.toFixed(2).padStart(7)} µs ${(100 * share).toFixed(1).padStart(5)}%  ${k}`);
