// Whether a process of this host still runs: the check every lock and stale-record sweep makes, written once.

/** True when a process with this pid exists here (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
