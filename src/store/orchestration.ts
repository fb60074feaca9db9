// Orchestration records in SQL (migration 0005): a run's pipeline and partition, cancel requests, per-task logs,
// asset versions claimed by asset-triggered pipelines, pool slots and partition states. Every claim is a primary
// key, so schedulers and CLI processes sharing one store (SQLite file or PostgreSQL) never take the same one twice.
import { sql, type Kysely } from "#kysely";
import type { MetadataStore } from "./metadata-store.js";
import type { MetaTables } from "./schema.js";
import { SqlMetadataStore } from "./sql-metadata-store.js";

interface OrchestrationTables {
  pipeline_runs: MetaTables["pipeline_runs"] & { pipeline: string | null; partition_key: string | null; cancel_requested_at: string | null };
  pipeline_task_logs: { run_id: string; seq: number; task_id: string; at: string; line: string };
  asset_triggers: { project: string; pipeline: string; asset: string; version: string; run_id: string; claimed_at: string };
  pool_slots: { pool: string; slot: number; run_id: string; taken_at: string };
  pipeline_partitions: { project: string; pipeline: string; partition_key: string; status: string; run_id: string; updated_at: string };
}

type Db = Kysely<OrchestrationTables>;

export interface TaskLogLine {
  seq: number;
  taskId: string;
  at: string;
  line: string;
}

export interface PartitionState {
  partition: string;
  status: "running" | "succeeded" | "failed" | "cancelled";
  runId: string;
  updatedAt: string;
}

export interface RunPlacement {
  pipeline: string;
  partition: string | null;
  cancelRequestedAt: string | null;
}

const now = () => new Date().toISOString();
const inserted = (res: { numInsertedOrUpdatedRows?: bigint }) => Number(res.numInsertedOrUpdatedRows ?? 0) > 0;

export class OrchestrationStore {
  constructor(private readonly db: Db) {}

  /** Which pipeline (and partition) a run belongs to; written right after the run's record. */
  async placeRun(runId: string, pipeline: string, partition: string | null): Promise<void> {
    await this.db.updateTable("pipeline_runs").set({ pipeline, partition_key: partition }).where("id", "=", runId).execute();
  }

  async placement(runId: string): Promise<RunPlacement | null> {
    const r = await this.db.selectFrom("pipeline_runs").select(["pipeline", "partition_key", "cancel_requested_at"]).where("id", "=", runId).executeTakeFirst();
    return r ? { pipeline: r.pipeline ?? "default", partition: r.partition_key, cancelRequestedAt: r.cancel_requested_at } : null;
  }

  /** Runs of a pipeline still running (the default pipeline's runs recorded before 0005 have no pipeline). */
  async activeRuns(project: string, pipeline: string): Promise<string[]> {
    let q = this.db.selectFrom("pipeline_runs").select("id").where("project", "=", project).where("status", "=", "running");
    q = pipeline === "default" ? q.where((eb) => eb.or([eb("pipeline", "=", pipeline), eb("pipeline", "is", null)])) : q.where("pipeline", "=", pipeline);
    return (await q.execute()).map((r) => r.id);
  }

  /** The runs of one pipeline, newest first. */
  async runIds(project: string, pipeline: string, limit = 50): Promise<string[]> {
    let q = this.db.selectFrom("pipeline_runs").select("id").where("project", "=", project);
    q = pipeline === "default" ? q.where((eb) => eb.or([eb("pipeline", "=", pipeline), eb("pipeline", "is", null)])) : q.where("pipeline", "=", pipeline);
    return (await q.orderBy("started_at", "desc").limit(limit).execute()).map((r) => r.id);
  }

  /** Asks a running run to stop; false when it is not running (finished, or no such run). */
  async requestCancel(runId: string): Promise<boolean> {
    const res = await this.db.updateTable("pipeline_runs").set({ cancel_requested_at: now() }).where("id", "=", runId).where("status", "=", "running").executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async cancelRequested(runId: string): Promise<boolean> {
    const r = await this.db.selectFrom("pipeline_runs").select("cancel_requested_at").where("id", "=", runId).executeTakeFirst();
    return Boolean(r?.cancel_requested_at);
  }

  /** Appends log lines of a run's tasks; `seq` continues from the run's last line. */
  async appendLogs(runId: string, lines: { taskId: string; at: string; line: string }[]): Promise<void> {
    if (lines.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      const last = await tx.selectFrom("pipeline_task_logs").select(sql<number>`max(seq)`.as("seq")).where("run_id", "=", runId).executeTakeFirst();
      let seq = Number(last?.seq ?? 0);
      await tx
        .insertInto("pipeline_task_logs")
        .values(lines.map((l) => ({ run_id: runId, seq: ++seq, task_id: l.taskId, at: l.at, line: l.line.slice(0, 4000) })))
        .execute();
    });
  }

  async logs(runId: string, taskId?: string, afterSeq = 0): Promise<TaskLogLine[]> {
    let q = this.db.selectFrom("pipeline_task_logs").selectAll().where("run_id", "=", runId).where("seq", ">", afterSeq);
    if (taskId !== undefined) q = q.where("task_id", "=", taskId);
    return (await q.orderBy("seq").limit(10_000).execute()).map((r) => ({ seq: Number(r.seq), taskId: r.task_id, at: r.at, line: r.line }));
  }

