// `millrace train <csv>`: ad-hoc training on any CSV/Parquet with a held-out test split, using the pipeline's
// learners and metrics. `--test-rows FILE` takes the peers' split (0-based data-row numbers, one a line).
import fs from "node:fs";
import path from "node:path";
import { ValidationError } from "../../errors.js";
import { Duck } from "../../lake/duck.js";
import { detectCsvDialect, readCsvSql } from "../../lake/csv-dialect.js";
import { readFrame } from "../../lake/frame.js";
import { lit } from "../../lake/sql.js";
import { checkCandidate } from "../../learn/candidate-check.js";
import { screenColumns } from "../../learn/column-screen.js";
import { shareAutoBudget } from "../../learn/auto/budget.js";
import { autoFitParts, trainingSeconds, trainingText } from "../../flow/training-seconds.js";
import type { Model } from "../../learn/model.js";
import { checkClassTarget } from "../../learn/target.js";
import { holdoutSplit, trainCandidate } from "../../learn/train.js";
import type { Column, Frame, Task } from "../../records.js";
import { color, fmtNumber, printJson, table } from "../output.js";
import { asCategorical, checkColumns, columnList, labelledRows, readTestRows, rowsSaid } from "./train-data.js";
import { checkPositive, splitWarnings, testFractionOf, undefinedMetrics } from "./train-checks.js";
import { fixed, modelColumns, reportTail, seconds } from "./train-report.js";
import type { TrainOptions } from "./train-options.js";

export async function readTableFile(file: string): Promise<Frame> {
  if (!fs.existsSync(file)) throw new ValidationError(`no such file: ${file}`);
  const duck = await Duck.open();
  try {
    // The lake's CSV dialect detection: Yes/No stays text, one malformed row cannot change how the rest is read.
    const relation = /\.parquet$/i.test(file)
      ? `read_parquet(${lit(file)})`
      : readCsvSql(file, await detectCsvDialect(duck, file), { table: "train_rejects", scan: "train_rejects_scan" });
    const schema = await duck.describe(`SELECT * FROM ${relation}`);
    return await readFrame(duck, relation, schema);
  } finally {
    duck.close();
  }
}

/**
 * The task a target suggests, and why. Two values: binary; text: multiclass; fractions or more than 20 distinct
 * integers: regression. 3–20 distinct integers (scores 1–5, grades, counts) could be classes or ordered numbers: the
 * user is asked, instead of a silent 6-class problem.
 */
export function inferTask(target: Column): { task: Task; why: string } {
  const distinct = new Set<string | number>();
  let fractional = false;
  for (let i = 0; i < target.values.length && distinct.size <= 50; i++) {
    const v = target.values[i];
    if (v === null || (typeof v === "number" && Number.isNaN(v))) continue;
    distinct.add(v);
    if (typeof v === "number" && !Number.isInteger(v)) fractional = true;
  }
  // Sorted, so "(1, 2, 3, 4, 5)" reads as the scale it is, not in the order rows happened to show it.
  const shown = [...distinct].sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : 1)).slice(0, 6).join(", ");
  if (distinct.size === 2) return { task: "binary", why: `"${target.name}" has 2 distinct values (${shown})` };
  if (target.kind !== "numeric") return { task: "multiclass", why: `"${target.name}" is text with ${distinct.size > 50 ? "over 50" : distinct.size} distinct values` };
  if (fractional) return { task: "regression", why: `"${target.name}" holds fractional numbers` };
  if (distinct.size > 20) return { task: "regression", why: `"${target.name}" holds ${distinct.size > 50 ? "over 50" : distinct.size} distinct integers` };
  throw new ValidationError(`"${target.name}" holds ${distinct.size} distinct integers (${shown}${distinct.size > 6 ? ", …" : ""}): classes or ordered numbers?`, {
    path: "--task",
    hint: "pass --task multiclass to predict one of these values as a class, or --task regression to predict a number",
  });
}

