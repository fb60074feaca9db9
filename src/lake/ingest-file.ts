// Converts one source file (CSV, Parquet, JSON/NDJSON) into one bronze Parquet data file with the lineage columns,
// applying the schema policy; every row that cannot be read is returned for quarantine with its line and reason.
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { ValidationError } from "../errors.js";
import type { ColumnSchema } from "../records.js";
import { detectCsvDialect, guessDelimiter, readCsvSql, type CsvDialect, type CsvOptions } from "./csv-dialect.js";
import { refuseBadCsvOptions } from "./csv-options-check.js";
import { salvageCsv } from "./csv-salvage.js";
import type { Duck } from "./duck.js";
import type { FileWriteResult, QuarantineRow } from "./file-write.js";
import { salvageJson } from "./json-salvage.js";
import { dropLongLines, MAX_LINE_BYTES } from "./long-lines.js";
import { scratchBeside } from "./scratch.js";
import { planSchema, type SchemaPlan, type SchemaPolicy } from "./schema-policy.js";
import { ident, isNumericType, lit } from "./sql.js";

export type SourceFormat = "csv" | "parquet" | "json";

export interface SourceOptions {
  format?: SourceFormat | "auto";
  csv?: CsvOptions;
  schemaPolicy?: SchemaPolicy;
  /** JSON sources: column → DuckDB type, instead of inferring (e.g. rows fetched from PostgreSQL). */
  jsonColumns?: Record<string, string>;
  /** JSON: infer column types from every row rather than a sample (the salvage path: a late row of another type). */
  inferAllRows?: boolean;
}

export type { BadRowSample, FileWriteResult, QuarantineRow } from "./file-write.js";

export interface LineageValues {
  sourceFile: string;
  ingestedAt: string;
  batchId: string;
}

export function formatOf(file: string, declared: SourceOptions["format"] = "auto"): SourceFormat {
  if (declared && declared !== "auto") return declared;
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv" || ext === ".tsv" || ext === ".txt") return "csv";
  if (ext === ".parquet" || ext === ".pq") return "parquet";
  if (ext === ".json" || ext === ".ndjson" || ext === ".jsonl") return "json";
  throw new ValidationError(`cannot tell the format of ${file} from its extension "${ext}"`, {
    path: file,
    hint: 'name it .csv, .parquet, .json or .ndjson, or declare the format: "csv" | "parquet" | "json"',
  });
}

/**
 * The lineage columns, constant per file. Cast to a one-value ENUM they are written as a dictionary without
 * hashing a string per row (a quarter of the ingest time otherwise); Parquet gives them back as VARCHAR.
 */
function lineageColumns(l: LineageValues): string {
  const constant = (v: string) => `CAST(${lit(v)} AS ENUM (${lit(v)}))`;
  return `${constant(l.sourceFile)} AS _source_file, CAST(${lit(l.ingestedAt.replace("Z", ""))} AS TIMESTAMP) AS _ingested_at, ${constant(l.batchId)} AS _batch_id`;
}

/** Lines holding data (not the header, not a final empty line). */
export function countDataLines(file: string, headerLines: number): number {
  const buf = fs.readFileSync(file);
  let n = 0;
  for (let at = buf.indexOf(10); at !== -1; at = buf.indexOf(10, at + 1)) n++;
  if (buf.length && buf[buf.length - 1] !== 10) n++;
  return Math.max(n - headerLines, 0);
}

const firstLine = (e: unknown) => (e as Error).message.split("\n")[0];

interface Prepared {
  plan: SchemaPlan;
  reader: (source: string, rejects: { table: string; scan: string }) => string;
  /** SELECT list of the kept columns (with casts where the reader cannot cast). */
  select: string;
  /** Rows failing a coerce cast (parquet/json): predicate and quarantine reason expression. */
  castFailure: { where: string; reason: string } | null;
  headerLines: number;
  dialect: CsvDialect | null;
}

