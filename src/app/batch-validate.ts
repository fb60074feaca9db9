// Row checks of batch prediction, as SQL over whole columns: what /predict's signature validation refuses (a missing
// required value, a value not of the field's type, an unknown category of a strict field, and under serve.strict_ranges
// a value outside training) becomes a row's `_error` text; what /predict only flags becomes the row's flag text.
import { lit } from "../lake/sql.js";
import type { FieldSpec } from "../records.js";

export interface RowCheckSql {
  /** NULL for a valid row, else its reasons joined by "; ". */
  error: string;
  /** NULL for a row inside what training saw, else its flags; null when the signature records nothing to flag. */
  flag: string | null;
}

const MAX_SHOWN_CHARS = 40;

/** `"abc"`: the offending value as text, cut like /predict's messages cut it. */
function quoted(value: string): string {
  return `'"' || left(${value}, ${MAX_SHOWN_CHARS}) || '"'`;
}

function expected(f: FieldSpec): string {
  return f.type === "integer" ? "an integer" : f.type === "timestamp" ? "a timestamp" : f.type === "boolean" ? "a boolean" : "a number";
}

/** The text reason of one field, or NULL; `range` decides where training-range findings go. */
function fieldChecks(f: FieldSpec, column: string): { error: string | null; range: string | null } {
  const text = `CAST(${column} AS VARCHAR)`;
  const num = `TRY_CAST(${column} AS DOUBLE)`;
  const missing = f.type === "string" ? `${column} IS NULL` : `(${column} IS NULL OR trim(${text}) = '')`;
  let typeOk: string | null = null;
  switch (f.type) {
    case "number":
      typeOk = `coalesce(isfinite(${num}), false)`;
      break;
    case "integer":
      typeOk = `coalesce(isfinite(${num}) AND ${num} = trunc(${num}) AND abs(${num}) <= 9007199254740991, false)`;
      break;
    case "boolean":
      typeOk = `TRY_CAST(${column} AS BOOLEAN) IS NOT NULL`;
      break;
    case "timestamp":
      typeOk = `(TRY_CAST(${column} AS TIMESTAMP) IS NOT NULL OR coalesce(isfinite(${num}), false))`;
      break;
    case "string":
      if (f.strict && f.categories && f.categories.length > 0) typeOk = `${text} IN (${f.categories.map(lit).join(", ")})`;
      break;
  }
  const badType = f.type === "string" ? `${lit(`${f.name} has unknown category `)} || ${quoted(text)}` : `${lit(`${f.name} must be ${expected(f)}, got `)} || ${quoted(text)}`;
  const error = `CASE WHEN ${missing} THEN ${f.nullable ? "NULL" : lit(`${f.name} is missing`)}${typeOk ? ` WHEN NOT (${typeOk}) THEN ${badType}` : ""} ELSE NULL END`;
  let range: string | null = null;
  if ((f.type === "number" || f.type === "integer") && (typeof f.min === "number" || typeof f.max === "number")) {
    const span = `[${f.min ?? "-∞"}, ${f.max ?? "∞"}]`;
    const tests = [typeof f.min === "number" ? `${num} < ${f.min}` : null, typeof f.max === "number" ? `${num} > ${f.max}` : null].filter(Boolean).join(" OR ");
    range = `CASE WHEN ${tests} THEN ${lit(`${f.name}: `)} || ${text} || ${lit(` is outside the training range ${span}`)} END`;
  } else if (f.type === "string" && !f.strict && f.categories && f.categories.length > 0) {
    range = `CASE WHEN ${text} NOT IN (${f.categories.map(lit).join(", ")}) THEN ${lit(`${f.name}: category `)} || ${quoted(text)} || ' was never seen in training' END`;
  }
  return { error: typeOk || !f.nullable ? error : null, range };
}

/**
 * The row checks of a signature over an input relation's columns (`available`); a field the input lacks is skipped
 * (scoreFile refuses a missing required column before). Under `strictRanges` out-of-range values are errors, as
 * serve.strict_ranges makes them 400s.
 */
export function rowCheckSql(fields: FieldSpec[], available: ReadonlySet<string>, column: (name: string) => string, strictRanges: boolean): RowCheckSql {
  const errors: string[] = [];
  const flags: string[] = [];
  for (const f of fields) {
    if (!available.has(f.name)) continue;
    const c = fieldChecks(f, column(f.name));
    if (c.error) errors.push(c.error);
    if (c.range) (strictRanges ? errors : flags).push(c.range);
  }
  const joined = (parts: string[]) => (parts.length ? `NULLIF(concat_ws('; ', ${parts.join(", ")}), '')` : "NULL");
  return { error: joined(errors), flag: flags.length ? joined(flags) : null };
}
