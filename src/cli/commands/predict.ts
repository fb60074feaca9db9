// `millrace predict`: batch scoring of a CSV/Parquet file with a registered model version or a `train --save` model
// file (src/app/batch-predict.ts) into CSV, Parquet or JSON lines, with a progress bar on a terminal.
import fs from "node:fs";
import path from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { scoreArtifactFile, scoreFile, type BatchPredictRequest } from "../../app/batch-predict.js";
import { PREDICT_OUTPUT_TYPES } from "../../app/predict-output.js";
import { Workspace } from "../../app/workspace.js";
import { ValidationError } from "../../errors.js";
import { loadProject, PROJECT_FILE, type Project } from "../../project/load-project.js";
import { printJson } from "../output.js";
import type { ActionWrapper } from "./action.js";
import { fileOfType, oneOf, positiveInt } from "../option-parsers.js";

export interface PredictOptions {
  project: string;
  model?: string;
  input: string;
  output: string;
  chunk: number;
  keep?: string;
  /** --explain alone: true (5 contributions); --explain k: k, a whole number ≥ 1 (checked by commander). */
  explain?: number | true;
  /** Invalid rows: written unscored with an `_error` column (default), skipped, or the file refused (--strict). */
  invalid?: "write" | "skip" | "fail";
  strict?: boolean;
  json?: boolean;
}

export async function predictCommand(opts: PredictOptions): Promise<number> {
  const bar = !opts.json && process.stderr.isTTY ? new cliProgress.SingleBar({ format: `  scoring [{bar}] {percentage}% {value}/{total} rows {speed}`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  const request: Omit<BatchPredictRequest, "model"> = {
    input: opts.input,
    output: opts.output,
    chunkRows: opts.chunk,
    invalidRows: opts.strict ? "fail" : (opts.invalid ?? "write"),
    ...(opts.keep !== undefined ? { keep: opts.keep } : {}),
    ...(opts.explain !== undefined ? { explain: opts.explain === true ? 5 : opts.explain } : {}),
    onProgress: (done, total, speed) => (done === 0 ? bar?.start(total, 0, { speed: "" }) : bar?.update(done, { speed: `${speed.toLocaleString("en-US")} rows/s` })),
  };
  // -m without "@" is a model file (what `millrace train --save` wrote), scored with directly: no project needed.
  const report = await (opts.model !== undefined && !opts.model.includes("@")
    ? scoreArtifactFile(opts.model, request)
    : Workspace.use(projectOrSay(opts.project), (ws) => scoreFile(ws, { ...request, ...(opts.model !== undefined ? { model: opts.model } : {}) }))
  ).finally(() => bar?.stop());
  if (opts.json) printJson(report);
  else {
    const of = report.scored === report.rows ? "" : ` of ${report.rows.toLocaleString("en-US")}`;
    const model = report.version === null ? report.model : `${report.model} v${report.version}`;
    console.log(`scored ${report.scored.toLocaleString("en-US")}${of} rows with ${model} in ${report.seconds.toFixed(2)} s (${report.rowsPerSecond.toLocaleString("en-US")} rows/s) → ${report.output}`);
    // Rows /predict would refuse are not scored: said aloud with the first reasons, like the flags of unseen values.
    if (report.invalid > 0) {
      const where = opts.invalid === "skip" ? "left out of the output" : "written unscored with their reason in _error";
      console.error(`⚠ ${report.invalid.toLocaleString("en-US")} invalid row${report.invalid === 1 ? "" : "s"} ${where} (--strict refuses the file):`);
      for (const r of report.invalidReasons) console.error(`  ${r}`);
    }
    if (report.flagged > 0) {
      console.error(`⚠ ${report.flagged.toLocaleString("en-US")} row${report.flagged === 1 ? "" : "s"} scored with values outside what training saw:`);
      for (const f of report.flags) console.error(`  ${f}`);
    }
  }
  return 0;
}

/** The project of a registered model; outside one, the error says that a model file needs none. */
function projectOrSay(dir: string): Project {
  const file = /\.ya?ml$/.test(dir) ? dir : path.join(dir, PROJECT_FILE);
  if (!fs.existsSync(file)) {
    throw new ValidationError(`no ${PROJECT_FILE} at ${path.resolve(path.dirname(file))}: a registered model (name@alias) is read from a project`, {
      path: "--project",
      hint: "score with a model file instead: millrace predict -i IN -o OUT -m model.bin (written by millrace train FILE --target COL --save model.bin), or pass -p DIR of a project",
    });
  }
  return loadProject(dir);
}

export function predictCommands(program: Command, action: ActionWrapper): void {
  program
    .command("predict")
    .description("score a CSV or Parquet file with a registered model version (or a file from train --save), streamed in chunks")
    .requiredOption("-i, --input <file>", "CSV or Parquet file with the model's input columns")
    // The format follows the extension (app/predict-output.ts); any other is refused here, not mis-written.
    .requiredOption("-o, --output <file>", `where to write the scores: ${PREDICT_OUTPUT_TYPES.join(", ")} (.ndjson, .jsonl and .json are JSON lines)`, fileOfType(PREDICT_OUTPUT_TYPES))
    .option("-m, --model <name@alias|version|file>", "model version, or a model file written by `millrace train --save` (no project needed); default: the project's model at its served alias")
    .option("-p, --project <dir>", "project folder", ".")
    .option("-k, --keep <columns>", 'input columns to copy into the output in their own types (e.g. an id), or "all"')
    .option("--chunk <rows>", "rows scored at a time (bounds memory; ≥ 1)", positiveInt, 100_000)
    .option("--explain [k]", "add an explanation column: each row's k (default 5) largest feature contributions, base and raw score (TreeSHAP for trees, coefficient × value for linear models); nested JSON in JSON lines, its JSON text in CSV and Parquet", positiveInt)
    .option("--invalid <what>", "rows /predict would refuse (missing value, wrong type, unknown category): write them unscored with an _error column, or skip them; messages name them by 0-based data row (the first row after the header is 0, as train --test-rows numbers them)", oneOf(["write", "skip"] as const), "write")
    .option("--strict", "refuse the whole file if any row is invalid (exit 1, nothing written)")
    .option("--json", "print the report as JSON")
    .action(action((opts: PredictOptions) => predictCommand(opts)));
}
