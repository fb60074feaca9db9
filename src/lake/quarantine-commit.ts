// Commits quarantine tables from what main-table manifests recorded, so a crash between the main commit and the
// quarantine commit is repaired by the next write (the main manifest is the source of truth).
import type { Lake } from "./lake.js";
import { quarantineTableOf, type QuarantineInfo } from "./quarantine.js";

export { quarantineTableOf };

/**
 * Brings `<table>__quarantine` up to date with `table`'s manifests: appended tables accumulate their set-aside rows,
 * a table rebuilt in full (overwrite) has as quarantine exactly the rows its latest build set aside.
 * Does nothing for a table that never quarantined a row.
 */
export async function reconcileQuarantine(lake: Lake, table: string): Promise<void> {
  const main = await lake.history(table);
  await lake.writeVersion(quarantineTableOf(table), async (ctx) => {
    const covered = Number(ctx.prev?.info?.coversVersion ?? 0);
    const pending = main.filter((m) => m.version > covered);
    // A full rebuild (overwrite) replaces the quarantine; appends, merges and the like add to it.
    if (!pending.some((m) => (m.info?.quarantine as QuarantineInfo | undefined)?.files.length || m.operation === "overwrite")) return null;
    let files = [...(ctx.prev?.files ?? [])];
    let fileRows = [...(ctx.prev?.fileRows ?? [])];
    for (const m of pending) {
      const q = m.info?.quarantine as QuarantineInfo | undefined;
      if (m.operation === "overwrite") {
        files = [];
        fileRows = [];
      }
      if (q?.files.length) {
        files.push(...q.files);
        fileRows.push(...q.fileRows);
      }
    }
    const upTo = pending[pending.length - 1].version;
    if (ctx.prev && files.join("\n") === ctx.prev.files.join("\n")) return null;
    return {
      files,
      fileRows,
      operation: "quarantine",
      parents: [{ table, version: upTo }],
      info: { coversVersion: upTo },
    };
  });
}
