// Removes one source file's rows from the table that ingested it, as a new audited version; the file stays
// marked as ingested, so the next run does not load it again (re-save it with new content to load it anew).
// A file recorded with no rows (every row quarantined) has no rows to remove: its record is forgotten instead,
// so the next run reads it again (after its source's settings were fixed, say). Either way the file's lines leave
// <table>__quarantine too, in a quarantine version parented by the forget (so a re-read sets them aside once).
import path from "node:path";
import { NotFoundError } from "../errors.js";
import { loadCheckpoint, type SourceFileRecord } from "./checkpoint.js";
import { withoutSourceRows } from "./file-rows.js";
import { actorOf } from "./ingest.js";
import type { Lake } from "./lake.js";
import { reconcileQuarantine } from "./quarantine-commit.js";
import { isQuarantineTable, quarantineTableOf } from "./quarantine.js";
import { lit, pathList } from "./sql.js";
import { listTables } from "./table-log.js";

export interface ForgetResult {
  table: string;
  file: string;
  version: number;
  rowsBefore: number;
  rowsRemoved: number;
  rowsAfter: number;
  actor: string;
  /** The file's lines that left `<table>__quarantine`. */
  quarantineRowsRemoved: number;
  /** The file had no rows in the table: its ingest record was forgotten, so the next run loads it again. */
  recordForgotten?: boolean;
}

/** How many lines of `labels` the table's quarantine holds now. */
async function quarantineRowsOf(lake: Lake, table: string, labels: string[]): Promise<number> {
  const q = await lake.current(quarantineTableOf(table));
  if (!q?.files.length) return 0;
  const [{ n }] = await lake.duck.rows(
    `SELECT count(*) AS n FROM read_parquet(${pathList(q.files.map((f) => path.join(lake.root, f)))}, union_by_name = true)
     WHERE source_file IN (${labels.map(lit).join(", ")})`,
  );
  return Number(n);
}

/** The tables (and labels) that ingested `file`: matched by its path relative to the lake, or as written. */
export async function tablesHolding(lake: Lake, file: string): Promise<{ table: string; labels: string[]; last: SourceFileRecord }[]> {
  const abs = path.resolve(file);
  const key = path.relative(lake.root, abs);
  const out: { table: string; labels: string[]; last: SourceFileRecord }[] = [];
  for (const table of listTables(lake.root).filter((t) => !isQuarantineTable(t))) {
    const labels = new Set<string>();
    let last: SourceFileRecord | null = null;
    for (const v of await lake.history(table)) {
      for (const s of (v.info?.sourceFiles ?? []) as SourceFileRecord[]) {
        if (s.key === key || s.path === abs || s.path === file) {
          labels.add(s.path);
          last = s; // history runs oldest first: the newest record wins
        }
      }
    }
    if (last) out.push({ table, labels: [...labels], last });
  }
  return out;
}

export async function forgetFile(lake: Lake, file: string, opts: { table?: string; actor?: string; reason?: string } = {}): Promise<ForgetResult> {
  const holders = (await tablesHolding(lake, file)).filter((h) => !opts.table || h.table === opts.table);
  if (!holders.length) {
    throw new NotFoundError(`no table${opts.table ? ` ${opts.table}` : ""} ingested ${file}`, { path: file, hint: "give the landing file's path as it was ingested; see: millrace lineage <table>" });
  }
  if (holders.length > 1) {
    throw new NotFoundError(`${file} was ingested into ${holders.map((h) => h.table).join(" and ")}`, { path: file, hint: "name one with --table" });
  }
  const { table, labels, last } = holders[0];
  const actor = actorOf(opts.actor);
  let rowsBefore = 0;
  let rowsRemoved = 0;
  let recordForgotten = false;
  let quarantineRowsRemoved = 0;
  const { manifest } = await lake.writeVersion(table, async (ctx) => {
    // A crash after an earlier main commit may have left its quarantine uncommitted: repair first, then count.
    await reconcileQuarantine(lake, table);
    const prev = ctx.prev!;
    rowsBefore = prev.rowCount;
    const kept = await withoutSourceRows(lake, ctx, prev, labels);
    rowsRemoved = kept.removed;
    if (kept.removed === 0) {
      // Still marked ingested, with no rows ever kept: forget the record. Otherwise already forgotten (or replaced).
      const marked = [...loadCheckpoint(lake.root, table, prev.version)].some((k) => k.startsWith(`${last.key}#`));
      if (last.rows > 0 || !marked) return null;
      recordForgotten = true;
      quarantineRowsRemoved = await quarantineRowsOf(lake, table, labels);
      return {
        files: prev.files,
        fileRows: prev.fileRows,
        operation: "forget",
        parents: [{ table, version: prev.version }],
        info: { forgotten: { file: labels[labels.length - 1], labels, rowsRemoved: 0, keys: [last.key] }, rowsRemoved: 0, quarantineRowsRemoved, actor, ...reasonOf(opts) },
        afterCommit: () => reconcileQuarantine(lake, table),
      };
    }
    quarantineRowsRemoved = await quarantineRowsOf(lake, table, labels);
    return {
      files: kept.files,
      fileRows: kept.fileRows,
      operation: "forget",
      parents: [{ table, version: prev.version }],
      info: { forgotten: { file: labels[labels.length - 1], labels, rowsRemoved: kept.removed }, rowsRemoved: kept.removed, quarantineRowsRemoved, actor, ...reasonOf(opts) },
      afterCommit: () => reconcileQuarantine(lake, table),
    };
  });
  const cur = manifest ?? (await lake.current(table))!;
  return { table, file: labels[labels.length - 1], version: cur.version, rowsBefore, rowsRemoved, rowsAfter: cur.rowCount, quarantineRowsRemoved, actor, ...(recordForgotten ? { recordForgotten } : {}) };
}

const reasonOf = (opts: { reason?: string }) => (opts.reason ? { reason: opts.reason.slice(0, 2000) } : {});