  /** Claims one asset version for one pipeline; false when it was already claimed (its run started once). */
  async claimAsset(c: { project: string; pipeline: string; asset: string; version: string; runId: string }): Promise<boolean> {
    const res = await this.db
      .insertInto("asset_triggers")
      .values({ project: c.project, pipeline: c.pipeline, asset: c.asset, version: c.version, run_id: c.runId, claimed_at: now() })
      .onConflict((oc) => oc.columns(["project", "pipeline", "asset", "version"]).doNothing())
      .executeTakeFirst();
    return inserted(res);
  }

  async assetClaims(project: string, pipeline: string): Promise<{ asset: string; version: string; runId: string; claimedAt: string }[]> {
    const rows = await this.db.selectFrom("asset_triggers").selectAll().where("project", "=", project).where("pipeline", "=", pipeline).orderBy("claimed_at", "desc").limit(100).execute();
    return rows.map((r) => ({ asset: r.asset, version: r.version, runId: r.run_id, claimedAt: r.claimed_at }));
  }

  /**
   * Takes a free slot of `pool` (of `size`) for `runId`: a slot whose holder is no longer running is free.
   * Returns the slot, or null when all are held by running runs.
   */
  async takePoolSlot(pool: string, size: number, runId: string): Promise<number | null> {
    for (let slot = 0; slot < size; slot++) {
      const res = await this.db
        .insertInto("pool_slots")
        .values({ pool, slot, run_id: runId, taken_at: now() })
        .onConflict((oc) => oc.columns(["pool", "slot"]).doNothing())
        .executeTakeFirst();
      if (inserted(res)) return slot;
      // Held: free it if its run has ended (or was never recorded), then try to take it once.
      const holder = await this.db.selectFrom("pool_slots").select(["run_id", "taken_at"]).where("pool", "=", pool).where("slot", "=", slot).executeTakeFirst();
      if (!holder) continue;
      const run = await this.db.selectFrom("pipeline_runs").select("status").where("id", "=", holder.run_id).executeTakeFirst();
      // A slot is taken just before its run's record is written: a holder without a record is young, not gone.
      if (run ? run.status === "running" : Date.now() - Date.parse(holder.taken_at) < 300_000) continue;
      const del = await this.db.deleteFrom("pool_slots").where("pool", "=", pool).where("slot", "=", slot).where("run_id", "=", holder.run_id).executeTakeFirst();
      if (Number(del.numDeletedRows) === 0) continue;
      const again = await this.db
        .insertInto("pool_slots")
        .values({ pool, slot, run_id: runId, taken_at: now() })
        .onConflict((oc) => oc.columns(["pool", "slot"]).doNothing())
        .executeTakeFirst();
      if (inserted(again)) return slot;
    }
    return null;
  }

  /** How many slots of `pool` are held by running runs (what a scheduler asks before claiming a tick). */
  async poolSlotsInUse(pool: string): Promise<number> {
    const held = await this.db
      .selectFrom("pool_slots")
      .innerJoin("pipeline_runs", "pipeline_runs.id", "pool_slots.run_id")
      .select("pool_slots.slot")
      .where("pool_slots.pool", "=", pool)
      .where("pipeline_runs.status", "=", "running")
      .execute();
    return held.length;
  }

  async releasePoolSlots(runId: string): Promise<void> {
    await this.db.deleteFrom("pool_slots").where("run_id", "=", runId).execute();
  }

  /**
   * Claims a partition for a run: a partition never run, or whose last run failed or was cancelled, is taken;
   * one running or succeeded is not (false). Two backfills over the same range run each partition once.
   */
  async claimPartition(c: { project: string; pipeline: string; partition: string; runId: string }): Promise<boolean> {
    const at = now();
    const res = await this.db
      .insertInto("pipeline_partitions")
      .values({ project: c.project, pipeline: c.pipeline, partition_key: c.partition, status: "running", run_id: c.runId, updated_at: at })
      .onConflict((oc) =>
        oc
          .columns(["project", "pipeline", "partition_key"])
          .doUpdateSet({ status: "running", run_id: c.runId, updated_at: at })
          .where("pipeline_partitions.status", "in", ["failed", "cancelled"]),
      )
      .executeTakeFirst();
    return inserted(res);
  }

  async finishPartition(c: { project: string; pipeline: string; partition: string; runId: string; status: PartitionState["status"] }): Promise<void> {
    await this.db
      .updateTable("pipeline_partitions")
      .set({ status: c.status, updated_at: now() })
      .where("project", "=", c.project)
      .where("pipeline", "=", c.pipeline)
      .where("partition_key", "=", c.partition)
      .where("run_id", "=", c.runId)
      .execute();
  }

  async partitions(project: string, pipeline: string): Promise<PartitionState[]> {
    const rows = await this.db.selectFrom("pipeline_partitions").selectAll().where("project", "=", project).where("pipeline", "=", pipeline).orderBy("partition_key").execute();
    return rows.map((r) => ({ partition: r.partition_key, status: r.status as PartitionState["status"], runId: r.run_id, updatedAt: r.updated_at }));
  }
}

/** The orchestration records of an open metadata store (same connection, same transactions' isolation). */
export function orchestrationOf(meta: MetadataStore): OrchestrationStore {
  if (!(meta instanceof SqlMetadataStore)) throw new Error("orchestration records need the SQL metadata store");
  return new OrchestrationStore(meta.db as unknown as Db);
}
