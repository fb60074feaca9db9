// The on-disk log of a table's versions: manifests committed atomically, a current pointer, a writer lock.
//
// Layout under <lakeRoot>/tables/<layer>/<name>/:
//   data/<files>.parquet    data files (shared by the versions that list them)
//   _log/<version>.json     one manifest per version; its appearance IS the commit
//   _current.json           {"version": N}: a hint, rolled forward if a later manifest exists
//   _lock                   held by the one writer of this table (pid inside; stale if that pid is gone)
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { MillraceError, NotFoundError } from "../errors.js";
import type { TableRef, TableVersion } from "../records.js";
import { parseTableName } from "./sql.js";

/** What is stored per version: the shared record plus per-file facts the lake needs itself. */
export interface Manifest extends TableVersion {
  format: 1;
  /** Rows and sha256 of each file in `files`, same order. */
  fileRows: number[];
  fileHashes: string[];
  /** Set by materialize: equal keys mean the same inputs and SQL, so the version can be reused. */
  cacheKey?: string;
}

export class ConcurrentCommitError extends MillraceError {
  constructor(table: string, version: number) {
    super("concurrent_commit", `another writer committed ${table}@${version} first`, {
      hint: "retry the operation; writers of one table are serialized by its lock",
    });
  }
}

export function tableDir(root: string, table: string): string {
  const { layer, name } = parseTableName(table);
  return path.join(root, "tables", layer, name);
}

const manifestName = (version: number) => `${String(version).padStart(8, "0")}.json`;

export function manifestPath(root: string, ref: TableRef): string {
  return path.join(tableDir(root, ref.table), "_log", manifestName(ref.version));
}

/** Reads one version's manifest, or null when that version was never committed. */
export function readManifest(root: string, ref: TableRef): Manifest | null {
  try {
    return JSON.parse(fs.readFileSync(manifestPath(root, ref), "utf8")) as Manifest;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

export function requireManifest(root: string, ref: TableRef): Manifest {
  const m = readManifest(root, ref);
  if (!m) {
    throw new NotFoundError(`table version ${ref.table}@${ref.version} does not exist`, {
      path: `${ref.table}@${ref.version}`,
      hint: `list the versions with: millrace history ${ref.table}`,
    });
  }
  return m;
}

/** The current version number (0 = no version yet). */
export function currentVersion(root: string, table: string): number {
  const dir = tableDir(root, table);
  let version = 0;
  try {
    version = Number(JSON.parse(fs.readFileSync(path.join(dir, "_current.json"), "utf8")).version) || 0;
  } catch {
    version = 0; // no pointer yet (or a torn one from an old crash): the log below is the truth
  }
  // The manifest is the commit point; a crash after it but before the pointer moved is rolled forward here.
  while (fs.existsSync(path.join(dir, "_log", manifestName(version + 1)))) version++;
  if (version > 0 && !fs.existsSync(path.join(dir, "_log", manifestName(version)))) {
    // The pointer names a version whose manifest was removed (never by vacuum, which keeps the current one).
    return latestInLog(dir);
  }
  return version;
}

function latestInLog(dir: string): number {
  const versions = listVersionNumbers(dir);
  return versions.length ? versions[versions.length - 1] : 0;
}

export function listVersionNumbers(dir: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(dir, "_log"));
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d{8}\.json$/.test(n))
    .map((n) => Number(n.slice(0, 8)))
    .sort((a, b) => a - b);
}

/** Every table that has a log: "<layer>.<name>" sorted. */
export function listTables(root: string): string[] {
  const out: string[] = [];
  const base = path.join(root, "tables");
  for (const layer of safeReaddir(base)) {
    for (const name of safeReaddir(path.join(base, layer))) {
      if (fs.existsSync(path.join(base, layer, name, "_log"))) out.push(`${layer}.${name}`);
    }
  }
  return out.sort();
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

/** Writes a file so that readers see either the old content or the whole new content. */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = path.join(path.dirname(file), `.tmp-${randomBytes(6).toString("hex")}`);
  writeDurable(tmp, content);
  fs.renameSync(tmp, file);
}

function writeDurable(file: string, content: string): void {
  const fd = fs.openSync(file, "w");
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Flushes data files to disk before the manifest that names them is committed. */
export function syncFiles(root: string, files: string[]): void {
  for (const f of files) {
    const fd = fs.openSync(path.join(root, f), "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * Commits a manifest: written under a temporary name, then hard-linked to its final name, which fails if that
 * version exists (so two writers can never both commit version N), then the current pointer is moved.
 */
export function commitManifest(root: string, manifest: Manifest, hooks?: { beforeCommit?: () => void }): void {
  const dir = tableDir(root, manifest.table);
  const logDir = path.join(dir, "_log");
  fs.mkdirSync(logDir, { recursive: true });
  const tmp = path.join(logDir, `.tmp-${randomBytes(6).toString("hex")}`);
  writeDurable(tmp, JSON.stringify(manifest, null, 1));
  hooks?.beforeCommit?.();
  try {
    fs.linkSync(tmp, path.join(logDir, manifestName(manifest.version)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new ConcurrentCommitError(manifest.table, manifest.version);
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  writeFileAtomic(path.join(dir, "_current.json"), JSON.stringify({ version: manifest.version }));
}

/** A new data file name inside the table's data folder, relative to the lake root. */
export function newDataFile(root: string, table: string, version: number, index: number): string {
  const dir = tableDir(root, table);
  fs.mkdirSync(path.join(dir, "data"), { recursive: true });
  const rel = path.relative(root, path.join(dir, "data"));
  return path.join(rel, `v${version}-${randomBytes(4).toString("hex")}-${index}.parquet`);
}
