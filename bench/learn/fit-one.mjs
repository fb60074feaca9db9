// Development harness: one GBDT (or forest) fit on a benchmark data set, the frame cached in bench/out as a v8
// snapshot so repeated runs (profiles, before/after) skip the CSV parse. Prints train seconds, AUC and load.
// Usage: node bench/learn/fit-one.mjs synthetic_1m [--model gbdt] [--params '{"n_threads":1}'] [--repeat 2] [--predict 0]
//        node --cpu-prof --cpu-prof-dir=bench/out bench/learn/fit-one.mjs fertility
//        node bench/learn/fit-one.mjs wa_churn --root /tmp/old-worktree   (its dist/: A/B of two builds, alternated)
// "main thread" is a GBDT fit's CPU on the main thread alone (Linux /proc; V8's compiler threads excluded): on an idle machine a
// one-thread fit's wall time is about that, whatever the load, so it is the figure to compare first fits by.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { readCsvFrame } from "./csv.mjs";
import { DATASETS, locate } from "./datasets.mjs";

const OUT = new URL("../out/", import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const ds = DATASETS.find((d) => d.name === args[0]);
if (!ds) {
  console.error(`unknown data set ${args[0]}; one of ${DATASETS.map((d) => d.name).join(", ")}`);
  process.exit(2);
}

/** The frame and test rows of a data set, from the cache when present. */
export function loadCached(d) {
  const cache = join(OUT, `${d.name}.frame`);
  const rowsFile = join(OUT, `${d.name}.test-rows`);
  if (!existsSync(rowsFile)) throw new Error(`${rowsFile} missing: run npm run bench:learn -- --only ${d.name} once`);
  const test = Uint32Array.from(readFileSync(rowsFile, "utf8").trim().split("\n").map(Number));
  if (existsSync(cache)) return { frame: deserialize(readFileSync(cache)), test };
  const csv = locate(d) ?? join(OUT, d.file);
  const frame = readCsvFrame(csv, d.drop ?? []);
  writeFileSync(cache, serialize(frame));
  return { frame, test };
}

const root = opt("root", new URL("../..", import.meta.url).pathname);
const { trainCandidate } = await import(join(root, "dist/learn/train.js"));
const mainThreadSeconds = () => {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0]) / 1e9;
  } catch {
    return NaN;
  }
};
// The GBDT fit alone on the main thread (trainCandidate also fits the pipeline, scores the test rows, explains).
let fitMain = NaN;
const { GradientBoosting } = await import(join(root, "dist/learn/gbdt/booster.js"));
const gbdtFit = GradientBoosting.prototype.fit;
GradientBoosting.prototype.fit = async function (data) {
  const t = mainThreadSeconds();
  try {
    return await gbdtFit.call(this, data);
  } finally {
    fitMain = mainThreadSeconds() - t;
  }
};
const { frame, test } = loadCached(ds);
globalThis.gc?.();
const model = opt("model", "gbdt");
const params = JSON.parse(opt("params", "{}"));
const repeat = Number(opt("repeat", "1"));
const predictRuns = Number(opt("predict", "3"));
for (let r = 0; r < repeat; r++) {
  const load = spawnSync("uptime", { encoding: "utf8" }).stdout.trim().replace(/.*load average: /, "");
  const cpu0 = process.cpuUsage();
  fitMain = NaN;
  const res = await trainCandidate({
    frame,
    target: ds.target,
    features: frame.columns.map((c) => c.name).filter((c) => c !== ds.target),
    task: ds.task,
    positive: ds.positive,
    testRows: test,
    cvFolds: 0,
    seed: 42,
    candidate: { name: model, model, params },
  });
  const cpu = process.cpuUsage(cpu0);
  let predict = Infinity;
  for (let k = 0; k < predictRuns; k++) {
    const t = performance.now();
    res.model.scoreFrame(frame, test);
    predict = Math.min(predict, (performance.now() - t) / 1000);
  }
  const m = res.testMetrics;
  console.log(
    `${ds.name} ${model} train ${res.trainSeconds.toFixed(3)} s (fit cpu ${res.trainCpuSeconds.toFixed(3)} s; main thread ${fitMain.toFixed(3)} s; whole call cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s) predict ${predict.toFixed(3)} s ` +
      `${m.roc_auc !== undefined ? "auc " + m.roc_auc.toFixed(4) : "rmse " + m.rmse?.toFixed(4)} load ${load}`,
  );
}
