// The quarantine a main table had when one of its versions was current, read back from the quarantine versions
// (each records the main version it covers) and the main manifests: what a revert to that version restores.
import type { TableStore, WriteContext } from "./table-store.js";
import { needsQuarantine, quarantineAfter, type QuarantineFiles } from "./quarantine-commit.js";
import { quarantineTableOf } from "./quarantine.js";
import { listVersionNumbers, tableDir, type Manifest } from "./table-log.js";

/**
 * `<table>__quarantine` as it stood when `table@at` was current, or null when that can no longer be known (vacuum
 * removed the versions it would be read from). Call it under `table`'s lock with `ctx` of a write of `table`:
 * lines of a forgotten file are taken out into new quarantine files (only when a crash left a quarantine commit
 * covering several main versions, so that `at` has no quarantine version of its own).
 */
export async function quarantineAt(lake: TableStore, ctx: WriteContext, table: string, at: number): Promise<QuarantineFiles | null> {
  const qt = quarantineTableOf(table);
  const versions = listVersionNumbers(tableDir(lake.root, qt)).map((version) => lake.manifest({ table: qt, version }));
  const covers = (v: Manifest) => Number(v.info?.coversVersion ?? Number.POSITIVE_INFINITY);
  // The newest quarantine version covering no main version after `at` (coversVersion grows with the versions).
  const base = versions.filter((v) => v.operation === "quarantine" && covers(v) <= at).pop();
  // Vacuum removes the oldest versions: without a base, the history must start at version 1 to start from empty.
  if (!base && versions.length && versions[0].version !== 1) return null;
  let q: QuarantineFiles = base ? { files: [...base.files], fileRows: [...base.fileRows] } : { files: [], fileRows: [] };
  const inQuarantine = { ...ctx, table: qt, newFile: () => ctx.newFile(qt) };
  for (let v = (base ? covers(base) : 0) + 1; v <= at; v++) {
    let m: Manifest;
    try {
      m = lake.manifest({ table, version: v });
    } catch {
      return null; // removed by vacuum: what it set aside is not known
    }
    if (needsQuarantine(m)) q = await quarantineAfter(lake, inQuarantine, q, m);
  }
  return q;
}
