// Commits quarantine tables from what main-table manifests recorded, so a crash between the main commit and the
// quarantine commit is repaired by the next write (the main manifest is the source of truth).
import fs from "node:fs";
import path from "node:path";
import { withoutSourceRows } from "./file-rows.js";
import type { TableStore, WriteContext } from "./table-store.js";
import { quarantineTableOf, type QuarantineInfo } from "./quarantine.js";
import { currentVersion, tableDir, type Manifest } from "./table-log.js";

export { quarantineTableOf };

/** "Every main version up to N has its quarantine committed": a hint, so a write need not re-read every manifest. */
const hintFile = (lake: TableStore, table: string) => path.join(tableDir(lake.root, table), "_quarantine_checked.json");

function readHint(lake: TableStore, table: string): number {
  try {
    return Number(JSON.parse(fs.readFileSync(hintFile(lake, table), "utf8")).version) || 0;
  } catch {
    return 0; // none yet, or torn: check from the start
  }
}

function writeHint(lake: TableStore, table: string, version: number): void {
  const file = hintFile(lake, table);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify({ version }));
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true }); // only a hint: the next write checks again
  }
}

/** Main versions (after, upTo], skipping any that vacuum removed. */
function mainVersions(lake: TableStore, table: string, after: number, upTo: number): Manifest[] {
  const out: Manifest[] = [];
  for (let v = after + 1; v <= upTo; v++) {
    try {
      out.push(lake.manifest({ table, version: v }));
    } catch {
      // removed by vacuum: nothing left to reconcile there
    }
  }
  return out;
}

/**
 * The source files whose earlier rows a version took out of the table: forgotten, or re-saved and read again
 * (replaced). Their quarantine lines leave with them, before the version's own set-aside rows come in.
 */
function droppedLabels(m: Manifest): string[] {
  if (m.operation === "forget") return (m.info?.forgotten as { labels?: string[] } | undefined)?.labels ?? [];
  const replaced = m.info?.replaced;
  if (!Array.isArray(replaced)) return [];
  return (replaced as { file?: string; labels?: string[] }[]).flatMap((r) => r.labels ?? (typeof r.file === "string" ? [r.file] : []));
}

/** A revert names the whole quarantine of the version it went back to (empty or not). */
const restoresWhole = (m: Manifest) => m.operation === "revert" && Boolean((m.info?.quarantine as QuarantineInfo | undefined)?.whole);

export const needsQuarantine = (m: Manifest) =>
  Boolean((m.info?.quarantine as QuarantineInfo | undefined)?.files.length) || m.operation === "overwrite" || restoresWhole(m) || droppedLabels(m).length > 0;

export interface QuarantineFiles {
  files: string[];
  fileRows: number[];
}

/**
 * The quarantine after main version `m`, from the quarantine before it: a full rebuild (overwrite) or a revert starts
 * it over, a forgotten or re-read file's earlier lines leave, then the lines the version set aside come in.
 */
export async function quarantineAfter(lake: TableStore, ctx: WriteContext, before: QuarantineFiles, m: Manifest): Promise<QuarantineFiles> {
  const qi = m.info?.quarantine as QuarantineInfo | undefined;
  let { files, fileRows } = m.operation === "overwrite" || restoresWhole(m) ? { files: [], fileRows: [] } : { files: [...before.files], fileRows: [...before.fileRows] };
  const dropped = droppedLabels(m);
  if (dropped.length) ({ files, fileRows } = await withoutSourceRows(lake, ctx, { files, fileRows }, dropped, "source_file"));
  return qi?.files.length ? { files: [...files, ...qi.files], fileRows: [...fileRows, ...qi.fileRows] } : { files, fileRows };
}

/**
 * Brings `<table>__quarantine` up to date with `table`'s manifests: appended tables accumulate their set-aside rows,
 * a table rebuilt in full (overwrite) has as quarantine exactly the rows its latest build set aside, a revert has the
 * quarantine of the version it went back to, and a forgotten or re-read source file's earlier rows leave it (a new
 * version: earlier ones keep them for time travel).
 * Does nothing for a table that never quarantined a row.
 */
export async function reconcileQuarantine(lake: TableStore, table: string): Promise<void> {
  const upTo = currentVersion(lake.root, table);
  const checked = readHint(lake, table);
  if (checked >= upTo) return;
  const q = await lake.current(quarantineTableOf(table));
  const covered = Math.max(Number(q?.info?.coversVersion ?? 0), checked);
  if (!mainVersions(lake, table, covered, upTo).some(needsQuarantine)) {
    writeHint(lake, table, upTo);
    return;
  }
  await lake.writeVersion(quarantineTableOf(table), async (ctx) => {
    const from = Number(ctx.prev?.info?.coversVersion ?? 0);
    const pending = mainVersions(lake, table, from, currentVersion(lake.root, table));
    // A full rebuild (overwrite) or a revert replaces the quarantine; appends, merges and the like add to it.
    if (!pending.some(needsQuarantine)) return null;
    let q: QuarantineFiles = { files: ctx.prev?.files ?? [], fileRows: ctx.prev?.fileRows ?? [] };
    for (const m of pending) q = await quarantineAfter(lake, ctx, q, m);
    const { files, fileRows } = q;
    const last = pending[pending.length - 1].version;
    if (ctx.prev && files.join("\n") === ctx.prev.files.join("\n")) return null;
    // A forget in a table that never quarantined a row starts no quarantine table.
    if (!ctx.prev && !files.length && !pending.some((m) => m.operation === "overwrite")) return null;
    return {
      files,
      fileRows,
      operation: "quarantine",
      parents: [{ table, version: last }],
      info: { coversVersion: last },
    };
  });
  writeHint(lake, table, upTo);
}