export function parseParams(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new ValidationError(`--param ${pair}: write it as name=value, e.g. --param max_depth=6`);
    const raw = pair.slice(eq + 1);
    const num = Number(raw);
    out[pair.slice(0, eq)] = raw === "true" ? true : raw === "false" ? false : raw !== "" && Number.isFinite(num) ? num : raw;
  }
  return out;
}

/** -p parameters plus --time-budget, which only `auto` takes. */
function candidateParams(opts: TrainOptions): Record<string, unknown> {
  const params = parseParams(opts.param);
  if (opts.timeBudget === undefined) return params;
  if (opts.model !== "auto") throw new ValidationError(`--time-budget applies to --model auto, not ${opts.model}`, { path: "--time-budget", hint: "drop --time-budget or use --model auto" });
  return { ...params, time_budget_s: opts.timeBudget };
}

/**
 * The learner when --model is not given: `auto` (a portfolio tried by CV within --time-budget), which reached the best
 * peer on every set of bench/RESULTS.md "learn: categoricals and peers" (issue 11); recommendation keeps svd.
 */
export const DEFAULT_MODEL = "auto";

export async function trainCommand(csv: string, given: Omit<TrainOptions, "model"> & { model?: string }): Promise<number> {
  const opts: TrainOptions = { ...given, model: given.model ?? (given.task === "recommendation" ? "svd" : DEFAULT_MODEL) };
  if (opts.task === "recommendation") return (await import("./recommend-train.js")).recommendTrainCommand(csv, opts, { readTable: readTableFile, params: parseParams(opts.param) });
  // The model and -p parameters are checked against the model registry before the data is read (as millrace.yaml is).
  const params = candidateParams(opts);
  checkCandidate({ model: opts.model, params });
  const budget = splitBudget(opts, params);
  const testFraction = opts.testRows ? null : testFractionOf(opts.testFraction);
  const t0 = performance.now();
  const full = await readTableFile(csv);
  const loadSeconds = (performance.now() - t0) / 1000;
  if (!full.columns.some((c) => c.name === opts.target)) {
    throw new ValidationError(`target column "${opts.target}" is not in ${path.basename(csv)}`, { path: "--target", hint: `columns: ${full.columns.map((c) => c.name).join(", ")}` });
  }
  const [drop, keep, cats] = [columnList(opts.drop), columnList(opts.keep), columnList(opts.cat)];
  checkColumns("--drop", drop, full, opts.target);
  checkColumns("--keep", keep, full, opts.target);
  const both = keep.find((k) => drop.includes(k));
  if (both) throw new ValidationError(`--keep ${both} and --drop ${both}: a column is either kept or dropped`, { path: "--keep", hint: `leave "${both}" out of one of them` });
  const missingCat = cats.find((c) => !full.columns.some((f) => f.name === c));
  if (missingCat !== undefined) checkColumns("--cat", [missingCat], full, opts.target);
  // Rows without a target teach nothing: they are left out and counted; --test-rows still numbers the file's rows.
  const labelled = labelledRows(asCategorical({ rowCount: full.rowCount, columns: full.columns.filter((c) => !drop.includes(c.name)) }, cats), opts.target, csv);
  const frame: Frame = labelled.frame;
  const target = frame.columns.find((c) => c.name === opts.target)!;
  const inferred = opts.task ? { task: opts.task as Task, why: "--task" } : inferTask(target);
  const task = inferred.task;
  if (!["binary", "multiclass", "regression"].includes(task)) throw new ValidationError(`--task ${task}: use binary, multiclass or regression`);
  checkPositive(opts.positive, task, inferred.why);
  checkClassTarget(target, Uint32Array.from({ length: frame.rowCount }, (_, i) => i), task);
  const seed = opts.seed;
  const testRows = opts.testRows
    ? readTestRows(opts.testRows, full.rowCount, labelled.fileRow)
    : holdoutSplit(target, { testFraction: testFraction!, seed, stratify: task !== "regression" }).test;
  // Constant and identifier columns are left out (judged on the train rows), unless --keep names them.
  const isTest = new Uint8Array(frame.rowCount);
  for (const r of testRows) isTest[r] = 1;
  const trainRows = Uint32Array.from({ length: frame.rowCount }, (_, i) => i).filter((i) => !isTest[i]);
  if (opts.testRows && testRows.length === 0) {
    throw new ValidationError(`none of the --test-rows has a "${opts.target}" value: nothing to test on`, { path: "--test-rows", hint: "hold out rows that have a target" });
  }
  if (trainRows.length === 0) throw new ValidationError(`every row with a "${opts.target}" value is held out: nothing to train on`, { path: "--test-rows", hint: "hold out fewer rows" });
  const warnings = splitWarnings(target, task, trainRows, testRows);
  const screened = screenColumns(frame, frame.columns.map((c) => c.name).filter((n) => n !== opts.target), trainRows, new Set(keep));
  const features = screened.features;
  if (features.length === 0) {
    throw new ValidationError(`no feature left: ${screened.dropped.map((d) => `${d.column} (${d.reason})`).join(", ") || "the file has only the target"}`, { path: "--keep", hint: "name the columns to use anyway with --keep a,b" });
  }
  const trainStarted = performance.now();
  const result = await trainCandidate({
    frame,
    target: opts.target,
    features,
    task,
    ...(opts.positive !== undefined ? { positive: opts.positive } : {}),
    testRows,
    cvFolds: opts.cv,
    seed,
    candidate: { name: opts.model, model: opts.model, params },
  });
  const trainWall = (performance.now() - trainStarted) / 1000;
  if (opts.save) fs.writeFileSync(opts.save, result.model.toBytes());
  const classes = result.model.signature.output.classes;
  const positive = task === "binary" ? (classes?.[1] ?? null) : null;
  // A run's train_seconds, final_fit_seconds, cv_seconds and search_seconds: trainSeconds, … here. auto's search runs
  // inside its fit: it is split out, so final fit is the refit of the candidate chosen.
  const fit = autoFitParts(result.trainSeconds, result.selection);
  const timings = trainingSeconds(trainWall, { ...fit, predict: result.predictSeconds, cv: result.cvSeconds ?? 0 });
  const columns = modelColumns((result.model as Model).pipeline.state);
  const notDefined = undefinedMetrics(task, result.testMetrics, testRows.length);
  const report = {
    file: csv,
    target: opts.target,
    task,
    taskReason: inferred.why,
    ...(positive !== null ? { positive } : {}),
    ...(cats.length ? { categorical: cats } : {}),
    model: opts.model,
    ...(result.selection ? { chosen: result.selection.chosen, chosenModel: result.selection.chosenModel, candidates: result.selection.candidates } : {}),
    ...(budget ? { timeBudget: budget } : {}),
    rows: frame.rowCount,
    ...(labelled.missing ? { missingTargetRows: labelled.missing } : {}),
    /** Input columns the model reads; modelColumns: the columns its learner is given (what mean |SHAP| lists). */
    features: features.length,
    modelColumns: columns.count,
    dropped: screened.dropped,
    trainRows: frame.rowCount - testRows.length,
    testRows: testRows.length,
    // A metric undefined on the test rows (r2 of one row) is null here, and undefinedMetrics says why.
    metrics: { ...result.testMetrics, ...Object.fromEntries(Object.keys(notDefined).map((k) => [k, null])) },
    ...(Object.keys(notDefined).length ? { undefinedMetrics: notDefined } : {}),
    ...(warnings.length ? { warnings } : {}),
    cv: result.cvMetrics,
    ...(result.shapImportance ? { shapImportance: result.shapImportance } : {}),
    ...(result.shapNote ? { shapNote: result.shapNote } : {}),
    ...reportTail(result.params, loadSeconds, { timings, predictSeconds: result.predictSeconds }, opts.save),
  };
  if (opts.json) {
    printJson(report);
    return 0;
  }
  if (labelled.missing) console.log(`left out ${fmtNumber(labelled.missing)} row${labelled.missing === 1 ? "" : "s"} without a "${opts.target}" value (${rowsSaid(labelled.firstMissing, labelled.missing)})`);
  for (const d of screened.dropped) console.log(`dropped ${d.column}: ${d.reason === "identifier" ? "an identifier" : "constant"} (${d.detail}) — use --keep ${d.column} to use it`);
  for (const w of warnings) console.error(color.yellow(`⚠ ${w}`));
  const made = columns.count === features.length ? "" : ` → ${columns.count} model columns (${columns.expanded.join(", ")})`;
  console.log(`${color.bold(opts.model)} on ${path.basename(csv)}: ${task} (${inferred.why}), ${fmtNumber(frame.rowCount)} rows (${fmtNumber(report.trainRows)} train / ${fmtNumber(report.testRows)} test), ${features.length} input columns${made}`);
  const sel = result.selection;
  if (sel) {
    const of = budget ? ` of ${seconds(budget.seconds)}: auto runs in each of ${opts.cv} CV folds and once on every train row` : "";
    console.log(`auto tried ${sel.candidates.length} candidates (${sel.metric}, CV on the train rows, budget ${seconds(sel.budgetSeconds)}${of}); chose ${color.bold(sel.chosen)}`);
    console.log(table(["candidate", `cv ${sel.metric}`, "cv std", "seconds", "status"], sel.candidates.map((c) => [c.label, c.cvMean, fixed(c.cvStd, c.cvMean), c.seconds.toFixed(1), c.error ? `${c.status}: ${c.error}` : c.status])));
    for (const c of sel.candidates) if (c.reason) console.log(color.dim(`${c.label}: ${c.reason}`));
    if (sel.refitReason) console.log(sel.refit === "last_cv_part" ? color.yellow(`not refit: ${sel.refitReason}`) : color.dim(`final model: ${sel.refitReason}`));
  }
  if (positive !== null) console.log(`positive class (1): "${positive}"${opts.positive === undefined ? color.dim(" — the second in sorted order; choose it with --positive") : ""}`);
  const cvOf = (k: string) => result.cvMetrics[`${k}_mean`];
  const hasCv = Object.keys(result.testMetrics).some((k) => cvOf(k) !== undefined);
  console.log(
    table(
      ["metric", "test", ...(hasCv ? [`cv mean (${opts.cv} folds)`, "cv std"] : [])],
      Object.entries(result.testMetrics).filter(([k]) => !(k in notDefined)).map(([k, v]) => [k, v, ...(hasCv ? [cvOf(k) ?? null, fixed(result.cvMetrics[`${k}_std`], cvOf(k))] : [])]),
    ),
  );
  for (const [k, why] of Object.entries(notDefined)) console.log(color.dim(`${k} left out: ${why}`));
  if (result.shapNote) console.log(color.dim(result.shapNote));
  console.log(color.dim(`load ${loadSeconds.toFixed(2)} s · ${trainingText(timings, opts.cv)} · predict ${result.predictSeconds.toFixed(3)} s`));
  return 0;
}

/**
 * --model auto with --cv K runs auto K + 1 times (in each fold, then on every train row): the budget the user gave
 * (or auto's default) is shared among them, so it bounds the command, not each run. Null when auto runs once.
 */
function splitBudget(opts: TrainOptions, params: Record<string, unknown>): { seconds: number; perFit: number; fits: number } | null {
  if (opts.model !== "auto" || opts.cv < 2) return null;
  const { total, perFit, fits } = shareAutoBudget(params.time_budget_s, opts.cv);
  params.time_budget_s = perFit;
  return { seconds: total, perFit, fits };
}
