// Lock files shared by the table writer lock and the project's run lock: created exclusively, naming their owner
// (pid, host, time), kept fresh by a heartbeat. A lake folder may be shared between hosts, so a lock is judged stale
// by its pid on its own host, and by a heartbeat gone quiet on any other host.
import fs from "node:fs";
import os from "node:os";
import { randomBytes } from "node:crypto";
import { processAlive } from "../os-process.js";

export interface LockOwner {
  pid: number;
  host: string;
  at: string;
}

/** How long a lock file may stay empty or torn before it counts as left by a writer killed while creating it. */
export const TORN_LOCK_MS = 2_000;
/** The holder touches its lock this often... */
export const HEARTBEAT_MS = 5_000;
/** ...and a lock from another host whose heartbeat is older than this is stale (its host died or lost the share). */
export const HEARTBEAT_STALE_MS = 30_000;


/** Creates the lock file if none exists; true when this process now holds it. */
export function tryCreateLock(file: string): boolean {
  try {
    const fd = fs.openSync(file, "wx");
    const me: LockOwner = { pid: process.pid, host: os.hostname(), at: new Date().toISOString() };
    fs.writeSync(fd, JSON.stringify(me));
    fs.closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

/** Who holds a lock file and whether that holder is still there (gone: ENOENT, a dead pid here, a quiet heartbeat there). */
export function lockHolder(file: string): { owner: string; live: boolean; info: LockOwner | null } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { owner: "nobody", live: false, info: null };
    throw e;
  }
  const st = fs.statSync(file, { throwIfNoEntry: false });
  const age = st ? Date.now() - st.mtimeMs : Infinity;
  let info: LockOwner;
  try {
    info = JSON.parse(text) as LockOwner;
  } catch {
    // Being written right now reads as empty or torn: held, unless it stayed so longer than a write of a few bytes takes.
    return { owner: "an empty lock file", live: age < TORN_LOCK_MS, info: null };
  }
  const host = info.host ?? os.hostname(); // locks written before hosts were recorded came from this host
  const owner = `pid ${info.pid}${host === os.hostname() ? "" : ` on ${host}`}`;
  return { owner, live: host === os.hostname() ? processAlive(info.pid) : age < HEARTBEAT_STALE_MS, info: { ...info, host } };
}

/** Removes a stale lock; renaming first makes two reclaimers safe (only one rename succeeds). */
export function removeLock(file: string): boolean {
  const grave = `${file}.stale-${randomBytes(4).toString("hex")}`;
  try {
    fs.renameSync(file, grave);
    fs.rmSync(grave, { force: true });
    return true;
  } catch {
    return false;
  }
}

/** Touches the lock every HEARTBEAT_MS while held, so other hosts see its holder alive; returns the stop function. */
export function heartbeat(file: string, everyMs = HEARTBEAT_MS): () => void {
  const timer = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(file, now, now);
    } catch {
      // released or reclaimed meanwhile: nothing to keep fresh
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
