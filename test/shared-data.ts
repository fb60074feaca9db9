// The workplace's shared data sets (../shared/data beside the checkout, or /work/shared/data when the checkout is a
// clone elsewhere, as CI's in /tmp): only tests and benchmarks read them, never src/. A user's clone has neither, so a
// test that needs one skips, saying why; under MILLRACE_REQUIRE_SERVICES=1 (CI) a missing file is a failure instead.
import fs from "node:fs";
import path from "node:path";

const places = (name: string) => [path.resolve(import.meta.dirname, "../../shared/data", name), path.join("/work/shared/data", name)];

/** The file's path, or null after saying why the test that needs it is skipped (throws in CI). */
export function sharedDataFile(name: string, what: string): string | null {
  const found = places(name).find((f) => fs.existsSync(f));
  if (found) return found;
  const reason = `skipping ${what}: ${name} is in neither ${places(name).join(" nor ")}`;
  if (process.env.MILLRACE_REQUIRE_SERVICES === "1") throw new Error(`${reason} (MILLRACE_REQUIRE_SERVICES=1: CI must run this test)`);
  console.warn(reason);
  return null;
}
