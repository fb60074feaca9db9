// Tells a CSV file that cannot be read because of how its source is configured (a type DuckDB does not know, an
// unknown encoding or date format) from one that cannot be read because of its content: the declared options are
// tried on a tiny file of our own, so an error there is the configuration's, whatever the data holds.
import fs from "node:fs";
import { ConfigError } from "../errors.js";
import type { CsvOptions } from "./csv-dialect.js";
import type { Duck } from "./duck.js";
import { scratchBeside } from "./scratch.js";
import { lit } from "./sql.js";

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0];

/** The first declared option DuckDB refuses on its own (its key as millrace.yaml spells it, and the error), or null. */
export async function csvOptionProblem(duck: Duck, opts: CsvOptions | undefined, near: string): Promise<{ key: string; error: string } | null> {
  if (!opts) return null;
  const probe = scratchBeside(near, "csv");
  fs.writeFileSync(probe, "x\n");
  // A read of the probe, a header and no rows: nothing in it can fail, so whatever does is the option.
  const read = (columns: string, extra: string[] = []) =>
    duck.rows(`SELECT * FROM read_csv(${lit(probe)}, auto_detect = false, header = true, columns = {${columns}}${extra.map((a) => `, ${a}`).join("")})`);
  try {
    for (const [column, type] of Object.entries(opts.types ?? {})) {
      try {
        await read(`'x': ${lit(type)}`);
      } catch (e) {
        return { key: `csv.types.${column}`, error: firstLine(e) };
      }
    }
    const single: [string, string | undefined, string][] = [
      ["csv.delimiter", opts.delimiter, "delim"], ["csv.quote", opts.quote, "quote"], ["csv.escape", opts.escape, "escape"],
      ["csv.date_format", opts.dateFormat, "dateformat"], ["csv.timestamp_format", opts.timestampFormat, "timestampformat"],
      ["csv.encoding", opts.encoding, "encoding"],
    ];
    for (const [key, value, arg] of single) {
      if (value === undefined) continue;
      try {
        await read("'x': 'VARCHAR'", [`${arg} = ${lit(value)}`]);
      } catch (e) {
        return { key, error: firstLine(e) };
      }
    }
    return null;
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

/** Throws a ConfigError naming the option when `file`'s read failure comes from its source's CSV options. */
export async function refuseBadCsvOptions(duck: Duck, file: string, opts: CsvOptions | undefined, near: string): Promise<void> {
  const bad = await csvOptionProblem(duck, opts, near);
  if (!bad) return;
  const typeHint = bad.key.startsWith("csv.types.") ? " (a DuckDB type: VARCHAR, BIGINT, DOUBLE, DECIMAL(10,2), DATE, TIMESTAMP, BOOLEAN)" : "";
  throw new ConfigError(`cannot read ${file}: the source's ${bad.key} is refused: ${bad.error}`, {
    path: bad.key,
    hint: `fix ${bad.key} under the source in millrace.yaml${typeHint}; nothing was committed and the file is not marked ingested, so the next run reads it`,
  });
}
