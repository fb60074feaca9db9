// The lake's tables at their current versions, read from the manifests alone: what `millrace tables` lists, without
// starting DuckDB (loading its native addon is ~0.3 s of CPU). The same files and rules as TableStore.tables().
import type { TableVersion } from "../records.js";
import { currentVersion, listTables, requireManifest } from "./table-log.js";

/** A read-only view of a lake folder (`root`, as Lake.open takes it) that answers tables() like the open Lake. */
export class LakeCatalog {
  constructor(readonly root: string) {}

  async tables(): Promise<TableVersion[]> {
    const out: TableVersion[] = [];
    for (const table of listTables(this.root)) {
      const version = currentVersion(this.root, table);
      if (version) out.push(requireManifest(this.root, { table, version }));
    }
    return out;
  }
}
