// Schema evolution on append: compares an incoming file's columns with the table's and decides, by the declared
// policy, what happens to new columns, missing columns and changed types — and reports every change.
import { ValidationError } from "../errors.js";
import type { ColumnSchema } from "../records.js";
import { isNumericType } from "./sql.js";

/**
 * fail: any difference stops the ingest. add_columns: new columns become nullable columns, numbers may widen,
 * other type changes are cast to the table's type. coerce: the table's schema wins (new columns dropped, values
 * cast). Under both, a value that cannot be cast sends its row to quarantine; missing columns read as NULL.
 */
export type SchemaPolicy = "fail" | "add_columns" | "coerce";

export interface SchemaChange {
  column: string;
  change: "added" | "missing" | "type_changed";
  from?: string;
  to?: string;
  action: "added" | "filled_with_null" | "dropped" | "widened" | "cast";
}

export interface SchemaPlan {
  /** Source columns to keep, with the type each is read as. */
  columns: { name: string; type: string; castFrom?: string }[];
  /** Table columns the file lacks (read as NULL). */
  missing: ColumnSchema[];
  changes: SchemaChange[];
}

export const LINEAGE_COLUMNS = ["_source_file", "_ingested_at", "_batch_id"];

const INT_RANK: Record<string, number> = { TINYINT: 1, UTINYINT: 1, SMALLINT: 2, USMALLINT: 2, INTEGER: 3, UINTEGER: 3, BIGINT: 4, UBIGINT: 5, HUGEINT: 6, UHUGEINT: 6 };

function numericRank(type: string): number {
  const t = type.toUpperCase();
  if (INT_RANK[t]) return INT_RANK[t];
  if (t.startsWith("DECIMAL")) return 7;
  if (t === "FLOAT" || t === "REAL") return 8;
  return 9; // DOUBLE
}

/** True when every value of `from` reads into `to` without loss, so no change needs reporting. */
function fitsInto(from: string, to: string): boolean {
  if (from === to || to === "VARCHAR") return true;
  return isNumericType(from) && isNumericType(to) && numericRank(from) <= numericRank(to);
}

export function planSchema(
  table: string,
  file: string,
  tableSchema: ColumnSchema[] | null,
  source: { name: string; type: string }[],
  policy: SchemaPolicy,
): SchemaPlan {
  for (const c of source) {
    if (LINEAGE_COLUMNS.includes(c.name)) {
      throw new ValidationError(`${file} has a column named ${c.name}, which the lake adds itself`, {
        path: `${file}:${c.name}`,
        hint: "rename that column in the source",
      });
    }
  }
  if (!tableSchema || tableSchema.length === 0) return { columns: source.map((c) => ({ ...c })), missing: [], changes: [] };
  const known = new Map(tableSchema.filter((c) => !LINEAGE_COLUMNS.includes(c.name)).map((c) => [c.name, c]));
  const changes: SchemaChange[] = [];
  const columns: SchemaPlan["columns"] = [];
  const refuse = (what: string) => {
    throw new ValidationError(`${file} does not match ${table}: ${what} (schema policy "${policy}")`, {
      path: file,
      hint: 'set the source\'s schema policy to "add_columns" or "coerce" to accept it, or fix the file',
      changes,
    });
  };
  for (const c of source) {
    const t = known.get(c.name);
    if (!t) {
      changes.push({ column: c.name, change: "added", to: c.type, action: policy === "coerce" ? "dropped" : "added" });
      if (policy === "fail") refuse(`new column ${c.name} ${c.type}`);
      if (policy !== "coerce") columns.push({ ...c });
      continue;
    }
    if (fitsInto(c.type, t.type)) {
      columns.push({ name: c.name, type: t.type, ...(c.type !== t.type ? { castFrom: c.type } : {}) });
      continue;
    }
    // Numbers may widen the column under add_columns; any other change keeps the table's type, and values that
    // do not cast go to quarantine with their line, instead of turning the column into text for every row.
    const widen = policy === "add_columns" && isNumericType(c.type) && isNumericType(t.type);
    changes.push({ column: c.name, change: "type_changed", from: t.type, to: c.type, action: widen ? "widened" : "cast" });
    if (policy === "fail") refuse(`column ${c.name} is ${c.type}, the table has ${t.type}`);
    columns.push(widen ? { ...c } : { name: c.name, type: t.type, castFrom: c.type });
  }
  const present = new Set(source.map((c) => c.name));
  const missing = [...known.values()].filter((c) => !present.has(c.name));
  for (const m of missing) {
    changes.push({ column: m.name, change: "missing", from: m.type, action: "filled_with_null" });
    if (policy === "fail") refuse(`column ${m.name} is missing`);
  }
  return { columns, missing, changes };
}
