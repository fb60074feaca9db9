// Batch prediction, written once: a CSV or Parquet file scored with a registered model version (or a model file from
// `millrace train --save`, without a project), streamed in chunks through DuckDB (memory bounded by one chunk) and
// written to CSV, Parquet or JSON lines (predict-output.ts). `millrace predict` is its CLI.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";
import { ValidationError } from "../errors.js";
import { detectCsvDialect, readCsvSql } from "../lake/csv-dialect.js";
import { Duck } from "../lake/duck.js";
import { ident, lit } from "../lake/sql.js";
import { loadModel } from "../learn/train.js";
import { explainingLearners } from "../learn/model-specs.js";
import type { Column, Frame, Signature } from "../records.js";
import { readRowCheck, rowCheckSql } from "./batch-validate.js";
import { booleanTextProbes, isFloatingType, keptAppenders, keptColumnTypes, type AppendKept } from "./kept-columns.js";
import { copyScoresSql, predictOutputFormat } from "./predict-output.js";
import type { Workspace } from "./workspace.js";

const NUMERIC = new Set(["number", "integer"]);

async function inputRelation(file: string): Promise<string> {
  if (!fs.existsSync(file)) throw new ValidationError(`no such input file: ${file}`);
  if (/\.parquet$/i.test(file)) return `read_parquet(${lit(file)})`;
  const duck = await Duck.open();
  try {
    return readCsvSql(file, await detectCsvDialect(duck, file), { table: "predict_rejects", scan: "predict_rejects_scan" });
  } finally {
    duck.close();
  }
}

export interface BatchPredictRequest {
  /** name@alias or name@version; default: the project's model at its served alias. */
  model?: string;
  input: string;
  output: string;
  /** Rows scored at a time (at least 1,000): bounds memory. */
  chunkRows: number;
  /** Input columns copied into the output (in the input's types), or "all". */
  keep?: string;
  /**
   * Add an `explanation` column: per row its top-k feature contributions (TreeSHAP / linear), nested JSON in JSON
   * lines, the JSON text in CSV and Parquet.
   */
  explain?: number;
  /**
   * Rows /predict would refuse (a missing required value, text in a numeric field, an unknown category of a strict
   * field, under serve.strict_ranges a value outside training): "write" (default) writes them unscored with an
   * `_error` column, "skip" leaves them out, "fail" refuses the file at the first one (`--strict`).
   */
  invalidRows?: "write" | "skip" | "fail";
  /** Called once with the total, then after each chunk. */
  onProgress?: (done: number, total: number, rowsPerSecond: number) => void;
}

export interface BatchPredictReport {
  /** The registered model's name, or the model file's path. */
  model: string;
  /** The registered version; null for a model file. */
  version: number | null;
  input: string;
  output: string;
  /** Rows read from the input. */
  rows: number;
  /** Rows scored: `rows` less the invalid ones (written unscored with `_error`, or skipped). */
  scored: number;
  seconds: number;
  rowsPerSecond: number;
  /** Rows not scored because /predict would refuse them, and the first few reasons ("data row 2: tenure must be …", 0-based as train --test-rows). */
  invalid: number;
  invalidReasons: string[];
  /** Scored rows with a value outside what training saw (what /predict flags), and the first few flags. */
  flagged: number;
  flags: string[];
}

/** Reasons and flags kept for the report (all are counted; invalid rows carry theirs in `_error`). */
const REASONS_SHOWN = 5;

/**
 * Scores a CSV or Parquet file with a registered model version, streamed in chunks (memory bounded by one chunk),
 * written to CSV, Parquet or JSON lines (by the output's extension: .csv, .parquet, .ndjson/.jsonl/.json).
 */
export async function scoreFile(ws: Workspace, opts: BatchPredictRequest): Promise<BatchPredictReport> {
  predictOutputFormat(opts.output); // before any work: an unknown extension is refused at once
  const cfg = ws.project.config;
  const ref = opts.model ?? `${cfg.registry.model}@${cfg.serve.alias ?? cfg.registry.alias}`;
  const at = ref.lastIndexOf("@");
  if (at <= 0) throw new ValidationError(`--model ${ref}: write it as name@alias or name@version, e.g. churn@production`);
  const { registry } = await ws.meta();
  const mv = await registry.resolve(ref.slice(0, at), ref.slice(at + 1));
  const model = loadModel(await registry.loadArtifact(mv));
  return scoreWith({ name: mv.name, version: mv.version, signature: mv.signature, model, strictRanges: cfg.serve.strict_ranges === true }, opts);
}

