// Works out how to read a CSV file (delimiter, quoting, header, column types) so that one malformed row cannot
// change how every other row is read, and builds the explicit read_csv(...) call for it.
import fs from "node:fs";
import type { Duck } from "./duck.js";
import { lit } from "./sql.js";

/** Options a source may declare; anything left out is detected. */
export interface CsvOptions {
  delimiter?: string;
  header?: boolean;
  quote?: string;
  escape?: string;
  /** Column → DuckDB type, e.g. { zip: "VARCHAR", amount: "DECIMAL(10,2)" }; others are detected. */
  types?: Record<string, string>;
  dateFormat?: string;
  timestampFormat?: string;
  /** utf-8 (default), utf-16 or latin-1. */
  encoding?: string;
  skipRows?: number;
}

export interface CsvDialect {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  skipRows: number;
  columns: { name: string; type: string }[];
  dateFormat: string | null;
  timestampFormat: string | null;
  newLine: string | null;
  encoding: string | null;
}

const CANDIDATES = [",", ";", "\t", "|"];

/**
 * The delimiter that splits the first line into the most fields (quotes respected). DuckDB's sniffer judges by
 * consistency across a sample, so a few ragged rows can make it pick another delimiter and read one wide column.
 */
export function guessDelimiter(file: string): string {
  const fd = fs.openSync(file, "r");
  const buf = Buffer.alloc(65536);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const text = buf.subarray(0, n).toString("utf8");
  const first = text.split(/\r?\n/, 1)[0] ?? "";
  let best = ",";
  let bestCount = 0;
  for (const d of CANDIDATES) {
    let count = 0;
    let inQuote = false;
    for (const ch of first) {
      if (ch === '"') inQuote = !inQuote;
      else if (ch === d && !inQuote) count++;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

export async function detectCsvDialect(duck: Duck, file: string, opts: CsvOptions = {}): Promise<CsvDialect> {
  const delimiter = opts.delimiter ?? guessDelimiter(file);
  // A single over-long line must not stop the sniffer; the read itself keeps DuckDB's limit and rejects that line.
  const args = [`delim = ${lit(delimiter)}`, "ignore_errors = true", "max_line_size = 67108864"];
  if (opts.header !== undefined) args.push(`header = ${opts.header}`);
  if (opts.quote !== undefined) args.push(`quote = ${lit(opts.quote)}`);
  if (opts.escape !== undefined) args.push(`escape = ${lit(opts.escape)}`);
  if (opts.dateFormat) args.push(`dateformat = ${lit(opts.dateFormat)}`);
  if (opts.timestampFormat) args.push(`timestampformat = ${lit(opts.timestampFormat)}`);
  if (opts.encoding) args.push(`encoding = ${lit(opts.encoding)}`);
  if (opts.skipRows !== undefined) args.push(`skip = ${opts.skipRows}`);
  const [s] = await duck.rows(`SELECT * FROM sniff_csv(${lit(file)}, ${args.join(", ")})`);
  const sniffedQuote = String(s.Quote);
  // A sniffer that saw one unterminated quote turns quoting off, which would keep "ann" with its quotes in every
  // row; standard CSV quoting is kept instead and the broken row is rejected on its own.
  const quote = opts.quote ?? (sniffedQuote === "(empty)" ? '"' : sniffedQuote);
  const sniffedEscape = String(s.Escape);
  const escape = opts.escape ?? (sniffedEscape === "(empty)" ? quote : sniffedEscape);
  // Names sniffed without quoting still carry their quotes ("churn"): strip them as standard quoting would.
  const unquote = (name: string) =>
    sniffedQuote === "(empty)" && quote === '"' && /^".*"$/.test(name) ? name.slice(1, -1).replaceAll('""', '"') : name;
  const columns = (s.Columns as { name: string; type: string }[]).map((c) => ({
    name: unquote(c.name),
    // Yes/No and Y/N sniff as BOOLEAN, which would turn a "Yes" label into true: bronze keeps the text as written.
    type: opts.types?.[unquote(c.name)] ?? (c.type === "BOOLEAN" ? "VARCHAR" : c.type),
  }));
  const newLine = String(s.NewLineDelimiter);
  return {
    delimiter,
    quote,
    escape,
    header: Boolean(s.HasHeader),
    skipRows: Number(s.SkipRows) || 0,
    columns,
    dateFormat: opts.dateFormat ?? (s.DateFormat as string | null) ?? null,
    timestampFormat: opts.timestampFormat ?? (s.TimestampFormat as string | null) ?? null,
    newLine: newLine.includes("\\r") ? "\\r\\n" : null,
    encoding: opts.encoding ?? null,
  };
}

/** An explicit read_csv call: no second guessing per file section, malformed rows stored in `rejects`. */
export function readCsvSql(file: string, d: CsvDialect, rejects: { table: string; scan: string }): string {
  const cols = d.columns.map((c) => `${lit(c.name)}: ${lit(c.type)}`).join(", ");
  const args = [
    "auto_detect = false",
    `delim = ${lit(d.delimiter)}`,
    `quote = ${lit(d.quote)}`,
    `escape = ${lit(d.escape)}`,
    `header = ${d.header}`,
    `skip = ${d.skipRows}`,
    `columns = {${cols}}`,
    "store_rejects = true",
    `rejects_table = ${lit(rejects.table)}`,
    `rejects_scan = ${lit(rejects.scan)}`,
  ];
  if (d.dateFormat) args.push(`dateformat = ${lit(d.dateFormat)}`);
  if (d.timestampFormat) args.push(`timestampformat = ${lit(d.timestampFormat)}`);
  if (d.newLine) args.push(`new_line = ${lit(d.newLine)}`);
  if (d.encoding) args.push(`encoding = ${lit(d.encoding)}`);
  return `read_csv(${lit(file)}, ${args.join(", ")})`;
}
