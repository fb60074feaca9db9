// Slowly changing dimensions: type 2 keeps every version of a row with valid_from / valid_to / is_current,
// type 1 overwrites in place. Both commit nothing when the input holds no change, so reruns are no-ops.
import path from "node:path";
import { randomBytes } from "node:crypto";
import { ValidationError } from "../errors.js";
import type { TableRef, TableVersion } from "../records.js";
import type { TableStore } from "./table-store.js";
import { stripTrailingSemicolons } from "./materialize.js";
import { merge } from "./merge.js";
import { ident, lit, pathList } from "./sql.js";

export interface ScdOptions {
  key: string[];
  /** Columns whose change makes a new version (type 2) or an update (type 1); default: all but the key. */
  tracked?: string[];
  /** timestamp: a source column says when the row changed (several changes per key may arrive at once);
   *  check: compare tracked columns, and stamp changes with the run time. */
  strategy: "timestamp" | "check";
  /** The source column holding the change time (strategy timestamp). */
  updatedAt?: string;
  /** Close the current row of keys that vanished from the source (type 2). */
  invalidateHardDeletes?: boolean;
  parents?: TableRef[];
  /** Run time for strategy check (default now), ISO 8601. */
  now?: string;
  /** Stored on the new version (see materialize). */
  cacheKey?: string;
}

export interface ScdResult {
  /** The new version, or the current one when nothing changed. */
  version: TableVersion | null;
  changed: boolean;
  inserted: number;
  updated: number;
  closed: number;
}

const SCD_COLUMNS = ["valid_from", "valid_to", "is_current"];

async function stage(lake: TableStore, sourceSql: string, opts: ScdOptions): Promise<{ name: string; cols: string[]; tracked: string[] }> {
  const name = `scd_src_${randomBytes(4).toString("hex")}`;
  await lake.duck.run(`CREATE TEMP TABLE ${name} AS SELECT DISTINCT * FROM (\n${stripTrailingSemicolons(sourceSql)}\n)`).catch((e) => {
    throw new ValidationError(`SCD source failed: ${(e as Error).message.split("\n")[0]}`, { hint: "check the source SQL" });
  });
  const cols = (await lake.duck.describe(`SELECT * FROM ${name}`)).map((c) => c.name);
  for (const c of [...opts.key, ...(opts.tracked ?? []), ...(opts.updatedAt ? [opts.updatedAt] : [])]) {
    if (!cols.includes(c)) throw new ValidationError(`SCD column ${c} is not in the source`, { path: c, hint: `source columns: ${cols.join(", ")}` });
  }
  for (const c of SCD_COLUMNS) {
    if (cols.includes(c)) throw new ValidationError(`the SCD source already has a column ${c}`, { path: c, hint: "rename it; the dimension adds it" });
  }
  if (opts.strategy === "timestamp" && !opts.updatedAt) throw new ValidationError("strategy timestamp needs updatedAt", { path: "updatedAt" });
  const tracked = opts.tracked ?? cols.filter((c) => !opts.key.includes(c) && c !== opts.updatedAt);
  return { name, cols, tracked };
}

