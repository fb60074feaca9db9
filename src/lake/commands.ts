// Plain functions behind the CLI's lake commands (tables, history, query, vacuum, lineage, diff, profile):
// each returns JSON-able records, so `--json` prints them as they are and people get a table made from them.
import { NotFoundError, ValidationError } from "../errors.js";
import type { TableRef } from "../records.js";
import { diffVersions, type TableDiff } from "./diff.js";
import type { Lake } from "./lake.js";
import { lineageEdges, tableLineage, type LineageNode } from "./lineage.js";
import { profileVersion, type TableProfile } from "./profile.js";
import { vacuum, type VacuumReport } from "./vacuum.js";

export interface TableSummary {
  table: string;
  version: number;
  rowCount: number;
  columns: number;
  operation: string;
  createdAt: string;
  contentHash: string;
}

export interface HistoryEntry {
  version: number;
  operation: string;
  rowCount: number;
  createdAt: string;
  parents: string[];
  contentHash: string;
  /** Rows in, out and quarantined, when the commit counted them. */
  rowsIn?: number;
  rowsQuarantined?: number;
  sourceFiles?: number;
  /** Undo and replacement audit: who, why, how many rows left, and what happened in a few words. */
  actor?: string;
  reason?: string;
  rowsRemoved?: number;
  note?: string;
}

/** A few words on an undo or replacement version, from what its manifest recorded. */
function noteOf(operation: string, info: Record<string, unknown>): string | undefined {
  if (operation === "revert") return `content of v${info.revertedTo} (was v${info.revertedFrom})`;
  if (operation === "forget") return `without ${(info.forgotten as { file?: string } | undefined)?.file ?? "a file"}`;
  if (operation === "replace") return `re-saved: ${((info.replaced ?? []) as { file: string }[]).map((r) => r.file).join(", ")}`;
  return undefined;
}

/** Parses "bronze.customers@3" (or "bronze.customers", meaning the current version when `current` is given). */
export function parseTableRef(text: string, current?: (table: string) => number | null): TableRef {
  const m = /^([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)(?:@(\d+))?$/.exec(text.trim());
  if (!m) throw new ValidationError(`"${text}" is not a table reference`, { hint: "write <layer>.<name>@<version>, e.g. silver.customers@3" });
  if (m[2] !== undefined) return { table: m[1], version: Number(m[2]) };
  const v = current?.(m[1]);
  if (!v) throw new ValidationError(`"${text}" names no version`, { hint: `add @<version>, see: millrace history ${m[1]}` });
  return { table: m[1], version: v };
}

export async function listLakeTables(lake: Pick<Lake, "tables">): Promise<TableSummary[]> {
  return (await lake.tables()).map((t) => ({
    table: t.table, version: t.version, rowCount: t.rowCount, columns: t.schema.length, operation: t.operation, createdAt: t.createdAt, contentHash: t.contentHash,
  }));
}

export async function tableHistory(lake: Lake, table: string): Promise<HistoryEntry[]> {
  const versions = await lake.history(table);
  if (!versions.length) throw new NotFoundError(`table ${table} has no versions`, { path: table, hint: "list the tables with: millrace tables" });
  return versions.map((v) => {
    const info = v.info ?? {};
    const e: HistoryEntry = {
      version: v.version, operation: v.operation, rowCount: v.rowCount, createdAt: v.createdAt,
      parents: v.parents.map((p) => `${p.table}@${p.version}`), contentHash: v.contentHash,
    };
    if (typeof info.rowsIn === "number") e.rowsIn = info.rowsIn;
    if (typeof info.rowsQuarantined === "number") e.rowsQuarantined = info.rowsQuarantined;
    if (Array.isArray(info.sourceFiles)) e.sourceFiles = info.sourceFiles.length;
    if (typeof info.actor === "string") e.actor = info.actor;
    if (typeof info.reason === "string") e.reason = info.reason;
    if (typeof info.rowsRemoved === "number") e.rowsRemoved = info.rowsRemoved;
    const note = noteOf(v.operation, info);
    if (note) e.note = note;
    return e;
  });
}

export function queryLake(lake: Lake, sql: string): Promise<Record<string, unknown>[]> {
  return lake.query(sql);
}

export function vacuumLake(lake: Lake, opts: { table?: string; keep: number; protectedVersions?: TableRef[]; dryRun?: boolean }): Promise<VacuumReport[]> {
  return vacuum(lake, opts.table, opts);
}

export function lineageOf(lake: Lake, ref: TableRef): { tree: LineageNode; edges: ReturnType<typeof lineageEdges> } {
  const tree = tableLineage(lake, ref);
  return { tree, edges: lineageEdges(tree) };
}

export function diffTable(lake: Lake, table: string, from: number, to: number, key?: string[]): Promise<TableDiff> {
  return diffVersions(lake, table, from, to, key ? { key } : {});
}

export function profileOf(lake: Lake, ref: TableRef): Promise<TableProfile> {
  return profileVersion(lake, ref);
}

export type { TableDiff, LineageNode, TableProfile, VacuumReport };
