// Copy-on-write by key, shared by MERGE and keyed sources: rows whose key is dropped leave, new rows join, and files
// whose key range cannot hold a dropped key are kept as they are (an insert-only change rewrites nothing).
import path from "node:path";
import type { WriteContext } from "./table-store.js";
import type { TableStore } from "./table-store.js";
import { ident, isNumericType, lit, pathList } from "./sql.js";

export interface KeyedRewrite {
  /** The new version's file list and rows per file. */
  files: string[];
  fileRows: number[];
  filesKept: number;
  filesRewritten: number;
  /** Rows in the one file written (kept rows of rewritten files + new rows). */
  rowsWritten: number;
  /** Rows the rewritten files held before. */
  rowsRewritten: number;
}

/** How two key values (as text) order: numbers by value, text by UTF-8 bytes (DuckDB's and Parquet's order). */
type Before = (x: string, y: string) => boolean;
const utf8 = new TextEncoder();
const byValue: Before = (x, y) => Number(x) < Number(y);
const byBytes: Before = (x, y) => Buffer.compare(utf8.encode(x), utf8.encode(y)) < 0;

/** The order key ranges can be compared in for a key of engine type `type`, or null when ranges are not used. */
function orderOf(type: string): Before | null {
  if (isNumericType(type)) return byValue;
  return /^VARCHAR$/i.test(type.trim()) ? byBytes : null; // dates, times, intervals: their text need not sort (time zones)
}

/**
 * Per file: min and max of a single key column from the Parquet footers (null when unknown), folded over the file's
 * row groups in the key's own order: a file over 122,880 rows has several, and their footers hold text ('9' > '10').
 */
async function keyRanges(lake: TableStore, files: string[], key: string, before: Before): Promise<Map<string, { min: string; max: string } | null>> {
  const out = new Map<string, { min: string; max: string } | null>(files.map((f) => [f, null]));
  if (!files.length) return out;
  const rows = await lake.duck.rows(
    `SELECT file_name, stats_min_value AS lo, stats_max_value AS hi
     FROM parquet_metadata(${pathList(files.map((f) => path.join(lake.root, f)))}) WHERE path_in_schema = ${lit(key)}`,
  );
  const acc = new Map<string, { min: string; max: string } | null>();
  for (const r of rows) {
    const rel = path.relative(lake.root, String(r.file_name));
    const prev = acc.get(rel);
    if (prev === null) continue; // a row group without statistics: the file's range is unknown
    if (r.lo === null || r.hi === null) {
      acc.set(rel, null);
      continue;
    }
    const lo = String(r.lo);
    const hi = String(r.hi);
    acc.set(rel, !prev ? { min: lo, max: hi } : { min: before(lo, prev.min) ? lo : prev.min, max: before(prev.max, hi) ? hi : prev.max });
  }
  for (const [f, r] of acc) out.set(f, r);
  return out;
}

/**
 * Builds the files of the version `ctx` is writing: the previous version's rows minus those whose key is in
 * `dropKeys` (a SELECT of the key columns), plus the rows of `newPart` (a SELECT), written as one new file.
 */
export async function rewriteByKey(lake: TableStore, ctx: WriteContext, key: string[], dropKeys: string, newPart: string): Promise<KeyedRewrite> {
  const keys = key.map(ident).join(", ");
  const prevFiles = ctx.prev?.files ?? [];
  // Files whose key range holds no dropped key stay as they are.
  let rewrite = prevFiles;
  if (key.length === 1 && prevFiles.length > 1) {
    const [b] = await lake.duck.rows(`SELECT CAST(min(${keys}) AS VARCHAR) AS lo, CAST(max(${keys}) AS VARCHAR) AS hi, typeof(min(${keys})) AS t FROM (${dropKeys})`);
    // The files' statistics are in the table's type; the dropped keys' own type may differ (INTEGER into BIGINT).
    const tableType = ctx.prev?.schema.find((c) => c.name === key[0])?.type;
    const lt = tableType && orderOf(tableType) === orderOf(String(b.t)) ? orderOf(tableType) : null;
    if (b.lo === null) rewrite = [];
    else if (lt) {
      const ranges = await keyRanges(lake, prevFiles, key[0], lt);
      rewrite = prevFiles.filter((f) => {
        const r = ranges.get(f);
        return !r || !(lt(r.max, String(b.lo)) || lt(String(b.hi), r.min));
      });
    }
  }
  const kept = prevFiles.filter((f) => !rewrite.includes(f));
  const rowsOf = (f: string) => ctx.prev!.fileRows[ctx.prev!.files.indexOf(f)];
  const out = ctx.newFile();
  const old = `read_parquet(${pathList(rewrite.map((f) => path.join(lake.root, f)))}, union_by_name = true)`;
  const oldPart = !rewrite.length
    ? null
    : key.length === 1
      ? `SELECT t.* FROM ${old} t WHERE t.${keys} IS NULL OR t.${keys} NOT IN (${dropKeys})`
      : `SELECT t.* FROM ${old} t ANTI JOIN (${dropKeys}) d USING (${keys})`;
  const rows = await lake.duck.run(
    `COPY (${oldPart ? `${oldPart} UNION ALL BY NAME ${newPart}` : newPart}) TO ${lit(out.abs)} (FORMAT parquet)`,
    { unordered: true },
  );
  return {
    files: [...kept, ...(rows ? [out.rel] : [])],
    fileRows: [...kept.map(rowsOf), ...(rows ? [rows] : [])],
    filesKept: kept.length,
    filesRewritten: rewrite.length,
    rowsWritten: rows,
    rowsRewritten: rewrite.reduce((a, f) => a + rowsOf(f), 0),
  };
}
