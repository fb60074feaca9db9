// Row checks of batch prediction, as SQL over whole columns: what /predict's signature validation refuses (a missing
// required value, a value not of the field's type, an unknown category of a strict field, and under serve.strict_ranges
// a value outside training) becomes a row's `_error` text; what /predict only flags becomes the row's flag text.
import { isIntegerType, isNumericType, lit } from "../lake/sql.js";
import type { FieldSpec } from "../records.js";

/**
 * One SQL expression per row: NULL for a valid row inside what training saw, "E" + the reasons ("; "-joined) for a row
 * /predict would refuse, "F" + the flags for a row /predict would score with flags. One column, not two: each column
 * streamed to JS costs a value per row.
 */
export type RowCheckSql = string;

/** Reads a value of the row-check column. */
export function readRowCheck(v: string): { invalid: boolean; text: string } {
  return { invalid: v.charCodeAt(0) === 69 /* E */, text: v.slice(1) };
}

const MAX_SHOWN_CHARS = 40;

/** `"abc"`: the offending value as text, cut like /predict's messages cut it. */
function quoted(value: string): string {
  return `'"' || left(${value}, ${MAX_SHOWN_CHARS}) || '"'`;
}

function expected(f: FieldSpec): string {
  return f.type === "integer" ? "an integer" : f.type === "timestamp" ? "a timestamp" : f.type === "boolean" ? "a boolean" : "a number";
}

/**
 * The text reason of one field, or NULL; `range` decides where training-range findings go. `type` is the input
 * column's engine type: a column the reader already typed as numbers needs only the null and range tests (its values
 * are never turned into text), a text column (one "abc" makes the CSV reader keep text) gets the parse tests.
 */
function fieldChecks(f: FieldSpec, column: string, type: string): { error: string | null; errorTest: string | null; range: string | null; rangeTest: string | null } {
  const text = `CAST(${column} AS VARCHAR)`;
  const ints = isIntegerType(type);
  const typed = isNumericType(type);
  const num = typed ? `CAST(${column} AS DOUBLE)` : `TRY_CAST(${column} AS DOUBLE)`;
  const missing = f.type === "string" || typed ? `${column} IS NULL` : `(${column} IS NULL OR trim(${text}) = '')`;
  let typeOk: string | null = null;
  switch (f.type) {
    case "number":
      typeOk = ints ? null : `coalesce(isfinite(${num}), false)`;
      break;
    case "integer":
      typeOk = ints ? null : `coalesce(isfinite(${num}) AND ${num} = trunc(${num}) AND abs(${num}) <= 9007199254740991, false)`;
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
  // The test alone says whether the row has a reason; the text is made only for the rows that do.
  const errorTest = typeOk ? (f.nullable ? `(NOT (${missing}) AND NOT (${typeOk}))` : `(${missing} OR NOT (${typeOk}))`) : f.nullable ? null : missing;
  let range: string | null = null;
  let rangeTest: string | null = null;
  if ((f.type === "number" || f.type === "integer") && (typeof f.min === "number" || typeof f.max === "number")) {
    const span = `[${f.min ?? "-∞"}, ${f.max ?? "∞"}]`;
    rangeTest = `(${[typeof f.min === "number" ? `${num} < ${f.min}` : null, typeof f.max === "number" ? `${num} > ${f.max}` : null].filter(Boolean).join(" OR ")})`;
    range = `CASE WHEN ${rangeTest} THEN ${lit(`${f.name}: `)} || ${text} || ${lit(` is outside the training range ${span}`)} END`;
  } else if (f.type === "string" && !f.strict && f.categories && f.categories.length > 0) {
    rangeTest = `(${text} NOT IN (${f.categories.map(lit).join(", ")}))`;
    range = `CASE WHEN ${rangeTest} THEN ${lit(`${f.name}: category `)} || ${quoted(text)} || ' was never seen in training' END`;
  }
  return { error: errorTest ? error : null, errorTest, range, rangeTest };
}

/**
 * The row checks of a signature over an input relation's columns (`available`: name → engine type); a field the input lacks is skipped
 * (scoreFile refuses a missing required column before). Under `strictRanges` out-of-range values are errors, as
 * serve.strict_ranges makes them 400s.
 */
export function rowCheckSql(fields: FieldSpec[], available: ReadonlyMap<string, string>, column: (name: string) => string, strictRanges: boolean): RowCheckSql {
  const errors: string[] = [];
  const errorTests: string[] = [];
  const flags: string[] = [];
  const flagTests: string[] = [];
  for (const f of fields) {
    const type = available.get(f.name);
    if (type === undefined) continue;
    const c = fieldChecks(f, column(f.name), type.toUpperCase());
    if (c.error && c.errorTest) errors.push(c.error), errorTests.push(c.errorTest);
    if (c.range && c.rangeTest) (strictRanges ? errors : flags).push(c.range), (strictRanges ? errorTests : flagTests).push(c.rangeTest);
  }
  // One cheap test per row over all fields; the reasons are joined (string work) only for rows that fail it. A test
  // true for a row means its part's text is not NULL, so the joined text is never empty.
  const when = (tag: string, parts: string[], tests: string[]) => (parts.length ? ` WHEN coalesce(${tests.join(" OR ")}, false) THEN '${tag}' || concat_ws('; ', ${parts.join(", ")})` : "");
  const arms = when("E", errors, errorTests) + when("F", flags, flagTests);
  return arms ? `CASE${arms} END` : "NULL::VARCHAR";
}
