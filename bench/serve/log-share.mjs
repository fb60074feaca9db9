// The prediction log's share of a server's CPU, by V8's sampling profiler: one server process under wrk load with the
// log on; the samples whose stack passes through the logging code (logAnswer and src/monitor) over all busy samples.
// Wall-clock req/s with the log off vs on swings ±20% from run to run on a shared VM; this share does not.
//   node bench/serve/log-share.mjs            (after npm run build; SECONDS=10)
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadChurn, saveBytes, trainChurn } from "./churn.mjs";
import { tmp, waitFor, wrk } from "./load.mjs";

const SECONDS = Number(process.env.SECONDS ?? 10);

/** Share (0..1) of busy samples under logging code, and the top logging functions by self time. */
export function logShare(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const isLog = (f) => f.functionName === "logAnswer" || f.url.includes("/monitor/");
  let busy = 0;
  let inLog = 0;
  profile.samples.forEach((s, i) => {
    const f = byId.get(s).callFrame;
    if (f.functionName === "(idle)" || f.functionName === "(program)") return;
    const dt = profile.timeDeltas[i] ?? 0;
    busy += dt;
    for (let id = s; id !== undefined; id = parent.get(id)) {
      if (isLog(byId.get(id).callFrame)) {
        inLog += dt;
        break;
      }
    }
  });
  return { share: inLog / busy, busyMs: busy / 1000, logMs: inLog / 1000 };
}

export async function measureLogShare(model, body, port = 8830) {
  const dir = join(tmp, `log-share-${port}`);
  mkdirSync(dir, { recursive: true });
  const profDir = join(dir, "prof");
  const child = spawn(process.execPath, ["--cpu-prof", "--cpu-prof-dir", profDir, new URL("./log-share-server.mjs", import.meta.url).pathname], {
    env: { ...process.env, MODEL: model, LOG_DIR: join(dir, "log"), PORT: String(port) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}/predict`;
  await waitFor(`http://127.0.0.1:${port}/health`, 60_000, 20, child);
  wrk(url, body, { connections: 16, seconds: 2 }); // warm-up, in the profile too
  const r = wrk(url, body, { connections: 16, seconds: SECONDS });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  await exited;
  const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
  return { ...logShare(JSON.parse(readFileSync(join(profDir, file), "utf8"))), rps: r.rps };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { records } = loadChurn();
  const logreg = await trainChurn({ name: "logistic", model: "logistic_regression", params: {} });
  const model = join(tmp, "logreg.bin");
  saveBytes(model, logreg.bytes);
  const cases = [["single record", JSON.stringify({ records: [records[0]] })], ["1,000-record batch", JSON.stringify({ records: records.slice(0, 1000) })]];
  for (const [k, [name, body]] of cases.entries()) {
    const r = await measureLogShare(model, body, 8830 + k);
    console.log(`${name}: logging code ${(100 * r.share).toFixed(1)}% of the server's busy CPU (${r.logMs.toFixed(0)} of ${r.busyMs.toFixed(0)} ms sampled; ${r.rps.toFixed(0)} req/s under the profiler)`);
  }
}