async function prepare(duck: Duck, file: string, format: SourceFormat, table: string, tableSchema: ColumnSchema[] | null, opts: SourceOptions): Promise<Prepared> {
  const policy = opts.schemaPolicy ?? "add_columns";
  if (format === "csv") {
    const dialect = await detectCsvDialect(duck, file, opts.csv);
    const plan = planSchema(table, file, tableSchema, dialect.columns, policy);
    const types = new Map(plan.columns.map((c) => [c.name, c.type]));
    // The CSV reader casts while parsing; values that do not fit are rejected rows with their line numbers.
    const readDialect: CsvDialect = { ...dialect, columns: dialect.columns.map((c) => ({ name: c.name, type: types.get(c.name) ?? "VARCHAR" })) };
    return {
      plan,
      reader: (source, rejects) => readCsvSql(source, readDialect, rejects),
      select: plan.columns.map((c) => ident(c.name)).join(", "),
      castFailure: null,
      headerLines: dialect.skipRows + (dialect.header ? 1 : 0),
      dialect: readDialect,
    };
  }
  const reader = (f: string) => (format === "parquet" ? `read_parquet(${lit(f)})` : jsonReader(f, opts));
  const source = await duck.describe(`SELECT * FROM ${reader(file)}`);
  const plan = planSchema(table, file, tableSchema, source, policy);
  const casts = plan.columns.filter((c) => c.castFrom !== undefined);
  const tryCast = (c: { name: string; type: string }) => `TRY_CAST(${ident(c.name)} AS ${c.type})`;
  // A cast that silently rounds (1.5 → BIGINT 2) counts as a failure too.
  const fails = casts.map((c) =>
    isNumericType(c.type) && isNumericType(c.castFrom!)
      ? `(${ident(c.name)} IS NOT NULL AND (${tryCast(c)} IS NULL OR CAST(${tryCast(c)} AS DOUBLE) <> CAST(${ident(c.name)} AS DOUBLE)))`
      : `(${ident(c.name)} IS NOT NULL AND ${tryCast(c)} IS NULL)`,
  );
  return {
    plan,
    reader: (f) => reader(f),
    select: plan.columns.map((c) => (c.castFrom !== undefined ? `${tryCast(c)} AS ${ident(c.name)}` : ident(c.name))).join(", "),
    castFailure: fails.length
      ? {
          where: fails.join(" OR "),
          reason: `concat_ws('; ', ${casts.map((c, i) => `CASE WHEN ${fails[i]} THEN ${lit(`cannot cast ${c.name} to ${c.type}: `)} || CAST(${ident(c.name)} AS VARCHAR) END`).join(", ")})`,
        }
      : null,
    headerLines: 0,
    dialect: null,
  };
}

/** read_json over a file, with the declared column types when the source has them. */
function jsonReader(file: string, opts: SourceOptions): string {
  const declared = opts.jsonColumns
    ? `, columns = {${Object.entries(opts.jsonColumns).map(([k, t]) => `${lit(k)}: ${lit(t)}`).join(", ")}}`
    : "";
  return `read_json(${lit(file)}, format = 'auto'${declared}${opts.inferAllRows ? ", sample_size = -1" : ""})`;
}

/** Which of a line's rejects names it: a broken quote or encoding explains the rest, a column count the casts. */
const REJECT_ORDER = ["UNQUOTED VALUE", "INVALID ENCODING", "INVALID UNICODE", "LINE SIZE OVER MAXIMUM", "TOO MANY COLUMNS", "MISSING COLUMNS"];

/**
 * Reads the rejects DuckDB stored for a CSV scan, one quarantine row per bad line with one reason, the same on every
 * run: DuckDB stores a wrong field count once per missing or extra column ("Found: 9", "Found: 10", ...) and in no
 * fixed order, so the line's first error by REJECT_ORDER and column is kept, a field count said once.
 */
