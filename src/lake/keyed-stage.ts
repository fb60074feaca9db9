// Stages a keyed batch as one temp table with one row per key (the last file, then the last row, wins), sets rows
// with a NULL key aside for the quarantine, and adds the newest row of each key a table holds twice (a table
// appended before its source had a key), so the commit collapses those copies to one.
import path from "node:path";
import { ValidationError } from "../errors.js";
import type { ColumnSchema } from "../records.js";
import type { QuarantineRow } from "./ingest-file.js";
import type { Lake } from "./lake.js";
import { LINEAGE_COLUMNS } from "./schema-policy.js";
import { ident, lit } from "./sql.js";

export interface StageInput {
  table: string;
  key: string[];
  /** Staged Parquet files (relative to the lake root), in the order they were read. */
  files: string[];
  /** The table's schema so far, used when the batch has no rows (a key scan alone). */
  schema: ColumnSchema[] | null;
  deleteColumn?: string;
  /** The current version's relation, when it may hold a key more than once. */
  duplicatesIn?: string;
}

export interface Staged {
  /** The stored columns of the staged rows (no helpers, no delete flag). */
  columns: ColumnSchema[];
  /** Rows set aside because their key is NULL. */
  nullKeys: QuarantineRow[];
  /** Keys held more than once by the current version, whose newest row was added to the batch. */
  duplicateKeys: number;
}

/** Counts keys the relation holds more than once (NULL keys aside). */
export async function duplicateKeyCount(lake: Lake, relation: string, key: string[]): Promise<number> {
  const keys = key.map(ident).join(", ");
  const [{ d }] = await lake.duck.rows(`SELECT count(*) - count(DISTINCT (${keys})) AS d FROM ${relation} WHERE ${key.map((k) => `${ident(k)} IS NOT NULL`).join(" AND ")}`);
  return Number(d);
}

/** Creates temp table `name` with the helper columns __del and __heal; null when there is nothing to stage. */
export async function stageBatch(lake: Lake, name: string, input: StageInput): Promise<Staged | null> {
  const keys = input.key.map(ident).join(", ");
  const notNull = input.key.map((k) => `${ident(k)} IS NOT NULL`).join(" AND ");
  const parts = input.files.map((f, i) => `SELECT *, ${i} AS __f, false AS __heal FROM read_parquet(${lit(path.join(lake.root, f))}, file_row_number = true)`);
  let duplicateKeys = 0;
  if (input.duplicatesIn) {
    duplicateKeys = await duplicateKeyCount(lake, input.duplicatesIn, input.key);
    // The newest copy by ingest time stands for the key; the batch's own rows still win over it.
    if (duplicateKeys > 0) {
      parts.push(`SELECT *, -1 AS __f, 0::BIGINT AS file_row_number, true AS __heal FROM ${input.duplicatesIn} WHERE ${notNull}
        QUALIFY count(*) OVER (PARTITION BY ${keys}) > 1 AND row_number() OVER (PARTITION BY ${keys} ORDER BY _ingested_at DESC NULLS LAST) = 1`);
    }
  }
  if (!parts.length && !input.schema?.length) return null;
  const typed = (input.schema ?? []).map((c) => `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`).join(", ");
  const all = parts.length ? parts.join(" UNION ALL BY NAME ") : `SELECT ${typed}, -1 AS __f, 0::BIGINT AS file_row_number, false AS __heal WHERE false`;
  const cols = await lake.duck.describe(`SELECT * EXCLUDE (__f, file_row_number, __heal) FROM (${all})`);
  for (const k of input.key) {
    if (!cols.some((c) => c.name === k)) {
      throw new ValidationError(`key column ${k} is not a column of the source of ${input.table}`, {
        path: k, hint: `columns: ${cols.filter((c) => !LINEAGE_COLUMNS.includes(c.name)).map((c) => c.name).join(", ")}`,
      });
    }
  }
  const flag = input.deleteColumn;
  const del = flag && cols.some((c) => c.name === flag) ? `coalesce(TRY_CAST(${ident(flag)} AS BOOLEAN), false)` : "false";
  const stored = cols.filter((c) => c.name !== flag);
  const list = stored.map((c) => ident(c.name)).join(", ");
  const nulls = await lake.duck.rows(
    `SELECT _source_file AS f, CAST(to_json(s) AS VARCHAR) AS raw FROM (SELECT * EXCLUDE (__f, file_row_number, __heal) FROM (${all}) WHERE NOT (${notNull})) s`,
  );
  await lake.duck.run(
    `CREATE TEMP TABLE ${name} AS SELECT ${list}, ${del} AS __del, __heal FROM (${all}) WHERE ${notNull}
     QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY __f DESC, file_row_number DESC) = 1`,
  );
  return {
    columns: stored,
    nullKeys: nulls.map((r) => ({ rule: "key", reason: `key (${input.key.join(", ")}) is NULL`, source_file: r.f === null ? null : String(r.f), line: null, raw: String(r.raw) })),
    duplicateKeys,
  };
}
