// Marks "running" training and pipeline runs as failed once the process that owned them is gone (a killed command).
import type { Kysely } from "#kysely";
import { ownerGone, type ProcessOwner } from "./process-owner.js";
import type { MetaTables } from "./schema.js";

export interface StaleRun {
  kind: "run" | "pipeline_run";
  id: string;
  pid: number;
  host: string;
  /** What the record now says: "process N on HOST ended without finishing". */
  reason: string;
}

/** The owner columns of a record written with `status`: only a running record names its process. */
export function ownerColumns(status: string, owner: ProcessOwner): { owner_pid: number | null; owner_host: string | null; owner_started: string | null } {
  return status === "running"
    ? { owner_pid: owner.pid, owner_host: owner.host, owner_started: owner.started }
    : { owner_pid: null, owner_host: null, owner_started: null };
}

export async function reapStaleRuns(db: Kysely<MetaTables>): Promise<StaleRun[]> {
  const out: StaleRun[] = [];
  for (const kind of ["run", "pipeline_run"] as const) {
    const table = kind === "run" ? "runs" : "pipeline_runs";
    // Records of older versions have no owner: nothing says whose they were, so they are left alone.
    const rows = await db
      .selectFrom(table)
      .select(["id", "owner_pid", "owner_host", "owner_started"])
      .where("status", "=", "running")
      .where("owner_pid", "is not", null)
      .execute();
    for (const r of rows) {
      const owner = { pid: Number(r.owner_pid), host: String(r.owner_host), started: r.owner_started };
      if (!ownerGone(owner)) continue;
      const reason = `process ${owner.pid} on ${owner.host} ended without finishing`;
      const endedAt = new Date().toISOString();
      // Still "running" in the same update: a record another reaper (or a late finish) already closed stays as it is.
      const res = await db.updateTable(table).set({ status: "failed", ended_at: endedAt, error: reason }).where("id", "=", r.id).where("status", "=", "running").executeTakeFirst();
      if (Number(res.numUpdatedRows) > 0) out.push({ kind, id: r.id, pid: owner.pid, host: owner.host, reason });
    }
  }
  return out;
}
