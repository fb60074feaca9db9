// Which checks a table's current version last passed: a fingerprint of its rules (and the versions of the tables its
// relationship rules read), so a run that reuses the version re-runs the checks only when they changed.
import fs from "node:fs";
import path from "node:path";
import { sha256Text } from "../../lake/hash.js";
import type { QualityRule } from "../../quality/checks.js";
import type { TableRef } from "../../records.js";

/** The fingerprint of a table's rules as they will be run now. */
export function checksFingerprint(rules: QualityRule[], versionOf?: (table: string) => TableRef | undefined): string {
  const targets = rules.flatMap((r) => (r.rule === "relationships" ? [`${r.to}@${versionOf?.(r.to)?.version ?? "current"}`] : []));
  return sha256Text("checks/v1", JSON.stringify(rules), targets.join(","));
}

function recordFile(stateDir: string, table: string): string {
  return path.join(stateDir, "checked", `${table.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`);
}

/** True when `version` of `table` passed exactly these checks (same fingerprint) when it was last checked. */
export function passedWith(stateDir: string, table: string, version: number, fingerprint: string): boolean {
  try {
    const rec = JSON.parse(fs.readFileSync(recordFile(stateDir, table), "utf8")) as { version?: unknown; fingerprint?: unknown };
    return rec.version === version && rec.fingerprint === fingerprint;
  } catch {
    return false; // no record (first run with this code, or a fresh state folder): check again
  }
}

/** Records that `version` of `table` passed the checks with this fingerprint (written atomically by rename). */
export function recordPassed(stateDir: string, table: string, version: number, fingerprint: string): void {
  const file = recordFile(stateDir, table);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ version, fingerprint, at: new Date().toISOString() }));
  fs.renameSync(tmp, file);
}
