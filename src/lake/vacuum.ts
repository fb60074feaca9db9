// Retention: removes old table versions and the data files no kept version names, never the current version
// and never a version a registered model was trained on (protectedVersions, supplied from the registry).
import fs from "node:fs";
import path from "node:path";
import { NotFoundError, ValidationError } from "../errors.js";
import type { TableRef } from "../records.js";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import type { Lake } from "./lake.js";
import { reconcileQuarantine } from "./quarantine-commit.js";
import { isQuarantineTable, type QuarantineInfo } from "./quarantine.js";
import { currentVersion, listTables, listVersionNumbers, manifestPath, tableDir } from "./table-log.js";
import { withTableLock } from "./table-lock.js";

export interface VacuumOptions {
  /** How many of the newest versions to keep (at least 1). */
  keep: number;
  /** Versions that must survive whatever their age (e.g. every table version a registered model was trained on). */
  protectedVersions?: TableRef[];
  /** Report what would be removed without removing it. */
  dryRun?: boolean;
}

export interface VacuumReport {
  table: string;
  removedVersions: number[];
  keptVersions: number[];
  /** Kept only because they are protected. */
  protectedKept: number[];
  removedFiles: string[];
  bytesFreed: number;
  dryRun: boolean;
}

function vacuumOne(lake: Lake, table: string, opts: VacuumOptions): Promise<VacuumReport> {
  // A quarantine table's files are written under its main table's lock, so vacuum holds that one too.
  const main = isQuarantineTable(table) ? table.slice(0, -"__quarantine".length) : table;
  return withTableLock(lake.root, main, async () => {
    if (main !== table) await reconcileQuarantine(lake, main);
    return vacuumLocked(lake, table, main, opts);
  }, { sweep: false }); // a dry run must not remove anything; unnamed files are listed and removed below
}

async function vacuumLocked(lake: Lake, table: string, main: string, opts: VacuumOptions): Promise<VacuumReport> {
  const dir = tableDir(lake.root, table);
  const versions = listVersionNumbers(dir);
  const cur = currentVersion(lake.root, table);
  const protectedSet = new Set((opts.protectedVersions ?? []).filter((r) => r.table === table).map((r) => r.version));
  const newest = new Set(versions.slice(-opts.keep));
  newest.add(cur);
  const kept = versions.filter((v) => newest.has(v) || protectedSet.has(v));
  const removed = versions.filter((v) => !kept.includes(v));
  const report: VacuumReport = {
    table, removedVersions: removed, keptVersions: kept, protectedKept: kept.filter((v) => !newest.has(v)),
    removedFiles: [], bytesFreed: 0, dryRun: Boolean(opts.dryRun),
  };
  // Files still named by a kept version, or by a main-table manifest whose quarantine is not committed yet.
  const named = new Set<string>();
  for (const v of kept) for (const f of lake.manifest({ table, version: v }).files) named.add(f);
  if (main !== table) {
    for (const v of listVersionNumbers(tableDir(lake.root, main))) {
      const q = lake.manifest({ table: main, version: v }).info?.quarantine as QuarantineInfo | undefined;
      for (const f of q?.files ?? []) named.add(f);
    }
  }
  const dataDir = path.join(dir, "data");
  const onDisk = fs.existsSync(dataDir) ? fs.readdirSync(dataDir).map((n) => path.relative(lake.root, path.join(dataDir, n))) : [];
  const unnamed = onDisk.filter((f) => !named.has(f));
  for (const f of unnamed) report.bytesFreed += fs.statSync(path.join(lake.root, f)).size;
  report.removedFiles = unnamed;
  if (opts.dryRun) return report;
  // The ingest checkpoint is derived from manifests: fold the ones about to go into its cache first.
  if (removed.length && table === main) saveCheckpoint(lake.root, table, cur, loadCheckpoint(lake.root, table, cur), { force: true });
  for (const v of removed) {
    fs.rmSync(manifestPath(lake.root, { table, version: v }), { force: true });
    fs.rmSync(path.join(dir, "_profiles", `${v}.json`), { force: true });
    lake.forget({ table, version: v });
  }
  for (const f of unnamed) fs.rmSync(path.join(lake.root, f), { force: true });
  return report;
}

/** Vacuums one table, or every table of the lake when `table` is omitted. */
export async function vacuum(lake: Lake, table: string | undefined, opts: VacuumOptions): Promise<VacuumReport[]> {
  if (!Number.isInteger(opts.keep) || opts.keep < 1) {
    throw new ValidationError(`keep must be a whole number of versions of at least 1, got ${opts.keep}`, { path: "keep", hint: "e.g. --keep 5" });
  }
  if (table && !(await lake.current(table))) {
    throw new NotFoundError(`table ${table} does not exist`, { path: table, hint: "list the tables with: millrace tables" });
  }
  const tables = table ? [table] : listTables(lake.root);
  const out: VacuumReport[] = [];
  for (const t of tables) out.push(await vacuumOne(lake, t, opts));
  return out;
}
