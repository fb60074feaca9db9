// A per-table writer lock across processes and hosts (lock-file.ts: owner pid + host, heartbeat), reclaimed when its
// holder is gone; the new holder first sweeps away what a killed writer of the table left behind.
import fs from "node:fs";
import path from "node:path";
import { MillraceError } from "../errors.js";
import { heartbeat, lockHolder, removeLock, tryCreateLock } from "./lock-file.js";
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

export { TORN_LOCK_MS } from "./lock-file.js";

/** Removes the lock if its holder is gone (see lock-file.ts). */
function reclaimIfStale(file: string): { owner: string; reclaimed: boolean } {
  const h = lockHolder(file);
  if (h.live || h.owner === "nobody") return { owner: h.owner, reclaimed: false };
  // Someone else may reclaim it first (and sweep after it): then this writer just tries again.
  return { owner: h.owner, reclaimed: removeLock(file) };
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
  while (!tryCreateLock(file)) {
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
    const stop = heartbeat(file);
    try {
      return await fn();
    } finally {
      stop();
    }
  } finally {
    fs.rmSync(file, { force: true });
  }
}
