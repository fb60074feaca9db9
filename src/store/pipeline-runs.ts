// Pipeline run records in SQL: one row per `millrace run`, its summary as JSON, its owner while it runs.
import { sql, type Kysely } from "#kysely";
import type { PipelineRunRecord, TriggerKind } from "./metadata-store.js";
import { currentOwner } from "./process-owner.js";
import type { MetaTables } from "./schema.js";
import { ownerColumns } from "./stale-runs.js";

type Row = MetaTables["pipeline_runs"];

function toRecord(r: Row): PipelineRunRecord {
  return {
    id: r.id,
    project: r.project,
    status: r.status as PipelineRunRecord["status"],
    startedAt: r.started_at,
    endedAt: r.ended_at,
    summary: r.summary === null ? null : JSON.parse(r.summary),
    ...(r.trigger_kind ? { trigger: r.trigger_kind as TriggerKind } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}

export async function savePipelineRun(db: Kysely<MetaTables>, run: PipelineRunRecord): Promise<void> {
  const summary = run.summary === undefined ? null : JSON.stringify(run.summary);
  const error = run.error ?? null;
  const row: Row = { id: run.id, project: run.project, status: run.status, started_at: run.startedAt, ended_at: run.endedAt, summary, error, trigger_kind: run.trigger ?? null, ...ownerColumns(run.status, currentOwner()) };
  // The placement columns come with migration 0005 (typed in orchestration.ts).
  const placed = run.placement ? { ...row, pipeline: run.placement.pipeline, partition_key: run.placement.partition } : row;
  await db
    .insertInto("pipeline_runs")
    .values(placed as Row)
    // The owner stays as first written: it says which process ran the record, whatever wrote it last.
    .onConflict((oc) => oc.column("id").doUpdateSet({ status: run.status, ended_at: run.endedAt, summary, error: sql`coalesce(${error}, pipeline_runs.error)` }))
    .execute();
}

export async function listPipelineRuns(db: Kysely<MetaTables>, project?: string, limit = 20): Promise<PipelineRunRecord[]> {
  let q = db.selectFrom("pipeline_runs").selectAll();
  if (project !== undefined) q = q.where("project", "=", project);
  return (await q.orderBy("started_at", "desc").limit(limit).execute()).map(toRecord);
}

export async function getPipelineRun(db: Kysely<MetaTables>, idOrPrefix: string): Promise<PipelineRunRecord | null> {
  const rows = await db
    .selectFrom("pipeline_runs")
    .selectAll()
    .where((eb) => eb.or([eb("id", "=", idOrPrefix), eb("id", "like", `${idOrPrefix.replace(/[%_\\]/g, "")}%`)]))
    .limit(2)
    .execute();
  const exact = rows.find((r) => r.id === idOrPrefix);
  const r = exact ?? (rows.length === 1 ? rows[0] : undefined);
  return r ? toRecord(r) : null;
}