async function csvRejects(duck: Duck, rejects: { table: string; scan: string }, file: string, mapLine: (l: number) => number): Promise<QuarantineRow[]> {
  const rank = `CASE error_type ${REJECT_ORDER.map((t, i) => `WHEN ${lit(t)} THEN ${i}`).join(" ")} ELSE ${REJECT_ORDER.length} END`;
  const found = "TRY_CAST(regexp_extract(error_message, 'Found: (\\d+)', 1) AS BIGINT)";
  const rows = await duck.rows(
    `SELECT line, first(error_type ORDER BY ${rank}, column_idx, error_message) AS type,
            first(error_message ORDER BY ${rank}, column_idx, error_message) AS message,
            any_value(TRY_CAST(regexp_extract(error_message, 'Columns: (\\d+)', 1) AS BIGINT)) AS expected,
            min(${found}) FILTER (WHERE error_type = 'MISSING COLUMNS') AS found_missing,
            max(${found}) FILTER (WHERE error_type = 'TOO MANY COLUMNS') AS found_extra,
            first(csv_line ORDER BY column_idx) AS raw
     FROM ${rejects.table} GROUP BY line ORDER BY line`,
  );
  await duck.run(`DROP TABLE IF EXISTS ${rejects.table}; DROP TABLE IF EXISTS ${rejects.scan}`);
  return rows.map((r) => ({ rule: "parse", reason: rejectReason(r), source_file: file, line: mapLine(Number(r.line)), raw: r.raw === null ? null : String(r.raw) }));
}

function rejectReason(r: Record<string, unknown>): string {
  const type = String(r.type);
  const found = type === "MISSING COLUMNS" ? r.found_missing : type === "TOO MANY COLUMNS" ? r.found_extra : null;
  if (found !== null && found !== undefined && r.expected !== null) return `${type}: expected ${Number(r.expected)} fields, found ${Number(found)}`;
  return `${type}: ${String(r.message)}`;
}

/** Writes `file` as the Parquet file `outAbs`; rows that cannot be read come back as quarantine rows. */
export async function writeSourceAsParquet(
  duck: Duck,
  file: string,
  table: string,
  tableSchema: ColumnSchema[] | null,
  outAbs: string,
  lineage: LineageValues,
  opts: SourceOptions = {},
): Promise<FileWriteResult> {
  const format = formatOf(file, opts.format);
  if (format === "parquet" || (format === "json" && startsWithBracket(file))) return writeOnce(duck, file, table, tableSchema, outAbs, lineage, opts, true);
  const limit = MAX_LINE_BYTES[format];
  const copy = scratchBeside(outAbs, format);
  try {
    const csv = format === "csv" ? { delimiter: (opts.csv?.delimiter ?? guessDelimiter(file)).charCodeAt(0), quote: (opts.csv?.quote ?? '"').charCodeAt(0) } : undefined;
    const long = dropLongLines(file, copy, limit, csv);
    if (!long) return await writeOnce(duck, file, table, tableSchema, outAbs, lineage, opts, true);
    const set: QuarantineRow[] = long.lines.map((l) => ({
      rule: "parse", reason: l.reason, source_file: file, line: l.line, raw: l.raw,
    }));
    if (format === "csv" && long.lines[0].line === 1) {
      // Without its header line the file cannot be read: every other line is set aside too, with that reason.
      const error = `the header line is longer than ${limit} bytes`;
      const rest = Array.from(long.originalLine, (line) => ({ rule: "parse", reason: error, source_file: file, line, raw: null }));
      return { rows: 0, quarantine: [...set, ...rest].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)), written: false, schemaChanges: [], error };
    }
    const r = await writeOnce(duck, long.file, table, tableSchema, outAbs, lineage, { ...opts, format }, true);
    const back = r.quarantine.map((q) => ({ ...q, source_file: file, line: q.line === null ? null : long.originalLine[q.line - 1] ?? q.line }));
    return { ...r, quarantine: [...set, ...back].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
  } finally {
    fs.rmSync(copy, { force: true });
  }
}

