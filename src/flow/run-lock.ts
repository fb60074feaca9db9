// One pipeline run at a time per project: a lock file in the project's state folder (lock-file.ts: owner pid + host,
// heartbeat), reclaimed when its holder is gone. Two runs at once would register the same dataset twice.
import fs from "node:fs";
import path from "node:path";
import { MillraceError } from "../errors.js";
import { heartbeat, lockHolder, removeLock, tryCreateLock } from "../lake/lock-file.js";

export class ProjectBusyError extends MillraceError {
  constructor(project: string, owner: string, since: string) {
    super("project_busy", `project ${project} is already running a pipeline (${owner}, since ${since})`, {
      hint: "wait for that run to finish; a lock left by a killed run is reclaimed automatically",
    });
  }
}

/** Runs fn holding the project's run lock; a second run gets ProjectBusyError at once instead of racing. */
export async function withRunLock<T>(stateDir: string, project: string, fn: () => Promise<T>, name = ""): Promise<T> {
  fs.mkdirSync(stateDir, { recursive: true });
  // The default pipeline keeps the project's lock; a named pipeline (and partition) has its own.
  const file = path.join(stateDir, name ? `run-${name.replace(/[^A-Za-z0-9_@.-]/g, "_")}.lock` : "run.lock");
  for (let attempt = 0; !tryCreateLock(file); attempt++) {
    const h = lockHolder(file);
    if (h.live || attempt > 3) throw new ProjectBusyError(name ? `${project} (${name})` : project, h.owner, h.info?.at ?? "unknown");
    removeLock(file);
  }
  const stop = heartbeat(file);
  try {
    return await fn();
  } finally {
    stop();
    fs.rmSync(file, { force: true });
  }
}
