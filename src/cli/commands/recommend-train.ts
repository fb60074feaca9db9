// `millrace train FILE --task recommendation --user U --item I --target R`: one recommender on a ratings file,
// held-out rating and ranking metrics (--test-rows takes the peer's split), optional CV and --save.
import fs from "node:fs";
import path from "node:path";
import { ValidationError } from "../../errors.js";
import { trainingSeconds, trainingText } from "../../flow/training-seconds.js";
import type { Frame } from "../../records.js";
import { frameInteractions, keptPositions } from "../../recommend/frame.js";
import { recommenderKind, RECOMMENDERS } from "../../recommend/registry.js";
import { byTimeTestRows, kFoldRows, randomTestRows } from "../../recommend/split.js";
import { foldSummary } from "../../recommend/pipeline-train.js";
import { trainRecommender } from "../../recommend/train.js";
import { color, fmtNumber, printJson, table } from "../output.js";
import type { TrainOptions } from "./train-options.js";
import { reportTail } from "./train-report.js";

export interface RecommendTrainOptions extends TrainOptions {
  user?: string;
  item?: string;
  time?: string;
  weight?: string;
  split?: string;
  k?: number;
  relevant?: string;
}

function readRowNumbers(file: string): Uint32Array {
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  return Uint32Array.from(lines, (l, x) => {
    const n = Number(l.trim());
    if (!Number.isInteger(n) || n < 0) throw new ValidationError(`${path.basename(file)} line ${x + 1}: "${l}" is not a 0-based data-row number`, { path: "--test-rows" });
    return n;
  });
}

/** `deps` come from train.ts (its file reader and --param parser), so this file does not import it back. */
export async function recommendTrainCommand(
  file: string,
  opts: RecommendTrainOptions,
  deps: { readTable: (file: string) => Promise<Frame>; params: Record<string, unknown> },
): Promise<number> {
  if (!opts.user || !opts.item) {
    throw new ValidationError("--task recommendation needs --user COL and --item COL (and --target COL for ratings, or --target none)", { path: !opts.user ? "--user" : "--item" });
  }
  // The tabular default (gbdt) means "not chosen" here.
  const model = opts.model === "gbdt" ? "svd" : opts.model;
  const kind = recommenderKind(model, "--model");
  const params = deps.params;
  const k = opts.k ?? 10;
  const relevant = opts.relevant === undefined ? undefined : Number(opts.relevant);
  if (relevant !== undefined && !Number.isFinite(relevant)) throw new ValidationError(`--relevant must be a number, got ${opts.relevant}`, { path: "--relevant" });
  const rating = opts.target === "none" ? null : opts.target;
  const t0 = performance.now();
  const frame = await deps.readTable(file);
  const { table: data, sourceRows, dropped } = frameInteractions(frame, { user: opts.user, item: opts.item, rating, time: opts.time ?? null, weight: opts.weight ?? null });
  const loadSeconds = (performance.now() - t0) / 1000;
  const seed = opts.seed;
  const n = data.users.length;
  let splitDesc: string;
  let testRows: Uint32Array;
  if (opts.testRows) {
    testRows = keptPositions(sourceRows, readRowNumbers(opts.testRows));
    splitDesc = `rows from ${path.basename(opts.testRows)}`;
  } else if (opts.split === "by-time") {
    if (!data.time) throw new ValidationError("--split by-time needs --time COL", { path: "--time" });
    testRows = byTimeTestRows(data.users, data.time, Number(opts.testFraction));
    splitDesc = `each user's latest ${opts.testFraction} by ${opts.time}`;
  } else {
    testRows = randomTestRows(n, Number(opts.testFraction), seed);
    splitDesc = `random ${opts.testFraction}, seed ${seed}`;
  }
  const progress = !opts.json && process.stderr.isTTY ? (done: number, total: number) => process.stderr.write(`\r${model}: ${done}/${total}`) : undefined;
  const trainStarted = performance.now();
  const result = trainRecommender({ table: data, model, params, testRows, seed, k, ...(relevant !== undefined ? { relevant } : {}), ...(progress ? { onProgress: progress } : {}) });
  if (progress) process.stderr.write("\n");
  const cvFolds = opts.cv;
  const cvStarted = performance.now();
  const cv = cvFolds > 0
    ? foldSummary(kFoldRows(n, cvFolds, seed).map((rows) => trainRecommender({ table: data, model, params, testRows: rows, seed, k, ...(relevant !== undefined ? { relevant } : {}) }).metrics))
    : {};
  // The final fit (with its held-out scoring, taken out again) and the CV folds: a run's train_seconds and its parts.
  const timings = trainingSeconds((performance.now() - trainStarted) / 1000, { finalFit: result.trainSeconds, predict: result.predictSeconds, cv: cvFolds > 0 ? (performance.now() - cvStarted) / 1000 : 0 });
  if (opts.save) fs.writeFileSync(opts.save, result.model.toBytes());
  const report = {
    file,
    task: "recommendation",
    model,
    feedback: rating ? "explicit" : "implicit",
    columns: data.columns,
    rows: n,
    droppedRows: dropped,
    users: result.model.userIds.length,
    items: result.model.itemIds.length,
    split: splitDesc,
    trainRows: result.trainRows,
    testRows: testRows.length,
    k,
    relevance: result.relevance.rule,
    counts: result.counts,
    metrics: result.metrics,
    cv,
    ...reportTail(result.params, loadSeconds, { timings, predictSeconds: result.predictSeconds }, opts.save),
  };
  if (opts.json) {
    printJson(report);
    return 0;
  }
  console.log(`${color.bold(model)} (${kind.summary}) on ${path.basename(file)}: ${fmtNumber(n)} interactions, ${fmtNumber(report.users)} users × ${fmtNumber(report.items)} items (${fmtNumber(report.trainRows)} train / ${fmtNumber(report.testRows)} test: ${splitDesc})`);
  if (dropped) console.log(color.dim(`${fmtNumber(dropped)} rows without a user, item or rating left out`));
  console.log(color.dim(`relevant: ${result.relevance.rule}; ${result.counts.usersWithRelevant} of ${result.counts.rankedUsers} test users seen in training have one; ${result.counts.unseenUser} test rows have a user unseen in training`));
  const hasCv = cvFolds > 0;
  console.log(table(["metric", "test", ...(hasCv ? [`cv mean (${cvFolds} folds)`, "cv std"] : [])], Object.entries(result.metrics).map(([m, v]) => [m, v, ...(hasCv ? [cv[`${m}_mean`] ?? null, cv[`${m}_std`] ?? null] : [])])));
  console.log(color.dim(`load ${loadSeconds.toFixed(2)} s · ${trainingText(timings, cvFolds)} · evaluate ${result.predictSeconds.toFixed(2)} s · recommenders: ${Object.keys(RECOMMENDERS).join(", ")}`));
  return 0;
}