/** Type 2: a new row per change; the previous row of that key gets valid_to and is_current = false. */
export async function scd2(lake: TableStore, table: string, sourceSql: string, opts: ScdOptions): Promise<ScdResult> {
  const src = await stage(lake, sourceSql, opts);
  const keys = opts.key.map(ident).join(", ");
  const tuple = (alias: string) => `struct_pack(${src.tracked.map((c) => `${ident(c)} := ${alias}.${ident(c)}`).join(", ")})`;
  const now = opts.now ?? new Date().toISOString();
  const ts = opts.strategy === "timestamp" ? `CAST(s.${ident(opts.updatedAt!)} AS TIMESTAMP)` : `CAST(${lit(now.replace("Z", ""))} AS TIMESTAMP)`;
  const result: ScdResult = { version: null, changed: false, inserted: 0, updated: 0, closed: 0 };
  try {
    // The same key at the same instant with different values cannot be ordered: refuse rather than pick one.
    const [{ n }] = await lake.duck.rows(`SELECT count(*) AS n FROM (SELECT ${keys}, ${ts} FROM ${src.name} s GROUP BY ALL HAVING count(*) > 1)`);
    if (Number(n) > 0) {
      throw new ValidationError(`the SCD source for ${table} has ${n} key(s) with two different rows at the same ${opts.strategy === "check" ? "run" : opts.updatedAt}`, {
        path: table, hint: opts.strategy === "check" ? "the source must hold one row per key" : "deduplicate the source per key and time",
      });
    }
    const { manifest } = await lake.writeVersion(table, async (ctx) => {
      const prev = ctx.prev?.files.length ? `read_parquet(${pathList(ctx.prev.files.map((f) => path.join(lake.root, f)))}, union_by_name = true)` : null;
      const cols = src.cols.map(ident).join(", ");
      const work = `scd_seq_${randomBytes(4).toString("hex")}`;
      // The chain per key: the current row, then source rows newer than it; a row equal to the one before is no change.
      await lake.duck.run(`CREATE TEMP TABLE ${work} AS
        WITH cur AS (${prev ? `SELECT ${cols}, valid_from, true AS __old FROM ${prev} WHERE is_current` : `SELECT ${cols}, NULL::TIMESTAMP AS valid_from, true AS __old FROM ${src.name} WHERE false`}),
        cand AS (SELECT s.*, ${ts} AS valid_from, false AS __old FROM ${src.name} s LEFT JOIN cur c USING (${keys})
                 WHERE c.valid_from IS NULL OR ${ts} > c.valid_from),
        seq AS (SELECT * FROM cur UNION ALL BY NAME SELECT * FROM cand),
        marked AS (SELECT *, ${tuple("seq")} IS DISTINCT FROM lag(${tuple("seq")}) OVER w OR lag(valid_from) OVER w IS NULL AS __change
                   FROM seq WINDOW w AS (PARTITION BY ${keys} ORDER BY valid_from))
        SELECT * EXCLUDE (__change), lead(valid_from) OVER (PARTITION BY ${keys} ORDER BY valid_from) AS valid_to
        FROM marked WHERE __change`);
      try {
        let closeDeleted = "";
        if (opts.invalidateHardDeletes && prev) {
          closeDeleted = `UPDATE ${work} w SET valid_to = CAST(${lit(now.replace("Z", ""))} AS TIMESTAMP)
            WHERE w.__old AND w.valid_to IS NULL AND NOT EXISTS (SELECT 1 FROM ${src.name} s WHERE ${opts.key.map((k) => `s.${ident(k)} = w.${ident(k)}`).join(" AND ")})`;
          result.closed = await lake.duck.run(closeDeleted);
        }
        const [c] = await lake.duck.rows(
          `SELECT count(*) FILTER (WHERE NOT __old) AS added,
                  count(*) FILTER (WHERE NOT __old AND EXISTS (SELECT 1 FROM ${work} o WHERE o.__old AND ${opts.key.map((k) => `o.${ident(k)} = w.${ident(k)}`).join(" AND ")})) AS upd
           FROM ${work} w`,
        );
        result.updated = Number(c.upd);
        result.inserted = Number(c.added) - result.updated;
        if (Number(c.added) === 0 && result.closed === 0) return ctx.prev ? { reuse: ctx.prev } : null;
        result.changed = true;
        const out = ctx.newFile();
        const history = prev ? `SELECT * FROM ${prev} WHERE NOT is_current UNION ALL BY NAME ` : "";
        const rows = await lake.duck.run(
          `COPY (${history}SELECT * EXCLUDE (__old), valid_to IS NULL AS is_current FROM ${work} ORDER BY ${keys}, valid_from) TO ${lit(out.abs)} (FORMAT parquet)`,
        );
        return {
          files: [out.rel], fileRows: [rows], operation: "scd2", cacheKey: opts.cacheKey,
          parents: [...(ctx.prev ? [{ table, version: ctx.prev.version }] : []), ...(opts.parents ?? [])],
          info: { key: opts.key, tracked: src.tracked, strategy: opts.strategy, inserted: result.inserted, updated: result.updated, closed: result.closed },
        };
      } finally {
        await lake.duck.run(`DROP TABLE IF EXISTS ${work}`);
      }
    });
    result.version = manifest;
    return result;
  } finally {
    await lake.duck.run(`DROP TABLE IF EXISTS ${src.name}`);
  }
}

/** Type 1: rows are upserted in place, only when a tracked column differs (or the key is new). */
export async function scd1(lake: TableStore, table: string, sourceSql: string, opts: Omit<ScdOptions, "strategy" | "updatedAt" | "invalidateHardDeletes">): Promise<ScdResult> {
  const src = await stage(lake, sourceSql, { ...opts, strategy: "check" });
  try {
    const cur = await lake.current(table);
    const keys = opts.key.map(ident).join(", ");
    const [{ n }] = await lake.duck.rows(`SELECT count(*) - count(DISTINCT (${keys})) AS n FROM ${src.name}`);
    if (Number(n) > 0) throw new ValidationError(`the SCD1 source for ${table} has ${n} duplicate key(s)`, { path: table, hint: "the source must hold one row per key" });
    const changed = cur
      ? `SELECT s.* FROM ${src.name} s LEFT JOIN ${lake.relation(cur)} t USING (${keys})
         WHERE t.${ident(opts.key[0])} IS NULL OR ${src.tracked.map((c) => `s.${ident(c)} IS DISTINCT FROM t.${ident(c)}`).join(" OR ") || "false"}`
      : `SELECT * FROM ${src.name}`;
    const [{ k }] = await lake.duck.rows(`SELECT count(*) AS k FROM (${changed})`);
    if (Number(k) === 0) return { version: cur, changed: false, inserted: 0, updated: 0, closed: 0 };
    const m = await merge(lake, table, changed, { key: opts.key, parents: opts.parents, cacheKey: opts.cacheKey });
    return { version: m.version, changed: true, inserted: m.inserted, updated: m.updated, closed: 0 };
  } finally {
    await lake.duck.run(`DROP TABLE IF EXISTS ${src.name}`);
  }
}
