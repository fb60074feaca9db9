// Table operations, written once for `millrace tables|history|diff|profile|query|vacuum` and the dashboard's tables
// pages: a reference resolved to a version that exists (or a NotFoundError saying which do), then the lake's answer.
import { NotFoundError } from "../errors.js";
import { diffTable, listLakeTables, parseTableRef, profileOf, queryLake, tableHistory, vacuumLake, type HistoryEntry, type TableSummary } from "../lake/commands.js";
import type { TableDiff } from "../lake/diff.js";
import type { Lake } from "../lake/lake.js";
import type { TableProfile } from "../lake/profile.js";
import type { VacuumReport } from "../lake/vacuum.js";
import type { ColumnSchema, TableRef, TableVersion } from "../records.js";
import type { MetadataStore } from "../store/metadata-store.js";

const LAYER_ORDER = ["bronze", "silver", "gold"];
const layerRank = (layer: string) => (LAYER_ORDER.includes(layer) ? LAYER_ORDER.indexOf(layer) : LAYER_ORDER.length);

/** Every table at its current version, bronze → silver → gold, then by name. */
export async function listTables(lake: Pick<Lake, "tables">): Promise<(TableSummary & { layer: string })[]> {
  const rows = (await listLakeTables(lake)).map((t) => ({ ...t, layer: t.table.split(".")[0] }));
  return rows.sort((a, b) => layerRank(a.layer) - layerRank(b.layer) || a.table.localeCompare(b.table));
}

export async function currentVersion(lake: Lake, table: string): Promise<TableVersion> {
  const cur = await lake.current(table);
  if (!cur) throw new NotFoundError(`no table ${table}`, { hint: "list the tables with: millrace tables (run the pipeline to build them)" });
  return cur;
}

/** Refuses a version the table does not have (never had, or vacuum removed), naming those it has. */
export async function requireVersion(lake: Lake, table: string, version: number): Promise<TableRef> {
  const versions = (await lake.history(table)).map((v) => v.version);
  if (!versions.includes(version)) throw new NotFoundError(`${table} has no version ${version}`, { hint: `versions: ${versions.join(", ") || "none"} (vacuum removes old ones)` });
  return { table, version };
}

/** `table@3`, or `table` meaning its current version. */
export async function resolveTableRef(lake: Lake, text: string): Promise<TableRef> {
  const name = text.split("@")[0];
  const current = text.includes("@") ? undefined : (await lake.current(name))?.version ?? null;
  return parseTableRef(text, () => current ?? null);
}

/** A table's current version (its schema and facts) and every version, newest first. */
export async function tableDetail(lake: Lake, table: string): Promise<{ table: string; current: Pick<TableVersion, "version" | "rowCount" | "contentHash" | "operation" | "createdAt"> & { schema: ColumnSchema[] }; history: HistoryEntry[] }> {
  const cur = await currentVersion(lake, table);
  return {
    table,
    current: { version: cur.version, rowCount: cur.rowCount, schema: cur.schema, contentHash: cur.contentHash, operation: cur.operation, createdAt: cur.createdAt },
    history: (await tableHistory(lake, table)).reverse(),
  };
}

export { tableHistory };

/** The profile of a version (default: the current one). */
export async function profileTable(lake: Lake, table: string, version?: number): Promise<TableProfile> {
  const v = version ?? (await currentVersion(lake, table)).version;
  return profileOf(lake, await requireVersion(lake, table, v));
}

/** The first `limit` rows of a version (default: the current one), as arrays in schema order. */
export async function previewTable(lake: Lake, table: string, version: number | undefined, limit: number): Promise<{ table: string; version: number; columns: string[]; rows: unknown[][]; limit: number }> {
  const ref = await requireVersion(lake, table, version ?? (await currentVersion(lake, table)).version);
  const rows = await lake.duck.rows(`SELECT * FROM ${lake.relation(ref)} LIMIT ${Math.max(0, Math.floor(limit))}`);
  const columns = (await lake.version(ref)).schema.map((s) => s.name);
  return { table, version: ref.version, columns, rows: rows.map((r) => columns.map((k) => r[k] ?? null)), limit };
}

/** Two versions compared (default: the current one against the one before); with `key`, rows added/removed/changed. */
export async function diffVersions(lake: Lake, table: string, opts: { from?: number; to?: number; key?: string[] } = {}): Promise<TableDiff> {
  const to = opts.to ?? (await currentVersion(lake, table)).version;
  const from = opts.from ?? Math.max(1, to - 1);
  await requireVersion(lake, table, from);
  await requireVersion(lake, table, to);
  return diffTable(lake, table, from, to, opts.key?.length ? opts.key : undefined);
}

export const queryTables = queryLake;

/** Removes old versions beyond `keep` per table, never one a registered model version was trained on. */
export async function vacuumTables(lake: Lake, meta: MetadataStore, opts: { table?: string; keep: number; dryRun?: boolean }): Promise<VacuumReport[]> {
  const protectedVersions: TableRef[] = [];
  for (const mv of await meta.listModelVersions()) {
    const ds = await meta.getDataset(mv.datasetId);
    if (ds) protectedVersions.push(ds.table);
  }
  return vacuumLake(lake, { keep: opts.keep, protectedVersions, dryRun: opts.dryRun === true, ...(opts.table ? { table: opts.table } : {}) });
}
