// The files batch prediction writes, chosen by the output file's extension: one entry per extension, read by
// scoreFile (how to COPY) and by `millrace predict --output` (what to accept and list in its help).
import path from "node:path";
import { ValidationError } from "../errors.js";
import { ident, lit } from "../lake/sql.js";

/** Output extension → DuckDB COPY format. `.json` is JSON lines too (one object a line), like `.ndjson` and `.jsonl`. */
const FORMATS = { ".csv": "csv", ".parquet": "parquet", ".ndjson": "json", ".jsonl": "json", ".json": "json" } as const;

export type PredictOutputFormat = (typeof FORMATS)[keyof typeof FORMATS];

/** The extensions batch prediction writes, in the order help texts list them. */
export const PREDICT_OUTPUT_TYPES: readonly string[] = Object.keys(FORMATS);

/** The format of an output file by its extension; any other extension is refused, never written as some default. */
export function predictOutputFormat(file: string): PredictOutputFormat {
  const ext = path.extname(file).toLowerCase();
  const format = Object.hasOwn(FORMATS, ext) ? FORMATS[ext as keyof typeof FORMATS] : undefined;
  if (!format) {
    throw new ValidationError(`--output ${file}: batch predict writes ${PREDICT_OUTPUT_TYPES.join(", ")} files, chosen by the extension`, {
      path: "output",
      hint: `name the output e.g. scores.csv, scores.parquet or scores.ndjson (JSON lines)`,
    });
  }
  return format;
}

/** Columns JSON lines write differently from CSV and Parquet. */
export interface JsonColumns {
  /** Floating-point columns: JSON has no NaN or Infinity, so those values are written as null. */
  finite: readonly string[];
  /** Text columns holding JSON (an explanation): written nested, as the JSON they hold, not as a string of it. */
  json: readonly string[];
}

/**
 * The COPY writing `source` (a relation) to `out`, the columns as they are, in order, each in its own type. In JSON
 * lines the `columns.finite` NaN and Infinity become null (so every line parses) and `columns.json` are nested.
 */
export function copyScoresSql(source: string, out: string, format: PredictOutputFormat, columns: JsonColumns): string {
  if (format === "csv") return `COPY (SELECT * FROM ${source}) TO ${lit(out)} (FORMAT csv, HEADER true)`;
  if (format === "parquet") return `COPY (SELECT * FROM ${source}) TO ${lit(out)} (FORMAT parquet)`;
  const replaced = [
    ...columns.finite.map((c) => `CASE WHEN isfinite(${ident(c)}) THEN ${ident(c)} END AS ${ident(c)}`),
    ...columns.json.map((c) => `json(${ident(c)}) AS ${ident(c)}`),
  ];
  return `COPY (SELECT * ${replaced.length ? `REPLACE (${replaced.join(", ")})` : ""} FROM ${source}) TO ${lit(out)} (FORMAT json)`;
}
