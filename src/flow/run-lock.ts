// One pipeline run at a time per project: a lock file in the project's state folder, created exclusively and
// reclaimed when the process that holds it is gone. Two runs at once would register the same dataset twice.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MillraceError } from "../errors.js";

export class ProjectBusyError extends MillraceError {
  constructor(project: string, owner: RunLockOwner) {
    super("project_busy", `project ${project} is already running a pipeline (pid ${owner.pid} on ${owner.host}, since ${owner.at})`, {
      hint: "wait for that run to finish; a lock left by a killed run is reclaimed automatically",
    });
  }
}

interface RunLockOwner {
  pid: number;
  host: string;
  at: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The owner recorded in a lock file, or null when the lock is gone, torn, or held by a dead process on this host. */
function liveOwner(file: string): RunLockOwner | null {
  let owner: RunLockOwner;
  try {
    owner = JSON.parse(fs.readFileSync(file, "utf8")) as RunLockOwner;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    // Torn or empty: its writer died between creating and writing it, unless that happened just now.
    const st = fs.statSync(file, { throwIfNoEntry: false });
    return st && Date.now() - st.mtimeMs < 2_000 ? { pid: -1, host: "unknown", at: new Date(st.mtimeMs).toISOString() } : null;
  }
  // A lock from another host cannot be checked from here: it stands.
  if (owner.host !== os.hostname()) return owner;
  return alive(owner.pid) ? owner : null;
}

/** Runs fn holding the project's run lock; a second run gets ProjectBusyError at once instead of racing. */
export async function withRunLock<T>(stateDir: string, project: string, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, "run.lock");
  const me: RunLockOwner = { pid: process.pid, host: os.hostname(), at: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(file, "wx");
      fs.writeSync(fd, JSON.stringify(me));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = liveOwner(file);
      if (owner || attempt > 3) throw new ProjectBusyError(project, owner ?? { pid: -1, host: "unknown", at: "unknown" });
      // Stale: rename first so two reclaimers cannot both delete a fresh lock.
      const grave = `${file}.stale-${process.pid}-${attempt}`;
      try {
        fs.renameSync(file, grave);
        fs.rmSync(grave, { force: true });
      } catch {
        // someone else reclaimed it first
      }
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