/** A JSON file that is one array (not NDJSON) is read as a whole: its single line may be long. */
function startsWithBracket(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return /^(\ufeff)?\s*\[/.test(buf.subarray(0, n).toString("utf8"));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * One write of a file. With `salvage`, a JSON file DuckDB refuses goes through the bounded salvage, whose own
 * attempts run with `salvage` off and throw instead: a salvage never starts another salvage.
 */
async function writeOnce(
  duck: Duck, file: string, table: string, tableSchema: ColumnSchema[] | null, outAbs: string, lineage: LineageValues, opts: SourceOptions, salvage: boolean,
): Promise<FileWriteResult> {
  const format = formatOf(file, opts.format);
  const empty: FileWriteResult = { rows: 0, quarantine: [], written: false, schemaChanges: [] };
  if (fs.statSync(file).size === 0) return empty;
  const whole = async (reason: string): Promise<FileWriteResult> => {
    fs.rmSync(outAbs, { force: true });
    // A CSV read refused for its source's options is a configuration error, not a file of bad rows: the ingest
    // stops and the file stays unread, so fixing millrace.yaml and running again loads it.
    if (format === "csv") await refuseBadCsvOptions(duck, file, opts.csv, outAbs);
    // A file that cannot be read at all: one quarantine row per data line, so nothing is lost silently.
    const lines = format === "parquet" ? 1 : countDataLines(file, format === "csv" ? 1 : 0);
    const quarantine = Array.from({ length: Math.max(lines, 1) }, (_, i) => ({
      rule: "parse", reason, source_file: file, line: format === "parquet" ? null : i + 1 + (format === "csv" ? 1 : 0), raw: null,
    }));
    return { ...empty, quarantine, error: reason };
  };
  const salvageJsonFile = (e: unknown) => {
    if (!salvage) throw e;
    fs.rmSync(outAbs, { force: true });
    return salvageJson({
      duck, file, outAbs, reason: firstLine(e), reader: (f) => jsonReader(f, { ...opts, inferAllRows: true }),
      attempt: (clean) => writeOnce(duck, clean, table, tableSchema, outAbs, lineage, { ...opts, format: "json", inferAllRows: true }, false),
    });
  };
  let prep: Prepared;
  try {
    prep = await prepare(duck, file, format, table, tableSchema, opts);
  } catch (e) {
    if (e instanceof ValidationError) throw e; // schema policy refusals stop the ingest
    if (format === "json") return salvageJsonFile(e);
    return whole(firstLine(e));
  }
  const run = async (p: Prepared, source: string, mapLine: (l: number) => number) => {
    const tag = randomBytes(4).toString("hex");
    const rejects = { table: `rejects_${tag}`, scan: `rejects_scan_${tag}` };
    const from = p.reader(source, rejects);
    const where = p.castFailure ? ` WHERE NOT (${p.castFailure.where})` : "";
    const rows = await duck.run(`COPY (SELECT ${p.select}, ${lineageColumns(lineage)} FROM ${from}${where}) TO ${lit(outAbs)} (FORMAT parquet)`);
    let quarantine: QuarantineRow[] = [];
    if (format === "csv") quarantine = await csvRejects(duck, rejects, file, mapLine);
    if (p.castFailure) {
      const bad = await duck.rows(`SELECT ${p.castFailure.reason} AS reason, CAST(to_json(t) AS VARCHAR) AS raw FROM ${from} t WHERE ${p.castFailure.where}`);
      quarantine.push(...bad.map((r) => ({ rule: "schema", reason: String(r.reason), source_file: file, line: null, raw: String(r.raw) })));
    }
    return { rows, quarantine };
  };
  let out: { rows: number; quarantine: QuarantineRow[] };
  try {
    out = await run(prep, file, (l) => l);
  } catch (e) {
    if (format === "json") return salvageJsonFile(e);
    return whole(firstLine(e));
  }
  if (format === "csv" && out.quarantine.some((q) => q.reason.includes("UNQUOTED VALUE"))) {
    // An unterminated quote may have swallowed the lines after it: if lines are unaccounted for, split the file
    // ourselves, set the broken records aside and read the clean rest.
    const lost = countDataLines(file, prep.headerLines) - out.rows - out.quarantine.length;
    if (lost > 0) {
      const clean = scratchBeside(outAbs, "csv");
      try {
        const s = salvageCsv(file, clean, prep.dialect!.delimiter, prep.dialect!.quote, prep.dialect!.columns.length);
        const again = await run(prep, clean, (l) => s.originalLine[l - 1] ?? l);
        out = { rows: again.rows, quarantine: [...s.bad.map((b) => ({ rule: "parse", reason: b.reason, source_file: file, line: b.line, raw: b.raw })), ...again.quarantine] };
        out.quarantine.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
      } finally {
        fs.rmSync(clean, { force: true });
      }
    }
  }
  if (out.rows === 0) {
    // A zero-row file would force its (guessed) column types on the table: write nothing instead.
    fs.rmSync(outAbs, { force: true });
    return { ...empty, quarantine: out.quarantine, schemaChanges: prep.plan.changes };
  }
  return { rows: out.rows, quarantine: out.quarantine, written: true, schemaChanges: prep.plan.changes };
}
