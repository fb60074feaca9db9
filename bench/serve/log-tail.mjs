// The prediction log's share of the single-record tail: one serving process (log to LOGROOT or a scratch folder, or
// none) under wrk, single-record /predict or KServe V2 bodies, variants alternated round by round; req/s and p50/p90/p99.
// The V2 p99 of the lead's 18:36 quiet round (10.5x bare in one round) came from the log's disk writes (1.64 KB a line).
// LOGROOT keeps the logs there (for a look at their lines; remove them after); the default scratch folder goes at exit.
//   VARIANTS=v2-log,v2-nolog,predict-log ROUNDS=2 [LOGROOT=/dev/shm] [NODE_FLAGS="--max-semi-space-size=4"] node bench/serve/log-tail.mjs
import { writeFileSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { loadChurn, trainChurn } from "./churn.mjs";
import { v2Body } from "./vs-bare.mjs";
import { freePort, launch, tmp, waitFor, wrk } from "./load.mjs";
const here = new URL(".", import.meta.url).pathname;
const { records } = loadChurn();
const model = join(tmp, "m.bin");
writeFileSync(model, (await trainChurn({ name: "logistic", model: "logistic_regression", params: {} })).bytes);
const alias = join(tmp, "alias"); writeFileSync(alias, model);
const variants = (process.env.VARIANTS ?? "v2-log,v2-nolog,predict-log").split(",");
for (let r = 0; r < Number(process.env.ROUNDS ?? 2); r++) for (const v of variants) {
  const isV2 = v.startsWith("v2"); const log = !v.endsWith("nolog");
  const body = isV2 ? v2Body([records[0]]) : JSON.stringify({ records: [records[0]] });
  const port = await freePort();
  const p = launch("node", [...(process.env.NODE_FLAGS ?? "").split(" ").filter(Boolean), join(here, "worker.mjs")], { ALIAS_FILE: alias, PORT: String(port), WORKERS: "1", LOG_DIR: log ? mkdtempSync(join(process.env.LOGROOT ?? tmp, "l-")) : "", GC_STATS: "1" });
  await waitFor(`http://127.0.0.1:${port}/ready`, 60000, 5, p.child);
  const url = `http://127.0.0.1:${port}${isV2 ? "/v2/models/churn/infer" : "/predict"}`;
  wrk(url, body, { connections: 32, seconds: 3 });
  const s = wrk(url, body, { connections: 32, seconds: 8 });
  await p.stop();
  console.log(`${v}: ${s.rps.toFixed(0)} req/s p50 ${s.p50} p90 ${s.p90} p99 ${s.p99} body ${body.length}B`);
}
