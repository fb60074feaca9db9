// Replaces one partition of a table (partition_by: { column, granularity }): a new version that keeps every file
// of the previous version holding no row of the partition as it is (other partitions untouched, not rewritten),
// rewrites a file that mixes it with others without its rows, and adds the partition's new rows in one file —
// DuckDB's delete + insert of one partition, committed as one version through the lake's stage → audit → publish.
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import type { TableRef } from "../records.js";
import type { Manifest } from "./table-log.js";
import { stripTrailingSemicolons } from "./materialize.js";
import { ident, lit } from "./sql.js";
import type { TableStore } from "./table-store.js";

export interface PartitionSlice {
  column: string;
  granularity: "day" | "month";
  /** YYYY-MM-DD (day) or YYYY-MM (month). */
  key: string;
}

/** The partition key of a row, as SQL: the column's date written as the granularity writes keys. */
export function partitionKeySql(column: string, granularity: "day" | "month"): string {
  return `strftime(CAST(${ident(column)} AS TIMESTAMP), '${granularity === "day" ? "%Y-%m-%d" : "%Y-%m"}')`;
}

export interface PartitionReplaced {
  version: Manifest;
  reused: boolean;
  /** Rows of the partition written. */
  inserted: number;
  /** Rows of the partition the previous version held (now replaced). */
  replaced: number;
  /** Files of the previous version kept as they were. */
  keptFiles: number;
}

/** Writes the rows of `sql` in partition `slice` over `table`'s current version; rows of other partitions in `sql` are an error. */
export async function replacePartition(
  lake: TableStore, table: string, sql: string, slice: PartitionSlice, opts: { parents: TableRef[]; cacheKey: string },
): Promise<PartitionReplaced> {
  const body = stripTrailingSemicolons(sql);
  const columns = (await lake.duck.describe(`SELECT * FROM (\n${body}\n)`)).map((c) => c.name);
  if (!columns.includes(slice.column)) {
    throw new ConfigError(`${table} has no column ${slice.column} to partition by (its columns: ${columns.join(", ")})`, { path: "partition_by.column" });
  }
  const keyOf = partitionKeySql(slice.column, slice.granularity);
  const inPartition = `${keyOf} = ${lit(slice.key)}`;
  let counts = { inserted: 0, replaced: 0, keptFiles: 0 };
  const { manifest, reused } = await lake.writeVersion(table, async (ctx) => {
    const prev = ctx.prev;
    if (prev && prev.cacheKey === opts.cacheKey) return { reuse: prev };
    const files: string[] = [];
    const fileRows: number[] = [];
    let replaced = 0;
    let keptFiles = 0;
    const prevFiles = prev && prev.operation !== "view" ? prev.files : [];
    for (const [i, rel] of prevFiles.entries()) {
      const src = `read_parquet(${lit(path.join(lake.root, rel))})`;
      const [{ n }] = await lake.duck.rows(`SELECT count(*) FILTER (WHERE ${inPartition}) AS n FROM ${src}`);
      const hits = Number(n);
      if (hits === 0) {
        files.push(rel);
        fileRows.push(prev!.fileRows[i]);
        keptFiles++;
        continue;
      }
      replaced += hits;
      const out = ctx.newFile();
      const rest = await lake.duck.run(`COPY (SELECT * FROM ${src} WHERE ${keyOf} IS DISTINCT FROM ${lit(slice.key)}) TO ${lit(out.abs)} (FORMAT parquet)`);
      if (rest) files.push(out.rel), fileRows.push(rest);
      else fs.rmSync(out.abs, { force: true });
    }
    const out = ctx.newFile();
    const inserted = await lake.duck.run(`COPY (SELECT * FROM (\n${body}\n) WHERE ${inPartition}) TO ${lit(out.abs)} (FORMAT parquet)`);
    if (inserted) files.push(out.rel), fileRows.push(inserted);
    counts = { inserted, replaced, keptFiles };
    return {
      files,
      fileRows,
      operation: "replace_partition",
      parents: [...(prev ? [{ table, version: prev.version }] : []), ...opts.parents],
      cacheKey: opts.cacheKey,
      info: { partition: { column: slice.column, granularity: slice.granularity, key: slice.key, inserted, replaced, keptFiles } },
    };
  });
  return { version: manifest!, reused, ...counts };
}
