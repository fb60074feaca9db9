// Orchestration: which pipeline (and partition) a run belongs to and whether it was asked to stop; per-task run
// logs; asset versions claimed by asset-triggered pipelines; pool slots; the state of each partition.
import type { Kysely, Migration } from "#kysely";

export const orchestration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable("pipeline_runs").addColumn("pipeline", "text").execute();
    await db.schema.alterTable("pipeline_runs").addColumn("partition_key", "text").execute();
    await db.schema.alterTable("pipeline_runs").addColumn("cancel_requested_at", "text").execute();
    await db.schema.createIndex("pipeline_runs_pipeline").on("pipeline_runs").columns(["project", "pipeline", "status"]).execute();
    await db.schema
      .createTable("pipeline_task_logs")
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("line", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("pipeline_task_logs_pk", ["run_id", "seq"])
      .execute();
    await db.schema
      .createTable("asset_triggers")
      .addColumn("project", "text", (c) => c.notNull())
      .addColumn("pipeline", "text", (c) => c.notNull())
      .addColumn("asset", "text", (c) => c.notNull())
      .addColumn("version", "text", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("claimed_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("asset_triggers_pk", ["project", "pipeline", "asset", "version"])
      .execute();
    await db.schema
      .createTable("pool_slots")
      .addColumn("pool", "text", (c) => c.notNull())
      .addColumn("slot", "integer", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("taken_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("pool_slots_pk", ["pool", "slot"])
      .execute();
    await db.schema
      .createTable("pipeline_partitions")
      .addColumn("project", "text", (c) => c.notNull())
      .addColumn("pipeline", "text", (c) => c.notNull())
      .addColumn("partition_key", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("pipeline_partitions_pk", ["project", "pipeline", "partition_key"])
      .execute();
  },
};
