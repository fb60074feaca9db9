// A/B of where the prediction log encodes its lines: after the request's callbacks (setImmediate, the default) vs on
// the request path (LOG_ENCODE_NOW=1); one process each, log on, alternated; single records then 1,000-record batches.
//   node bench/serve/ab-log.mjs   (after npm run build; ROUNDS=3 BENCH_SECONDS=8)
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { loadChurn, trainChurn } from "./churn.mjs";
import { tmp } from "./load.mjs";
import { alternate, comparisonTable } from "./vs-bare.mjs";

const { records } = loadChurn();
const champ = await trainChurn({ name: "logreg", model: "logistic_regression", params: {} });
const aliasFile = join(tmp, "alias");
writeFileSync(join(tmp, "logreg.bin"), champ.bytes);
writeFileSync(aliasFile, join(tmp, "logreg.bin"));
const logDir = join(tmp, "ab-log");
mkdirSync(logDir);
const single = JSON.stringify({ records: [records[0]] });
const batch = JSON.stringify({ records: records.slice(0, 1000) });
const side = (name, env) => ({ name, script: "worker.mjs", env: { ALIAS_FILE: aliasFile, WORKERS: "1", LOG_DIR: logDir, ...env }, path: "/predict", single, batch });
const note = (s) => process.stdout.write(`${s}\n`);
const result = await alternate([side("now", { LOG_ENCODE_NOW: "1" }), side("later", {})], {
  seconds: Number(process.env.BENCH_SECONDS ?? 8),
  conns: 16,
  rounds: Number(process.env.ROUNDS ?? 3),
  note,
});
note(comparisonTable(result, [["later", "now", "log lines encoded after the callbacks (setImmediate) vs on the request path"]]));
note(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
