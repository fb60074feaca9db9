// SQL text helpers shared by the lake: quoting literals and identifiers, and validating table names.
import { ValidationError } from "../errors.js";

/** A single-quoted SQL string literal. */
export function lit(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A double-quoted SQL identifier (column names from user files may hold spaces or keywords). */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const PART = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Splits "<layer>.<name>" and refuses anything that could escape the lake folder or break SQL. */
export function parseTableName(table: string): { layer: string; name: string } {
  const parts = typeof table === "string" ? table.split(".") : [];
  if (parts.length !== 2 || !PART.test(parts[0]) || !PART.test(parts[1])) {
    throw new ValidationError(`table name ${JSON.stringify(table)} is not of the form <layer>.<name>`, {
      path: "table",
      hint: "use letters, digits and underscores, e.g. bronze.customers or silver.orders",
    });
  }
  return { layer: parts[0], name: parts[1] };
}

/** A list literal of file paths for read_parquet([...]). */
export function pathList(paths: string[]): string {
  return `[${paths.map(lit).join(", ")}]`;
}

// The one definition of DuckDB's number types (aliases and lower case included: INT8, int4, UHUGEINT). A list such as
// DECIMAL(18,3)[] or INTEGER[] is not a number.
const INTEGER = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|U?INT\d+)$/i;
const NON_INTEGER = /^(FLOAT\d*|DOUBLE|REAL|DECIMAL(\(\s*\d+\s*(,\s*\d+\s*)?\))?)$/i;

/** Signed and unsigned integer engine types, 8 to 128 bits. */
export function isIntegerType(type: string): boolean {
  return INTEGER.test(type.trim());
}

/** Integer, decimal and floating-point engine types: the ones a Frame holds as Float64Array. */
export function isNumericType(type: string): boolean {
  const t = type.trim();
  return INTEGER.test(t) || NON_INTEGER.test(t);
}