/**
 * Scores with a model file written by `millrace train --save`: no project, registry or metadata store. Ranges are
 * not enforced (serve.strict_ranges is a project's setting); values outside training are flagged as usual.
 */
export async function scoreArtifactFile(file: string, opts: Omit<BatchPredictRequest, "model">): Promise<BatchPredictReport> {
  predictOutputFormat(opts.output);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new ValidationError(`--model ${file}: no such model file (a registered model is written name@alias or name@version)`, { path: "model", hint: "write a model file with millrace train FILE --target COL --save model.bin" });
  }
  const model = loadModel(fs.readFileSync(file));
  return scoreWith({ name: file, version: null, signature: model.signature, model, strictRanges: false }, opts);
}

/** The model a file is scored with: a registered version (name, version) or a model file (its path, version null). */
interface ScoringModel {
  name: string;
  version: number | null;
  signature: Signature;
  model: ReturnType<typeof loadModel>;
  strictRanges: boolean;
}

async function scoreWith(mv: ScoringModel, opts: Omit<BatchPredictRequest, "model">): Promise<BatchPredictReport> {
  const outFormat = predictOutputFormat(opts.output);
  const model = mv.model;
  const label = mv.version === null ? mv.name : `${mv.name} v${mv.version}`;
  if (opts.explain !== undefined) {
    if (!Number.isInteger(opts.explain) || opts.explain < 1) throw new ValidationError(`--explain ${opts.explain}: give how many contributions to keep per row, e.g. --explain 5`, { path: "explain" });
    if (!model.explainable) throw new ValidationError(`${label} is a ${model.info.model} model, which cannot explain its predictions`, { path: "explain", hint: explainingLearners() });
  }
  const fields = mv.signature.inputs;
  const chunkRows = Math.max(1000, opts.chunkRows);
  const t0 = performance.now();

  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const relation = await inputRelation(path.resolve(opts.input));
  const described = (await (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`)).getRowObjectsJS()).map((r) => [String(r.column_name), String(r.column_type)] as const);
  const available = described.map(([name]) => name);
  const missing = fields.filter((f) => !available.includes(f.name) && !f.nullable).map((f) => f.name);
  if (missing.length) {
    throw new ValidationError(`${path.basename(opts.input)} lacks the model's input column(s) ${missing.join(", ")}`, {
      hint: `${label} reads: ${fields.map((f) => f.name).join(", ")}`,
    });
  }
  const keep = opts.keep === "all" ? available : (opts.keep ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const k of keep) if (!available.includes(k)) throw new ValidationError(`--keep ${k}: no such column in ${path.basename(opts.input)}`);
  // Numbers as DOUBLE (text that is not a number becomes missing), everything else as text: what the model's frame holds.
  const featureExprs = fields.map((f, i) =>
    available.includes(f.name) ? (NUMERIC.has(f.type) ? `TRY_CAST(${ident(f.name)} AS DOUBLE) AS f${i}` : `CAST(${ident(f.name)} AS VARCHAR) AS f${i}`) : `NULL AS f${i}`,
  );
  const inputTypes = new Map(described);
  // One pass counts the rows and asks whether a CSV's kept text columns hold only true/false (kept-columns.ts).
  const probes = booleanTextProbes(keep, inputTypes, !/\.parquet$/i.test(opts.input));
  const counted = (await (await con.runAndReadAll(`SELECT ${["count(*) AS n", ...probes.sql].join(", ")} FROM ${relation}`)).getRowObjectsJS())[0];
  const total = Number(counted.n);
  // Kept columns in the input's own types: JSON lines and Parquet keep numbers as numbers, booleans as booleans.
  const keptTypes = keptColumnTypes(keep, inputTypes, probes, counted);
  const keepExprs = keep.map((k, i) => (keptTypes[i] === inputTypes.get(k) ? `${ident(k)} AS k${i}` : `CAST(${ident(k)} AS ${keptTypes[i]}) AS k${i}`));
  // Checked in SQL over whole columns, not per value in JS: the same rules as /predict's signature validation.
  const checks = rowCheckSql(fields, inputTypes, ident, mv.strictRanges);
  const checkExprs = [`${checks} AS _check`];
  const tally: Tally = { invalid: 0, invalidReasons: [], flagged: 0, flags: [], mode: opts.invalidRows ?? "write", input: path.basename(opts.input) };

  const classes = model.classes ?? [];
  const doubleCols = [...keep.filter((_, i) => isFloatingType(keptTypes[i])), ...(mv.signature.output.task === "regression" ? ["prediction"] : []), ...classes.map((c) => `probability_${c}`)];
  const outCols = [...keep.map((k, i) => `${ident(k)} ${keptTypes[i]}`), mv.signature.output.task === "regression" ? `"prediction" DOUBLE` : `"prediction" VARCHAR`, ...classes.map((c) => `${ident(`probability_${c}`)} DOUBLE`), ...(opts.explain !== undefined ? [`"explanation" VARCHAR`] : [])];
  // A batch with invalid rows goes to its own table with an `_error` column; every other batch keeps the lean layout
  // (one appender call less per row: an `_error` column on every row cost ~15% more CPU on 1M valid rows).
  await con.run(`CREATE TABLE scored (${outCols.join(", ")}); CREATE TABLE scored_invalid (${[...outCols, `"_error" VARCHAR`].join(", ")})`);
  const parts: string[] = [];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-predict-"));
  opts.onProgress?.(0, total, 0);

  // The input streams on its own connection: any other statement on a connection ends its open stream.
  const reader = await db.connect();
  const stream = await reader.stream(`SELECT ${[...featureExprs, ...keepExprs, ...checkExprs].join(", ")} FROM ${relation}`);
  const appendKept = keptAppenders(stream.columnTypes().slice(fields.length, fields.length + keep.length));
  let buffered: unknown[][][] = [];
  let bufferedRows = 0;
  let done = 0;
  const flush = async () => {
    if (bufferedRows === 0) return;
    const table = await scoreBatch(con, model, fields.map((f) => f.name), fields.map((f) => NUMERIC.has(f.type)), appendKept, classes, buffered, bufferedRows, opts.explain, tally, done);
    const part = path.join(workDir, `part-${String(parts.length).padStart(5, "0")}.parquet`);
    await con.run(`COPY ${table} TO ${lit(part)} (FORMAT parquet); DELETE FROM ${table}`);
    parts.push(part);
    done += bufferedRows;
    buffered = [];
    bufferedRows = 0;
    opts.onProgress?.(done, total, Math.round(done / ((performance.now() - t0) / 1000)));
  };
  try {
    for (let chunk = await stream.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await stream.fetchChunk()) {
      buffered.push(chunk.getColumns() as unknown[][]);
      bufferedRows += chunk.rowCount;
      if (bufferedRows >= chunkRows) await flush();
    }
    await flush();
  } catch (e) {
    // A refused file (invalidRows "fail") writes no output and leaves no temporary parts behind.
    reader.closeSync();
    con.closeSync();
    db.closeSync();
    fs.rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
  reader.closeSync();
  const out = path.resolve(opts.output);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // Parts with and without `_error` are read by name: the column is there (NULL for valid rows) when some row has one.
  const byName = tally.invalid > 0 && tally.mode === "write" ? ", union_by_name = true" : "";
  const all = parts.length ? `read_parquet([${parts.map(lit).join(", ")}]${byName})` : `scored`;
  await con.run(copyScoresSql(all, out, outFormat, { finite: doubleCols, json: opts.explain !== undefined ? ["explanation"] : [] }));
  con.closeSync();
  db.closeSync();
  fs.rmSync(workDir, { recursive: true, force: true });
  const seconds = (performance.now() - t0) / 1000;
  return { model: mv.name, version: mv.version, input: opts.input, output: out, rows: done, scored: done - tally.invalid, seconds, rowsPerSecond: Math.round(done / seconds), invalid: tally.invalid, invalidReasons: tally.invalidReasons, flagged: tally.flagged, flags: tally.flags };
}

