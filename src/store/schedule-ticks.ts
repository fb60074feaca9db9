// Schedule ticks in SQL: one row per (project, pipeline, due time), inserted before its run starts. The primary key
// is the claim, so schedulers on one store (SQLite file or PostgreSQL) never start the same tick twice.
import type { Kysely } from "#kysely";
import type { ScheduleTick } from "./metadata-store.js";
import type { MetaTables } from "./schema.js";

type Row = MetaTables["schedule_ticks"];

function toTick(r: Row): ScheduleTick {
  return {
    project: r.project,
    pipeline: r.pipeline,
    dueAt: r.due_at,
    runId: r.run_id,
    status: r.status as ScheduleTick["status"],
    claimedBy: r.claimed_by,
    claimedAt: r.claimed_at,
    endedAt: r.ended_at,
    ...(r.error ? { error: r.error } : {}),
  };
}

export async function claimScheduleTick(db: Kysely<MetaTables>, tick: Omit<ScheduleTick, "status" | "endedAt" | "error">): Promise<boolean> {
  // ON CONFLICT DO NOTHING rather than catching the violation: a failed statement would abort a PostgreSQL transaction.
  const res = await db
    .insertInto("schedule_ticks")
    .values({
      project: tick.project,
      pipeline: tick.pipeline,
      due_at: tick.dueAt,
      run_id: tick.runId,
      status: "running",
      claimed_by: tick.claimedBy,
      claimed_at: tick.claimedAt,
      ended_at: null,
      error: null,
    })
    .onConflict((oc) => oc.columns(["project", "pipeline", "due_at"]).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function finishScheduleTick(
  db: Kysely<MetaTables>,
  key: { project: string; pipeline: string; dueAt: string },
  outcome: { status: "succeeded" | "failed"; endedAt: string; error?: string },
): Promise<void> {
  await db
    .updateTable("schedule_ticks")
    .set({ status: outcome.status, ended_at: outcome.endedAt, error: outcome.error ?? null })
    .where("project", "=", key.project)
    .where("pipeline", "=", key.pipeline)
    .where("due_at", "=", key.dueAt)
    .execute();
}

export async function latestScheduleTick(db: Kysely<MetaTables>, project: string, pipeline: string): Promise<ScheduleTick | null> {
  const r = await db
    .selectFrom("schedule_ticks")
    .selectAll()
    .where("project", "=", project)
    .where("pipeline", "=", pipeline)
    .orderBy("due_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return r ? toTick(r) : null;
}

export async function listScheduleTicks(db: Kysely<MetaTables>, project: string, pipeline?: string, limit = 50): Promise<ScheduleTick[]> {
  let q = db.selectFrom("schedule_ticks").selectAll().where("project", "=", project);
  if (pipeline !== undefined) q = q.where("pipeline", "=", pipeline);
  return (await q.orderBy("due_at", "desc").limit(limit).execute()).map(toTick);
}
