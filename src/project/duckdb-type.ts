// DuckDB column type names, checked when millrace.yaml loads (no DuckDB needed), so a typo in `csv.types` is refused
// at its line instead of quarantining every row at ingest. duckdb-type.test.ts keeps the names equal to duckdb_types().
import { z } from "zod";
import { didYouMean } from "./did-you-mean.js";

/** Each DuckDB type a column can take, with the aliases DuckDB accepts for it. */
export const DUCKDB_TYPES: Readonly<Record<string, readonly string[]>> = {
  BOOLEAN: ["BOOL", "LOGICAL"],
  TINYINT: ["INT1"],
  SMALLINT: ["INT2", "INT16", "SHORT"],
  INTEGER: ["INT", "INT4", "INT32", "SIGNED", "INTEGRAL"],
  BIGINT: ["INT8", "INT64", "LONG", "OID"],
  HUGEINT: ["INT128"],
  UTINYINT: ["UINT8"],
  USMALLINT: ["UINT16"],
  UINTEGER: ["UINT32"],
  UBIGINT: ["UINT64"],
  UHUGEINT: ["UINT128"],
  BIGNUM: ["VARINT"],
  FLOAT: ["FLOAT4", "REAL"],
  DOUBLE: ["FLOAT8", "DOUBLE PRECISION"],
  DECIMAL: ["NUMERIC", "DEC"],
  VARCHAR: ["STRING", "TEXT", "CHAR", "BPCHAR", "NVARCHAR", "CHARACTER", "CHARACTER VARYING", "JSON"],
  BLOB: ["BYTEA", "BINARY", "VARBINARY"],
  BIT: ["BITSTRING"],
  UUID: ["GUID"],
  DATE: [],
  TIME: ["TIME WITHOUT TIME ZONE"],
  TIME_NS: [],
  "TIME WITH TIME ZONE": ["TIMETZ"],
  TIMESTAMP: ["DATETIME", "TIMESTAMP_US", "TIMESTAMP WITHOUT TIME ZONE"],
  TIMESTAMP_S: [],
  TIMESTAMP_MS: [],
  TIMESTAMP_NS: [],
  "TIMESTAMP WITH TIME ZONE": ["TIMESTAMPTZ"],
  INTERVAL: [],
  GEOMETRY: [],
  VARIANT: [],
};

/** Types written with their members in parentheses; DuckDB checks what is inside. */
export const DUCKDB_NESTED_TYPES = ["STRUCT", "ROW", "MAP", "UNION", "ENUM"] as const;

/** Types that take a size in parentheses: DECIMAL(18,3), VARCHAR(10), TIMESTAMP(3), FLOAT(53). */
const SIZED = new Set(["DECIMAL", "NUMERIC", "DEC", "VARCHAR", "CHAR", "BPCHAR", "NVARCHAR", "CHARACTER", "CHARACTER VARYING", "STRING", "TEXT", "FLOAT", "TIMESTAMP", "BIT", "BITSTRING"]);

const DECIMALS = new Set(["DECIMAL", "NUMERIC", "DEC"]);

const NAMES = new Set(Object.entries(DUCKDB_TYPES).flatMap(([name, aliases]) => [name, ...aliases]));

/** The rule, as printed in an error. */
export const DUCKDB_TYPE_RULE = `a DuckDB type: ${Object.keys(DUCKDB_TYPES).join(", ")}; DECIMAL(p,s); a list T[] or T[n]; ${DUCKDB_NESTED_TYPES.map((t) => `${t}(...)`).join(", ")} (aliases such as INT, TEXT, TIMESTAMPTZ too)`;

/** Why `text` is not a DuckDB type, or undefined when it is one. */
export function duckdbTypeProblem(text: string): string | undefined {
  const t = text.trim().replace(/\s+/g, " ").toUpperCase();
  const list = /^(.*?)\s*\[\s*\d*\s*\]$/.exec(t);
  if (list) return list[1] === "" ? `"${text}" names no element type` : duckdbTypeProblem(list[1]);
  const call = /^([A-Z_ ]+?)\s*\((.*)\)$/.exec(t);
  const name = call ? call[1] : t;
  if (call && (DUCKDB_NESTED_TYPES as readonly string[]).includes(name)) return undefined;
  if (!NAMES.has(name)) return `"${text}" is not a DuckDB type${didYouMean(name, NAMES)}`;
  if (call && !(SIZED.has(name) && /^\s*\d+\s*(,\s*\d+\s*)?$/.test(call[2]))) {
    return SIZED.has(name) ? `"${text}": ${name} takes sizes as (n) or (p,s)` : `"${text}": ${name} takes no parentheses`;
  }
  if (call && DECIMALS.has(name)) {
    const [width, scale = 0] = call[2].split(",").map(Number);
    if (width < 1 || width > 38 || scale > width) return `"${text}": DECIMAL(p,s) takes 1 <= p <= 38 and s <= p`;
  }
  return undefined;
}

/** A column type in millrace.yaml: one value, so every key that names a DuckDB type checks it alike. */
export const duckdbTypeSchema = z.string().superRefine((text, ctx) => {
  const problem = duckdbTypeProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: `${problem}${problem.endsWith("?") ? " Use" : "; use"} ${DUCKDB_TYPE_RULE}` });
});
