// Keeps the number of small data files of an appended table bounded: when a version would hold more than a few,
// each run of consecutive small files is folded into one file (same rows, same order). Without it every push
// adds a file, and each commit reads every file's footer (schema, manifest): latency grew with the versions.
import path from "node:path";
import { InvariantError } from "./materialize.js";
import type { TableStore, WriteContext } from "./table-store.js";
import { lit, pathList } from "./sql.js";

/** A file below `smallRows` rows is small; more than `maxSmallFiles` small files in a version are folded. */
export const COMPACTION = { maxSmallFiles: 16, smallRows: 100_000 } as const;

export interface Compacted {
  files: string[];
  fileRows: number[];
  /** How many files were folded, into how many. */
  folded: { from: number; to: number };
}

/** The version's file list with its small-file runs folded, or null when there are few enough small files. */
export async function compactSmallFiles(lake: TableStore, ctx: WriteContext, files: string[], fileRows: number[]): Promise<Compacted | null> {
  const small = (i: number) => fileRows[i] < COMPACTION.smallRows;
  if (files.filter((_, i) => small(i)).length <= COMPACTION.maxSmallFiles) return null;
  const out: Compacted = { files: [], fileRows: [], folded: { from: 0, to: 0 } };
  for (let i = 0; i < files.length; ) {
    let j = i;
    while (j < files.length && small(j)) j++;
    if (j - i >= 2) {
      const run = files.slice(i, j).map((f) => path.join(lake.root, f));
      const expected = fileRows.slice(i, j).reduce((a, b) => a + b, 0);
      const f = ctx.newFile();
      // union_by_name, as the table is read: a column missing from older files is NULL in the folded file.
      const n = await lake.duck.run(`COPY (SELECT * FROM read_parquet(${pathList(run)}, union_by_name = true)) TO ${lit(f.abs)} (FORMAT parquet)`);
      if (n !== expected) throw new InvariantError(`${ctx.table}: folding ${run.length} files wrote ${n} rows, they hold ${expected}`);
      out.files.push(f.rel);
      out.fileRows.push(n);
      out.folded.from += j - i;
      out.folded.to += 1;
      i = j;
    } else {
      const k = Math.max(j, i + 1);
      out.files.push(...files.slice(i, k));
      out.fileRows.push(...fileRows.slice(i, k));
      i = k;
    }
  }
  return out;
}
