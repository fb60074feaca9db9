// Undo for a table: makes an earlier version current again as a new version with the same files (so the same
// content hash), keeping the history; who did it and why are kept in the manifest.
import { NotFoundError, ValidationError } from "../errors.js";
import { actorOf } from "./ingest.js";
import type { Lake } from "./lake.js";
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
}

export async function revertTable(lake: Lake, table: string, to: number, opts: { actor?: string; reason?: string } = {}): Promise<RevertResult> {
  if (!Number.isInteger(to) || to < 1) throw new ValidationError(`--to must be a version number, got ${to}`, { path: "to", hint: `see: millrace history ${table}` });
  if (!(await lake.current(table))) throw new NotFoundError(`table ${table} does not exist`, { path: table, hint: "list the tables with: millrace tables" });
  const actor = actorOf(opts.actor);
  let from = 0;
  let rowsBefore = 0;
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
    return {
      files: [...target.files],
      fileRows: [...target.fileRows],
      operation: "revert",
      // Its content comes from version `to`: lineage walks there, not through the versions it undoes.
      parents: [{ table, version: to }],
      info: { revertedTo: to, revertedFrom: from, actor, ...(opts.reason ? { reason: opts.reason.slice(0, 2000) } : {}) },
    };
  });
  const m = manifest!;
  return { table, from, to, version: m.version, rowsBefore, rowsAfter: m.rowCount, contentHash: m.contentHash, actor };
}
