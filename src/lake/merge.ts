// MERGE / upsert on a key: matched rows are updated or deleted, new rows inserted, as a new table version.
// Copy-on-write per file: files whose key range cannot hold a source key are kept as they are.
import path from "node:path";
import { randomBytes } from "node:crypto";
import { ValidationError } from "../errors.js";
import type { TableRef, TableVersion } from "../records.js";
import type { TableStore } from "./table-store.js";
import { stripTrailingSemicolons } from "./materialize.js";
import { rewriteByKey } from "./keyed-rewrite.js";
import { ident, isNumericType, pathList } from "./sql.js";

export interface MergeOptions {
  /** Key column(s) identifying a row in both the table and the source. */
  key: string[];
  parents?: TableRef[];
  /** What a source row whose key exists does: replace the row (default), delete it, or nothing. */
  whenMatched?: "update" | "delete" | "ignore";
  /** What a source row whose key is new does: insert it (default) or nothing. */
  whenNotMatched?: "insert" | "ignore";
  /** SQL predicate over a source row marking it as a deletion (CDC feeds), e.g. "op = 'D'". */
  deleteWhen?: string;
  /** Source columns to leave out of the table (e.g. the CDC op column). */
  exclude?: string[];
  /** Stored on the new version (see materialize). */
  cacheKey?: string;
}

export interface MergeResult {
  version: TableVersion;
  inserted: number;
  updated: number;
  deleted: number;
  /** Files of the previous version kept untouched (their key range held no source key). */
  filesKept: number;
  filesRewritten: number;
}

