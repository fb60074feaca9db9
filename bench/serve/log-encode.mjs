// The prediction log's cost on the request path vs in total, for single-record requests: logRequest alone (what the
// answer waits for) and with encoding and file writes (flush), encodeLater on (default) vs off, alternated 4 times.
//   node bench/serve/log-encode.mjs     (after npm run build)
import { join } from "node:path";
import { PredictionLog } from "../../dist/monitor/prediction-log.js";
import { loadChurn } from "./churn.mjs";
import { scratchDir } from "../scratch.mjs";

const { records } = loadChurn();
const requestJson = JSON.stringify({ records: [records[0]] });
const requestBytes = Buffer.from(requestJson);
const responseJson = '{"predictions":[{"label":"Yes","probabilities":{"No":0.36814724467337034,"Yes":0.6318527553266297}}],"ids":["8964c4af-c047-4203-a4ad-007c62027000"]}';
const logs = { later: new PredictionLog({ dir: scratchDir("millrace-enc-") }), now: new PredictionLog({ dir: scratchDir("millrace-enc-"), encodeLater: false }) };
const at = new Date().toISOString();
const entry = () => ({ model: "churn", version: 1, alias: "production", at, latencyMs: Math.random(), ids: ["x"], records: [records[0]], outputs: [], requestJson, requestBytes, responseJson });
/** [µs per request in logRequest, µs per request including encoding and writes], 1,000 requests then a flush per round. */
const run = async (log, rounds) => {
  let call = 0;
  const c0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    const a = process.cpuUsage();
    for (let i = 0; i < 1000; i++) log.logRequest(entry());
    const b = process.cpuUsage(a);
    call += b.user + b.system;
    await log.flush();
  }
  const c = process.cpuUsage(c0);
  return [call / rounds / 1000, (c.user + c.system) / rounds / 1000];
};
for (const log of Object.values(logs)) await run(log, 50);
for (let k = 0; k < 4; k++) {
  for (const [name, log] of Object.entries(logs)) {
    const [call, all] = await run(log, 200);
    console.log(`encode ${name}: logRequest ${call.toFixed(2)} µs/request, with encoding and writes ${all.toFixed(2)} µs/request`);
  }
}
for (const log of Object.values(logs)) await log.close();
