// Named points where a test can kill this process (MILLRACE_FAILPOINT=<name>): crash tests hit an exact window
// (say, between registering a version and gating it) instead of guessing it by timing. With
// MILLRACE_FAILPOINT_HANG=<dir> the process instead writes <dir>/<name>.<pid> and stops there, so a test can kill
// something else at that moment (a `millrace worker` whose sandboxed child is mid-task). With
// MILLRACE_FAILPOINT_PAUSE=<dir> it writes <dir>/<name>.<pid> and waits until the test deletes that file, then goes
// on: a test sees the run mid-task (the dashboard's live states) however fast the task is.
import fs from "node:fs";
import path from "node:path";

/** Kills (or stops) the process when MILLRACE_FAILPOINT names this point; otherwise does nothing. */
export function failpoint(name: string): void {
  if (process.env.MILLRACE_FAILPOINT !== name) return;
  const pause = process.env.MILLRACE_FAILPOINT_PAUSE;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  if (pause) {
    const marker = path.join(pause, `${name.replace(/[^A-Za-z0-9_.-]/g, "_")}.${process.pid}`);
    fs.writeFileSync(marker, "");
    while (fs.existsSync(marker)) Atomics.wait(cell, 0, 0, 50);
    return;
  }
  const hang = process.env.MILLRACE_FAILPOINT_HANG;
  if (!hang) process.kill(process.pid, "SIGKILL");
  fs.writeFileSync(path.join(hang!, `${name.replace(/[^A-Za-z0-9_.-]/g, "_")}.${process.pid}`), "");
  // Blocks this thread for good: nothing of the task runs past this point until the process is killed.
  for (;;) Atomics.wait(cell, 0, 0, 60_000);
}
