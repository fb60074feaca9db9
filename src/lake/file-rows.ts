// Takes the rows of given source files out of a table version's data files (by their _source_file lineage
// column, or a quarantine table's source_file): a data file holding only such rows leaves the list, a mixed one is
// rewritten without them.
import path from "node:path";
import type { TableStore, WriteContext } from "./table-store.js";
import { lit, pathList } from "./sql.js";

export interface FilesWithout {
  files: string[];
  fileRows: number[];
  /** Rows taken out. */
  removed: number;
}

/** `files`/`fileRows` of a version without the rows whose `column` (_source_file) is one of `labels`. */
export async function withoutSourceRows(
  lake: TableStore, ctx: WriteContext, base: { files: string[]; fileRows: number[] }, labels: string[], column: "_source_file" | "source_file" = "_source_file",
): Promise<FilesWithout> {
  const unchanged = { files: [...base.files], fileRows: [...base.fileRows], removed: 0 };
  if (!labels.length || !base.files.length) return unchanged;
  const abs = base.files.map((f) => path.join(lake.root, f));
  const inList = labels.map(lit).join(", ");
  let hits: Record<string, unknown>[];
  try {
    hits = await lake.duck.rows(
      `SELECT _millrace_file AS f, count(*) AS n FROM read_parquet(${pathList(abs)}, union_by_name = true, filename = '_millrace_file')
       WHERE ${column} IN (${inList}) GROUP BY _millrace_file`,
    );
  } catch (e) {
    // A table without the lineage column (never ingested from files) holds no file's rows.
    if ((e as Error).message.includes(column)) return unchanged;
    throw e;
  }
  const hit = new Map(hits.map((h) => [String(h.f), Number(h.n)]));
  const out: FilesWithout = { files: [], fileRows: [], removed: 0 };
  for (let i = 0; i < base.files.length; i++) {
    const n = hit.get(abs[i]) ?? 0;
    out.removed += n;
    if (n === 0) {
      out.files.push(base.files[i]);
      out.fileRows.push(base.fileRows[i]);
    } else if (n < base.fileRows[i]) {
      // Shared with other sources' rows: a new file keeps those, in their order.
      const f = ctx.newFile();
      const kept = await lake.duck.run(
        `COPY (SELECT * FROM read_parquet(${lit(abs[i])}) WHERE ${column} IS NULL OR ${column} NOT IN (${inList})) TO ${lit(f.abs)} (FORMAT parquet)`,
      );
      out.files.push(f.rel);
      out.fileRows.push(kept);
    }
  }
  return out;
}
