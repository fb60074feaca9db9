// Named points where a test can kill this process (MILLRACE_FAILPOINT=<name>): crash tests hit an exact window
// (say, between registering a version and gating it) instead of guessing it by timing.

/** Kills the process with SIGKILL when MILLRACE_FAILPOINT names this point; otherwise does nothing. */
export function failpoint(name: string): void {
  if (process.env.MILLRACE_FAILPOINT === name) process.kill(process.pid, "SIGKILL");
}
