// Schema policy of pushed records (POST /ingest/<source>): which policy a push follows, and the `fail` check of each
// NDJSON line against the bronze table's columns, so an unknown field or a wrong type is a 400 naming it.
import { ValidationError } from "../errors.js";
import type { SchemaPolicy } from "../lake/schema-policy.js";
import { isIntegerType, isNumericType } from "../lake/sql.js";
import type { Project } from "../project/load-project.js";
import type { ColumnSchema } from "../records.js";

/** Columns the lake adds to every row itself. */
const LINEAGE = new Set(["_source_file", "_ingested_at", "_batch_id"]);

/**
 * The policy of pushes per source: the source's schema_policy when millrace.yaml sets one, else `fail`. Files default
 * to add_columns (a new export may add a column); a push is a program talking, and a field it invents or a type it
 * changes is a bug to report to it, not a column to add.
 */
export function pushSchemaPolicies(project: Project): Map<string, SchemaPolicy> {
  return new Map(project.config.sources.map((s) => [s.name, s.schema_policy ?? "fail"]));
}

const TEMPORAL = /^(DATE|TIME|TIMESTAMP.*|TIMESTAMPTZ|INTERVAL)$/;

/** What a JSON value must be to go into a column of this DuckDB type, or null when any value does (JSON, nested). */
function expected(type: string): { test: (v: unknown) => boolean; what: string } | null {
  const t = type.toUpperCase();
  if (isIntegerType(t)) return { test: (v) => typeof v === "number" && Number.isInteger(v), what: "an integer" };
  if (isNumericType(t)) return { test: (v) => typeof v === "number", what: "a number" };
  if (t === "BOOLEAN") return { test: (v) => typeof v === "boolean", what: "a boolean" };
  if (t === "VARCHAR" || t === "UUID") return { test: (v) => typeof v === "string", what: "a string" };
  if (TEMPORAL.test(t)) return { test: (v) => typeof v === "string" && (t.startsWith("TIME") && !t.startsWith("TIMESTAMP") ? true : !Number.isNaN(Date.parse(v))), what: `a ${t.toLowerCase()} string` };
  if (t.endsWith("[]")) return { test: Array.isArray, what: "an array" };
  return null;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${v}`;
  return typeof v;
}

/**
 * Under `fail`, every JSON-object line must carry exactly the table's columns (null allowed) with values of their types;
 * the first line that does not is a ValidationError naming the line and the field. Lines that are not JSON objects are
 * left to the lake, which quarantines them with their line numbers.
 */
export function checkPushedLines(text: string, table: string, schema: ColumnSchema[], keyed?: { key: string[]; deleteColumn: string }): void {
  const columns = schema.filter((c) => !LINEAGE.has(c.name) && c.name !== keyed?.deleteColumn);
  const byName = new Map(columns.map((c) => [c.name, { c, want: expected(c.type) }]));
  const refuse = (line: number, field: string, message: string, hint: string) => {
    throw new ValidationError(`line ${line}: ${message} (schema policy "fail" of pushes to ${table})`, { path: field, line, hint });
  };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (!raw.trim()) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(raw);
    } catch {
      continue;
    }
    if (rec === null || typeof rec !== "object" || Array.isArray(rec)) continue;
    const r = rec as Record<string, unknown>;
    // A keyed source's delete marker is not a column: it may be sent, and a deletion needs only the key.
    const marker = keyed ? r[keyed.deleteColumn] : undefined;
    if (keyed && marker !== undefined && marker !== null && typeof marker !== "boolean") {
      refuse(i + 1, keyed.deleteColumn, `${keyed.deleteColumn} must be true, false or null, got ${describe(marker)}`, "send true to delete the record's key");
    }
    for (const key of Object.keys(r)) {
      if (keyed && key === keyed.deleteColumn) continue;
      const col = byName.get(key);
      if (!col) {
        refuse(i + 1, key, `${JSON.stringify(key.slice(0, 100))} is not a column of ${table}`, `send only the columns of ${table}: ${columns.map((c) => c.name).join(", ")}; or set the source's schema_policy to add_columns to add new ones`);
        return;
      }
      const v = r[key];
      if (v !== null && col.want && !col.want.test(v)) {
        refuse(i + 1, key, `${key} must be ${col.want.what} (the column is ${col.c.type}), got ${describe(v)}`, `send ${col.want.what} or null`);
      }
    }
    for (const c of marker === true ? columns.filter((c) => keyed!.key.includes(c.name)) : columns) {
      if (!Object.prototype.hasOwnProperty.call(r, c.name)) refuse(i + 1, c.name, `${c.name} is missing`, `send every column of ${table}; null for an unknown value`);
    }
  }
}
