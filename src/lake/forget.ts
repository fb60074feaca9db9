// Removes one source file's rows from the table that ingested it, as a new audited version; the file stays
// marked as ingested, so the next run does not load it again (re-save it with new content to load it anew).
import path from "node:path";
import { NotFoundError } from "../errors.js";
import type { SourceFileRecord } from "./checkpoint.js";
import { withoutSourceRows } from "./file-rows.js";
import { actorOf } from "./ingest.js";
import type { Lake } from "./lake.js";
import { isQuarantineTable } from "./quarantine.js";
import { listTables } from "./table-log.js";

export interface ForgetResult {
  table: string;
  file: string;
  version: number;
  rowsBefore: number;
  rowsRemoved: number;
  rowsAfter: number;
  actor: string;
}

/** The tables (and labels) that ingested `file`: matched by its path relative to the lake, or as written. */
export async function tablesHolding(lake: Lake, file: string): Promise<{ table: string; labels: string[] }[]> {
  const abs = path.resolve(file);
  const key = path.relative(lake.root, abs);
  const out: { table: string; labels: string[] }[] = [];
  for (const table of listTables(lake.root).filter((t) => !isQuarantineTable(t))) {
    const labels = new Set<string>();
    for (const v of await lake.history(table)) {
      for (const s of (v.info?.sourceFiles ?? []) as SourceFileRecord[]) if (s.key === key || s.path === abs || s.path === file) labels.add(s.path);
    }
    if (labels.size) out.push({ table, labels: [...labels] });
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
  const { table, labels } = holders[0];
  const actor = actorOf(opts.actor);
  let rowsBefore = 0;
  let rowsRemoved = 0;
  const { manifest } = await lake.writeVersion(table, async (ctx) => {
    const prev = ctx.prev!;
    rowsBefore = prev.rowCount;
    const kept = await withoutSourceRows(lake, ctx, prev, labels);
    rowsRemoved = kept.removed;
    if (kept.removed === 0) return null; // already forgotten (or replaced by a later version of the file)
    return {
      files: kept.files,
      fileRows: kept.fileRows,
      operation: "forget",
      parents: [{ table, version: prev.version }],
      info: { forgotten: { file: labels[labels.length - 1], labels, rowsRemoved: kept.removed }, rowsRemoved: kept.removed, actor, ...(opts.reason ? { reason: opts.reason.slice(0, 2000) } : {}) },
    };
  });
  const cur = manifest ?? (await lake.current(table))!;
  return { table, file: labels[labels.length - 1], version: cur.version, rowsBefore, rowsRemoved, rowsAfter: cur.rowCount, actor };
}