interface Tally {
  invalid: number;
  invalidReasons: string[];
  flagged: number;
  flags: string[];
  mode: "write" | "skip" | "fail";
  input: string;
}

/**
 * Counts a batch's invalid and flagged rows (its row-check column, see readRowCheck; `first` is the batch's first row
 * number minus one) and returns a mask of its invalid rows, or null when every row is valid.
 */
function tallyBatch(chunks: unknown[][][], errorAt: number, first: number, tally: Tally): Uint8Array | null {
  let mask: Uint8Array | null = null;
  let row = 0;
  for (const c of chunks) {
    const checks = c[errorAt];
    for (let i = 0; i < checks.length; i++, row++) {
      if (checks[i] === null) continue;
      const { invalid, text } = readRowCheck(checks[i] as string);
      if (invalid) {
        tally.invalid++;
        if (tally.invalidReasons.length < REASONS_SHOWN) tally.invalidReasons.push(`data row ${first + row}: ${text}`);
        (mask ??= new Uint8Array(totalRows(chunks)))[row] = 1;
      } else {
        tally.flagged++;
        if (tally.flags.length < REASONS_SHOWN) tally.flags.push(`data row ${first + row}: ${text}`);
      }
    }
  }
  if (mask && tally.mode === "fail") {
    throw new ValidationError(`${tally.input}: ${tally.invalidReasons[0]}${tally.invalid > 1 ? ` (and ${tally.invalid - 1} more invalid row${tally.invalid > 2 ? "s" : ""} so far)` : ""}`, {
      path: tally.input,
      hint: "fix the rows, or drop --strict to score the valid rows and write the others with an _error column",
      reasons: tally.invalidReasons,
    });
  }
  return mask;
}