export async function merge(lake: TableStore, table: string, sourceSql: string, opts: MergeOptions): Promise<MergeResult> {
  if (!opts.key?.length) throw new ValidationError("merge needs at least one key column", { path: "key", hint: "e.g. key: [customer_id]" });
  const whenMatched = opts.whenMatched ?? "update";
  const whenNotMatched = opts.whenNotMatched ?? "insert";
  const src = `merge_src_${randomBytes(4).toString("hex")}`;
  const keys = opts.key.map(ident).join(", ");
  const stats = { inserted: 0, updated: 0, deleted: 0, filesKept: 0, filesRewritten: 0 };
  await lake.duck.run(`CREATE TEMP TABLE ${src} AS SELECT * FROM (\n${stripTrailingSemicolons(sourceSql)}\n)`).catch((e) => {
    throw new ValidationError(`merge source for ${table} failed: ${(e as Error).message.split("\n")[0]}`, { path: table });
  });
  try {
    const srcSchema = await lake.duck.describe(`SELECT * FROM ${src}`);
    const srcCols = srcSchema.map((c) => c.name);
    for (const k of opts.key) {
      if (!srcCols.includes(k)) throw new ValidationError(`merge key ${k} is not a column of the source`, { path: `${table}.${k}`, hint: `source columns: ${srcCols.join(", ")}` });
    }
    const [{ dups, nulls, n }] = await lake.duck.rows(
      `SELECT count(*) - count(DISTINCT (${keys})) AS dups, count(*) FILTER (WHERE ${opts.key.map((k) => `${ident(k)} IS NULL`).join(" OR ")}) AS nulls, count(*) AS n FROM ${src}`,
    );
    if (Number(nulls) > 0) {
      throw new ValidationError(`merge source for ${table} has ${nulls} row(s) with a NULL key`, { path: table, hint: "a key identifies a row; filter or fill NULL keys first" });
    }
    if (Number(dups) > 0) {
      throw new ValidationError(`merge source for ${table} has ${dups} duplicate key(s) on (${opts.key.join(", ")})`, {
        path: table, hint: "deduplicate the source first (e.g. keep the latest row per key with QUALIFY row_number() ...)",
      });
    }
    const sourceRows = Number(n);
    const keep = srcCols.filter((c) => !(opts.exclude ?? []).includes(c)).map((c) => `s.${ident(c)}`).join(", ");
    // The common upsert needs no classification of source rows: the counts follow from the rows written.
    const upsert = whenMatched === "update" && whenNotMatched === "insert" && !opts.deleteWhen;
    const { manifest } = await lake.writeVersion(table, async (ctx) => {
      const prevFiles = ctx.prev?.files ?? [];
      for (const k of opts.key) {
        const col = ctx.prev?.schema.find((c) => c.name === k);
        if (ctx.prev && !col) {
          throw new ValidationError(`merge key ${k} is not a column of ${table}`, { path: `${table}.${k}` });
        }
        // Keys compare by value only within one family: a VARCHAR '7' against a BIGINT 7 is a DuckDB binder error.
        const srcType = srcSchema.find((c) => c.name === k)!.type;
        if (col && col.type !== srcType && !(isNumericType(col.type) && isNumericType(srcType))) {
          throw new ValidationError(`merge key ${k} is ${col.type} in ${table} but ${srcType} in the source`, {
            path: `${table}.${k}`,
            hint: `cast it in the source: CAST(${k} AS ${col.type})`,
          });
        }
      }
      const target = prevFiles.length ? `read_parquet(${pathList(prevFiles.map((f) => path.join(lake.root, f)))}, union_by_name = true)` : null;
      const cls = `merge_cls_${randomBytes(4).toString("hex")}`;
      try {
        let dropKeys = `SELECT ${keys} FROM ${src}`;
        let newPart = `SELECT ${keep} FROM ${src} s`;
        if (!upsert) {
          const del = opts.deleteWhen ? `coalesce((${opts.deleteWhen}), false)` : "false";
          const hit = target ? `EXISTS (SELECT 1 FROM ${target} t WHERE ${opts.key.map((k) => `t.${ident(k)} = s.${ident(k)}`).join(" AND ")})` : "false";
          await lake.duck.run(`CREATE TEMP TABLE ${cls} AS SELECT s.*, ${hit} AS __matched, ${del} AS __delete FROM ${src} s`);
          const [c] = await lake.duck.rows(
            `SELECT count(*) FILTER (WHERE __matched AND NOT __delete) AS upd, count(*) FILTER (WHERE __matched AND __delete) AS del,
                    count(*) FILTER (WHERE NOT __matched AND NOT __delete) AS ins FROM ${cls}`,
          );
          stats.updated = whenMatched === "update" ? Number(c.upd) : 0;
          stats.deleted = whenMatched === "ignore" ? Number(c.del) : whenMatched === "delete" ? Number(c.upd) + Number(c.del) : Number(c.del);
          stats.inserted = whenNotMatched === "insert" ? Number(c.ins) : 0;
          // Target rows to drop: matched keys that are updated or deleted.
          dropKeys = `SELECT ${keys} FROM ${cls} WHERE ${whenMatched === "ignore" ? "__matched AND __delete" : "__matched"}`;
          const addWhere = [
            whenMatched === "update" ? "(__matched AND NOT __delete)" : null,
            whenNotMatched === "insert" ? "(NOT __matched AND NOT __delete)" : null,
          ].filter(Boolean).join(" OR ") || "false";
          newPart = `SELECT ${keep} FROM ${cls} s WHERE ${addWhere}`;
        }
        const w = await rewriteByKey(lake, ctx, opts.key, dropKeys, newPart);
        stats.filesKept = w.filesKept;
        stats.filesRewritten = w.filesRewritten;
        if (upsert) {
          // rows written = rewritten target rows - matched + source rows
          stats.updated = w.rowsRewritten + sourceRows - w.rowsWritten;
          stats.inserted = sourceRows - stats.updated;
        }
        return {
          files: w.files,
          fileRows: w.fileRows,
          operation: "merge",
          cacheKey: opts.cacheKey,
          parents: [...(ctx.prev ? [{ table, version: ctx.prev.version }] : []), ...(opts.parents ?? [])],
          info: { key: opts.key, inserted: stats.inserted, updated: stats.updated, deleted: stats.deleted, filesKept: stats.filesKept, filesRewritten: stats.filesRewritten },
        };
      } finally {
        await lake.duck.run(`DROP TABLE IF EXISTS ${cls}`);
      }
    });
    return { version: manifest!, ...stats };
  } finally {
    await lake.duck.run(`DROP TABLE IF EXISTS ${src}`);
  }
}
