// A bench's scratch folder under the OS temp dir, removed when the process exits: serving benches write prediction
// logs at tens of MB/s, and folders left behind filled the disk (30 GB in one session).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made = [];
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(130));

/** mkdtemp under the OS temp dir with this prefix, removed at exit (KEEP_SCRATCH=1 keeps it). */
export function scratchDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (process.env.KEEP_SCRATCH !== "1") made.push(dir);
  return dir;
}
