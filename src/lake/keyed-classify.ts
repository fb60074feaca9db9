// Sorts a staged batch of a keyed source against the current rows: which keys are inserted, updated, unchanged or
// deleted (flagged rows, and current keys absent from a full key set), as temp tables the commit writes from.
import { randomBytes } from "node:crypto";
import type { ColumnSchema } from "../records.js";
import type { Lake } from "./lake.js";
import { LINEAGE_COLUMNS } from "./schema-policy.js";
import { ident, lit } from "./sql.js";

/** What one keyed commit did to the current rows; recorded in the manifest and in the ingest result. */
export interface RowChanges {
  inserted: number;
  updated: number;
  /** Current rows removed: flagged deletes of known keys, plus keys absent from a snapshot or key scan. */
  deleted: number;
  /** Rows read whose key exists with the same values: nothing written for them. */
  unchanged: number;
}

export interface Classified extends RowChanges {
  /** SELECT of the key columns whose current rows leave (updated or deleted). */
  dropKeys: string;
  /** SELECT of the rows that join the table (inserted and updated), without helper columns. */
  newPart: string;
  /** Keys held twice by the current rows, now held once. */
  deduplicated: number;
  /** Current rows that leave (more than `updated + deleted` only if the table held duplicate keys). */
  rowsDropped: number;
  rowsAdded: number;
  drop(): Promise<void>;
}

export interface ClassifyInput {
  key: string[];
  /** The staged rows, one per key, with helper columns `__del` (a delete) and `__heal` (a current row standing in
   *  for copies of its key, see keyed-stage.ts). */
  staged: string;
  /** Columns of the staged rows that belong in the table (not helpers, not the delete flag). */
  stagedColumns: ColumnSchema[];
  /** The current version's rows, or null for a new table. */
  current: { relation: string; schema: ColumnSchema[] } | null;
  /** A relation holding every key that exists at the source: current keys absent from it are deleted. */
  present?: string;
  /** Files read again after a re-save: current rows they wrote (by _source_file) whose key the batch lacks are deleted. */
  replaced?: string[];
}

const HELPERS = "__del, __heal, __matched, __differs, __changed, __copies";

export async function classifyKeyed(lake: Lake, input: ClassifyInput): Promise<Classified> {
  const keys = input.key.map(ident).join(", ");
  const tag = randomBytes(4).toString("hex");
  const cls = `keyed_cls_${tag}`;
  const gone = `keyed_gone_${tag}`;
  const curCols = new Set((input.current?.schema ?? []).map((c) => c.name));
  const data = input.stagedColumns.map((c) => c.name).filter((c) => !LINEAGE_COLUMNS.includes(c) && !input.key.includes(c));
  // Lineage columns differ on every read, so they never make a change; a column the batch lacks is written as NULL.
  const differs = [
    ...data.map((c) => (curCols.has(c) ? `s.${ident(c)} IS DISTINCT FROM t.${ident(c)}` : `s.${ident(c)} IS NOT NULL`)),
    ...[...curCols].filter((c) => !LINEAGE_COLUMNS.includes(c) && !input.key.includes(c) && !data.includes(c)).map((c) => `t.${ident(c)} IS NOT NULL`),
  ];
  const match = input.key.map((k) => `t.${ident(k)} = s.${ident(k)}`).join(" AND ");
  const cur = input.current?.relation;
  // Only current rows whose key is in the batch are read for the comparison; a key held twice (rows appended before
  // the source had a key) counts as changed, so the rewrite leaves one row for it.
  const matched = cur
    ? `(SELECT t.*, count(*) OVER (PARTITION BY ${input.key.map((k) => `t.${ident(k)}`).join(", ")}) AS __copies FROM ${cur} t SEMI JOIN ${input.staged} s ON ${match}
        QUALIFY row_number() OVER (PARTITION BY ${input.key.map((k) => `t.${ident(k)}`).join(", ")}${curCols.has("_ingested_at") ? " ORDER BY t._ingested_at DESC NULLS LAST" : ""}) = 1)`
    : null;
  await lake.duck.run(
    matched
      ? `CREATE TEMP TABLE ${cls} AS SELECT s.*, t.__copies IS NOT NULL AS __matched, coalesce(t.__copies, 0) AS __copies,
           coalesce(${differs.join(" OR ") || "false"}, false) AS __differs, t.__copies > 1 OR __differs AS __changed
         FROM ${input.staged} s LEFT JOIN ${matched} t ON ${match}`
      : `CREATE TEMP TABLE ${cls} AS SELECT s.*, false AS __matched, 0 AS __copies, true AS __differs, true AS __changed FROM ${input.staged} s`,
  );
  const notNull = input.key.map((k) => `${ident(k)} IS NOT NULL`).join(" AND ");
  // Current keys the source no longer holds (absent from the full key set, or dropped from a re-saved file that
  // wrote their row); rows upserted by this batch stay whatever the key set says.
  const absent = [
    input.present ? `NOT EXISTS (SELECT 1 FROM ${input.present} s WHERE ${match})` : null,
    input.replaced?.length ? `t._source_file IN (${input.replaced.map(lit).join(", ")})` : null,
  ].filter(Boolean);
  await lake.duck.run(
    cur && absent.length
      ? `CREATE TEMP TABLE ${gone} AS SELECT ${keys}, count(*) AS __copies FROM ${cur} t WHERE ${notNull}
           AND (${absent.join(" OR ")})
           AND NOT EXISTS (SELECT 1 FROM ${cls} s WHERE NOT s.__del AND ${match}) GROUP BY ALL`
      : `CREATE TEMP TABLE ${gone} AS SELECT ${keys}, 0::BIGINT AS __copies FROM ${cls} WHERE false`,
  );
  const [c] = await lake.duck.rows(
    `SELECT count(*) FILTER (WHERE NOT __matched AND NOT __del) AS ins,
            count(*) FILTER (WHERE __matched AND NOT __del AND __differs AND NOT __heal) AS upd,
            count(*) FILTER (WHERE __matched AND NOT __del AND __copies > 1 AND (__heal OR NOT __differs)) AS healed,
            count(*) FILTER (WHERE NOT __del AND (NOT __matched OR __changed)) AS added,
            count(*) FILTER (WHERE __matched AND NOT __del AND NOT __changed) AS same,
            count(*) FILTER (WHERE __matched AND __del) AS del,
            coalesce(sum(__copies) FILTER (WHERE __matched AND (__del OR __changed)), 0) AS dropped,
            (SELECT count(*) FROM ${gone}) AS gone, (SELECT coalesce(sum(__copies), 0) FROM ${gone}) AS gone_rows
     FROM ${cls}`,
  );
  const inserted = Number(c.ins);
  const updated = Number(c.upd);
  const deduplicated = Number(c.healed);
  return {
    inserted,
    updated,
    unchanged: Number(c.same),
    deleted: Number(c.del) + Number(c.gone),
    dropKeys: `SELECT ${keys} FROM ${cls} WHERE __matched AND (__del OR __changed) UNION ALL SELECT ${keys} FROM ${gone}`,
    newPart: `SELECT * EXCLUDE (${HELPERS}) FROM ${cls} WHERE NOT __del AND (NOT __matched OR __changed)`,
    deduplicated,
    rowsDropped: Number(c.dropped) + Number(c.gone_rows),
    rowsAdded: Number(c.added),
    drop: async () => {
      await lake.duck.run(`DROP TABLE IF EXISTS ${cls}; DROP TABLE IF EXISTS ${gone}`);
    },
  };
}
