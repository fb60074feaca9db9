// Undo for a table: makes an earlier version current again as a new version with the same files (so the same
// content hash), keeping the history; who did it and why are kept in the manifest. The table's quarantine and its
// ingest records go back with it: a forget undone brings back the file's quarantine lines and its record.
import { NotFoundError, ValidationError } from "../errors.js";
import { loadCheckpoint, type SourceFileRecord } from "./checkpoint.js";
import { actorOf } from "./ingest.js";
import type { Lake } from "./lake.js";
import { quarantineAt } from "./quarantine-at.js";
import { reconcileQuarantine } from "./quarantine-commit.js";
import { isQuarantineTable, quarantineTableOf, type QuarantineInfo } from "./quarantine.js";
import type { Manifest } from "./table-log.js";

export interface RevertResult {
  table: string;
  /** The version that was current before. */
  from: number;
  /** The version whose content is current again. */
  to: number;
  /** The new version holding that content. */
  version: number;
  rowsBefore: number;
  rowsAfter: number;
  contentHash: string;
  actor: string;
  /** Lines of `<table>__quarantine` before and after, when the table has one. */
  quarantine?: { rowsBefore: number; rowsAfter: number };
  /** Ingest records brought back (a forget undone: not read again) and forgotten again (read again by the next run). */
  records: { restored: number; forgotten: number };
  warnings?: string[];
}

/** What a revert does to the ingest records (checkpoint.ts replays it), so they are as they were at version `to`. */
export interface IngestRecordsChange {
  /** "<key>#<hash>" recorded at `to` for a file recorded no more (its record was forgotten since). */
  restored: string[];
  /** Files read by `to` whose record was forgotten there and brought back since by a revert (not by reading the file
   *  again): the next run reads them again, as it would have at `to`. */
  forgotten: string[];
}

const keyOf = (record: string) => record.slice(0, record.lastIndexOf("#"));

/**
 * The ingest records of `to` against those of `from`. Files read after `to` keep their record: their rows leave with
 * the revert, but the file is still in the landing folder and must not come back on the next run.
 */
async function ingestRecordsAt(lake: Lake, table: string, to: number, from: number): Promise<IngestRecordsChange> {
  const then = loadCheckpoint(lake.root, table, to);
  const now = loadCheckpoint(lake.root, table, from);
  const keysThen = new Set([...then].map(keyOf));
  const keysNow = new Set([...now].map(keyOf));
  const readBy = new Set<string>();
  const readAfter = new Set<string>();
  for (const v of await lake.history(table)) {
    for (const s of (v.info?.sourceFiles ?? []) as SourceFileRecord[]) (v.version <= to ? readBy : readAfter).add(s.key);
  }
  return {
    restored: [...then].filter((k) => !keysNow.has(keyOf(k))),
    // Recorded now only because a revert brought the record back (a redo of the forget), not by a read since.
    forgotten: [...keysNow].filter((k) => !keysThen.has(k) && readBy.has(k) && !readAfter.has(k)),
  };
}

export async function revertTable(lake: Lake, table: string, to: number, opts: { actor?: string; reason?: string } = {}): Promise<RevertResult> {
  if (!Number.isInteger(to) || to < 1) throw new ValidationError(`--to must be a version number, got ${to}`, { path: "to", hint: `see: millrace history ${table}` });
  if (isQuarantineTable(table)) {
    const main = table.slice(0, -"__quarantine".length);
    throw new ValidationError(`${table} follows ${main}: its lines go back with the version of ${main} they belong to`, {
      path: table, hint: `revert the table itself: millrace revert ${main} --to <version> (see: millrace history ${main})`,
    });
  }
  if (!(await lake.current(table))) throw new NotFoundError(`table ${table} does not exist`, { path: table, hint: "list the tables with: millrace tables" });
  const actor = actorOf(opts.actor);
  let from = 0;
  let rowsBefore = 0;
  let quarantine: RevertResult["quarantine"];
  let records: IngestRecordsChange = { restored: [], forgotten: [] };
  const warnings: string[] = [];
  const { manifest } = await lake.writeVersion(table, async (ctx) => {
    const prev = ctx.prev!;
    from = prev.version;
    rowsBefore = prev.rowCount;
    let target: Manifest;
    try {
      target = lake.manifest({ table, version: to });
    } catch {
      throw new NotFoundError(`${table} has no version ${to} (it never existed or vacuum removed it)`, { path: "to", hint: `see: millrace history ${table}` });
    }
    if (to === prev.version) throw new ValidationError(`${table}@${to} is already the current version`, { path: "to", hint: `see: millrace history ${table}` });
    if (target.operation === "view") {
      throw new ValidationError(`${table} is a view: it is rebuilt from its SQL on each run`, { path: table, hint: "revert the tables it reads from instead" });
    }
    // A crash after an earlier main commit may have left its quarantine uncommitted: repair first, then read it.
    await reconcileQuarantine(lake, table);
    let restores: QuarantineInfo | undefined;
    const q = await lake.current(quarantineTableOf(table));
    if (q) {
      const then = await quarantineAt(lake, ctx, table, to);
      if (then) {
        restores = { ...then, rows: then.fileRows.reduce((a, b) => a + b, 0), whole: true };
        quarantine = { rowsBefore: q.rowCount, rowsAfter: restores.rows };
      } else {
        warnings.push(`${quarantineTableOf(table)} keeps its current lines: vacuum removed the versions that said what it held at v${to}`);
      }
    }
    records = await ingestRecordsAt(lake, table, to, prev.version);
    const changed = records.restored.length || records.forgotten.length;
    return {
      files: [...target.files],
      fileRows: [...target.fileRows],
      operation: "revert",
      // Its content comes from version `to`: lineage walks there, not through the versions it undoes.
      parents: [{ table, version: to }],
      info: {
        revertedTo: to, revertedFrom: from, actor, ...(opts.reason ? { reason: opts.reason.slice(0, 2000) } : {}),
        ...(restores ? { quarantine: restores } : {}), ...(changed ? { ingestRecords: records } : {}),
      },
      afterCommit: () => reconcileQuarantine(lake, table),
    };
  });
  const m = manifest!;
  return {
    table, from, to, version: m.version, rowsBefore, rowsAfter: m.rowCount, contentHash: m.contentHash, actor,
    ...(quarantine ? { quarantine } : {}),
    records: { restored: records.restored.length, forgotten: records.forgotten.length },
    ...(warnings.length ? { warnings } : {}),
  };
}