function totalRows(chunks: unknown[][][]): number {
  let n = 0;
  for (const c of chunks) n += c[0]?.length ?? 0;
  return n;
}

/** Scores one buffered batch (DuckDB chunks, column-major), appends the answers to `scored` (or, with invalid rows to
 *  write, `scored_invalid`) and returns that table's name. */
async function scoreBatch(
  con: DuckDBConnection,
  model: ReturnType<typeof loadModel>,
  names: string[],
  numeric: boolean[],
  appendKept: AppendKept[],
  classes: string[],
  chunks: unknown[][][],
  rows: number,
  explainTop: number | undefined,
  tally: Tally,
  first: number,
): Promise<"scored" | "scored_invalid"> {
  const keepCount = appendKept.length;
  const errorAt = names.length + keepCount;
  // Invalid rows are left out of the frame (column by column, by the mask), so the model scores only valid rows.
  const invalid = tallyBatch(chunks, errorAt, first, tally);
  let valid = rows;
  if (invalid) for (let i = 0; i < rows; i++) valid -= invalid[i];
  const columns: Column[] = names.map((name, j) => {
    if (numeric[j]) {
      const values = new Float64Array(valid);
      let at = 0;
      let row = 0;
      if (!invalid) for (const c of chunks) for (const v of c[j]) values[at++] = v === null ? NaN : (v as number);
      else for (const c of chunks) for (const v of c[j]) if (invalid[row++] === 0) values[at++] = v === null ? NaN : (v as number);
      return { name, kind: "numeric", values };
    }
    const values = new Array<string | null>(valid);
    let at = 0;
    let row = 0;
    if (!invalid) for (const c of chunks) for (const v of c[j]) values[at++] = v as string | null;
    else for (const c of chunks) for (const v of c[j]) if (invalid[row++] === 0) values[at++] = v as string | null;
    return { name, kind: "categorical", values };
  });
  const frame: Frame = { rowCount: valid, columns };
  // Raw scores, not one answer object per row: millions of small objects cost more than scoring them.
  const scores = valid > 0 ? model.scoreFrame(frame) : new Float64Array(0);
  const explanations = explainTop !== undefined && valid > 0 ? model.explainFrame(frame, explainTop) : null;
  const regression = model.task === "regression";
  const k = classes.length;
  const skip = tally.mode === "skip";
  const table = invalid !== null && !skip ? "scored_invalid" : "scored";
  const appender = await con.createAppender(table);
  let row = 0;
  let scored = 0;
  for (const c of chunks) {
    const n = c[0]?.length ?? 0;
    const errors = c[errorAt];
    for (let i = 0; i < n; i++, row++) {
      const bad = invalid !== null && invalid[row] === 1;
      if (bad && skip) continue;
      for (let k = 0; k < keepCount; k++) appendKept[k](appender, c[names.length + k][i] as DuckDBValue);
      if (bad) {
        appender.appendNull();
        for (let c = 0; c < k; c++) appender.appendNull();
        if (explainTop !== undefined) appender.appendNull();
        appender.appendVarchar(readRowCheck(errors[i] as string).text);
      } else {
        if (regression) appender.appendDouble(scores[scored]);
        else appender.appendVarchar(model.labelAt(scores, scored));
        for (let c = 0; c < k; c++) appender.appendDouble(scores[scored * k + c]);
        if (explanations) appender.appendVarchar(JSON.stringify(explanations[scored]));
        if (table === "scored_invalid") appender.appendNull();
        scored++;
      }
      appender.endRow();
    }
  }
  appender.closeSync();
  return table;
}
