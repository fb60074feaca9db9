// A per-table writer lock across processes: a lock file created exclusively, reclaimed when its owner died; the
// new holder first sweeps away what a killed writer of the table left behind.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { MillraceError } from "../errors.js";
import { isQuarantineTable, quarantineTableOf } from "./quarantine.js";
import { sweepOrphans } from "./scratch.js";
import { currentVersion, tableDir } from "./table-log.js";

export class TableLockedError extends MillraceError {
  constructor(table: string, owner: string) {
    super("table_locked", `table ${table} is being written by another process (${owner})`, {
      hint: "wait for that run to finish; a lock left by a killed process is reclaimed automatically",
    });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryAcquire(file: string): boolean {
  try {
    const fd = fs.openSync(file, "wx");
    fs.writeSync(fd, JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
    fs.closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

/** How long a lock file may stay empty or torn before it counts as left by a writer killed while creating it. */
export const TORN_LOCK_MS = 2_000;

/** Removes the lock if its owner process is gone; renaming first makes two reclaimers safe. */
function reclaimIfStale(file: string): { owner: string; reclaimed: boolean } {
  const r = reclaim(file);
  return typeof r === "string" ? { owner: r, reclaimed: false } : r;
}

function reclaim(file: string): string | { owner: string; reclaimed: true } {
  let owner = "unknown";
  try {
    const info = JSON.parse(fs.readFileSync(file, "utf8")) as { pid: number };
    owner = `pid ${info.pid}`;
    if (alive(info.pid)) return owner;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return owner;
    // A lock file being written right now reads as empty or torn JSON: held, unless it has stayed that way for
    // longer than any write of a few bytes takes (its creator died between create and write).
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st || Date.now() - st.mtimeMs < TORN_LOCK_MS) return owner;
    owner = "an empty lock file";
  }
  const grave = `${file}.stale-${randomBytes(4).toString("hex")}`;
  try {
    fs.renameSync(file, grave);
    fs.rmSync(grave, { force: true });
  } catch {
    return owner; // someone else reclaimed it first (and sweeps after it)
  }
  return { owner, reclaimed: true };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LockOptions {
  timeoutMs?: number;
  /** Sweep a killed writer's leftovers before fn (default true; vacuum reports them itself instead). */
  sweep?: boolean;
}

/** Runs fn while holding the table's writer lock; two writers of one table never interleave. */
export async function withTableLock<T>(root: string, table: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const dir = tableDir(root, table);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "_lock");
  const deadline = Date.now() + timeoutMs;
  let wait = 5;
  let reclaimed = false;
  while (!tryAcquire(file)) {
    const r = reclaimIfStale(file);
    reclaimed ||= r.reclaimed;
    if (Date.now() > deadline) throw new TableLockedError(table, r.owner);
    await sleep(wait);
    wait = Math.min(wait * 2, 100);
  }
  try {
    // Quarantine files carry their main table's version numbers and are written under its lock: swept from there.
    // Uncommitted data files exist only if a writer died holding the lock, i.e. when this one reclaimed it;
    // scratch files may also come from a writer that died waiting, so their (small) folder is always looked at.
    if (opts.sweep !== false && !isQuarantineTable(table)) {
      sweepOrphans(root, [table, quarantineTableOf(table)], currentVersion(root, table), { dataFiles: reclaimed });
    }
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
