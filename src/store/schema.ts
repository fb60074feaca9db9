// The metadata schema, written once with Kysely's schema builder so SQLite and PostgreSQL get the same tables.
import { Kysely, Migrator, sql, type Migration, type MigrationProvider } from "#kysely";
import { orchestration } from "./migrations/0005-orchestration.js";
import { annotations } from "./migrations/0006-annotations.js";

/** Row types as stored. JSON values are TEXT in both dialects; times are ISO-8601 TEXT so they sort as text. */
export interface MetaTables {
  runs: {
    id: string;
    experiment: string;
    name: string;
    status: string;
    params: string;
    tags: string;
    dataset_id: string | null;
    parent_run_id: string | null;
    started_at: string;
    ended_at: string | null;
    duration_ms: number | null;
    error: string | null;
    notes: string | null;
    /** The process that wrote a running record (for marking it failed once that process is gone). */
    owner_pid: number | null;
    owner_host: string | null;
    owner_started: string | null;
  };
  run_metrics: { run_id: string; key: string; value: number; step: number; at: string };
  /** Latest value per run and key, kept on write so sorting 10k+ runs by a metric is one indexed join. */
  run_latest_metrics: { run_id: string; key: string; value: number; step: number };
  run_artifacts: { run_id: string; uri: string };
  datasets: {
    id: string;
    table_name: string;
    table_version: number;
    content_hash: string;
    features: string;
    target: string;
    task: string;
    positive: string | null;
    split: string;
    /** JSON: default feature columns that look constant or like identifiers, with why; null: none. */
    flagged: string | null;
    created_at: string;
  };
  model_versions: {
    name: string;
    version: number;
    run_id: string;
    dataset_id: string;
    dataset_hash: string;
    artifact_uri: string;
    signature: string;
    metrics: string;
    description: string | null;
    created_at: string;
    archived: number;
    input_example: string | null;
  };
  model_aliases: { name: string; alias: string; version: number; updated_at: string };
  alias_transitions: {
    id: string;
    name: string;
    alias: string;
    from_version: number | null;
    to_version: number | null;
    actor: string;
    reason: string;
    at: string;
  };
  archive_transitions: {
    id: string;
    name: string;
    version: number;
    seq: number;
    archived: number;
    actor: string;
    reason: string;
    at: string;
  };
  lineage: { from_id: string; to_id: string; kind: string; at: string };
  pipeline_runs: {
    id: string;
    project: string;
    status: string;
    started_at: string;
    ended_at: string | null;
    summary: string | null;
    error: string | null;
    owner_pid: number | null;
    owner_host: string | null;
    owner_started: string | null;
    trigger_kind: string | null;
  };
  schedule_ticks: {
    project: string;
    pipeline: string;
    due_at: string;
    run_id: string;
    status: string;
    claimed_by: string;
    claimed_at: string;
    ended_at: string | null;
    error: string | null;
  };
}

const initial: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("experiment", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("params", "text", (c) => c.notNull())
      .addColumn("tags", "text", (c) => c.notNull())
      .addColumn("dataset_id", "text")
      .addColumn("parent_run_id", "text")
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("ended_at", "text")
      .addColumn("duration_ms", "double precision")
      .addColumn("error", "text")
      .execute();
    await db.schema.createIndex("runs_experiment").on("runs").columns(["experiment", "started_at"]).execute();
    await db.schema.createIndex("runs_parent").on("runs").column("parent_run_id").execute();
    await db.schema
      .createTable("run_metrics")
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("value", "double precision", (c) => c.notNull())
      .addColumn("step", "integer", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("run_metrics_run_key").on("run_metrics").columns(["run_id", "key", "step"]).execute();
    await db.schema
      .createTable("run_latest_metrics")
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("value", "double precision", (c) => c.notNull())
      .addColumn("step", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("run_latest_metrics_pk", ["run_id", "key"])
      .execute();
    await db.schema.createIndex("run_latest_metrics_key_value").on("run_latest_metrics").columns(["key", "value"]).execute();
    await db.schema
      .createTable("run_artifacts")
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("uri", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("run_artifacts_pk", ["run_id", "uri"])
      .execute();
    await db.schema
      .createTable("datasets")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("table_name", "text", (c) => c.notNull())
      .addColumn("table_version", "integer", (c) => c.notNull())
      .addColumn("content_hash", "text", (c) => c.notNull())
      .addColumn("features", "text", (c) => c.notNull())
      .addColumn("target", "text", (c) => c.notNull())
      .addColumn("task", "text", (c) => c.notNull())
      .addColumn("positive", "text")
      .addColumn("split", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("model_versions")
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("dataset_id", "text", (c) => c.notNull())
      .addColumn("dataset_hash", "text", (c) => c.notNull())
      .addColumn("artifact_uri", "text", (c) => c.notNull())
      .addColumn("signature", "text", (c) => c.notNull())
      .addColumn("metrics", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("model_versions_pk", ["name", "version"])
      .execute();
    await db.schema
      .createTable("model_aliases")
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("alias", "text", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("model_aliases_pk", ["name", "alias"])
      .execute();
    await db.schema
      .createTable("alias_transitions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("alias", "text", (c) => c.notNull())
      .addColumn("from_version", "integer")
      .addColumn("to_version", "integer")
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("alias_transitions_name").on("alias_transitions").columns(["name", "at"]).execute();
    await db.schema
      .createTable("lineage")
      .addColumn("from_id", "text", (c) => c.notNull())
      .addColumn("to_id", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("lineage_pk", ["from_id", "to_id", "kind"])
      .execute();
    await db.schema.createIndex("lineage_to").on("lineage").column("to_id").execute();
    await db.schema
      .createTable("pipeline_runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("project", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("ended_at", "text")
      .addColumn("summary", "text")
      .execute();
  },
};

/** Registry and tracking depth: archived versions (the stage view), input examples, run notes. */
const registryDepth: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable("model_versions").addColumn("archived", "integer", (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable("model_versions").addColumn("input_example", "text").execute();
    await db.schema.alterTable("runs").addColumn("notes", "text").execute();
    await db.schema.createIndex("model_versions_run").on("model_versions").column("run_id").execute();
  },
};

/** The owning process of running records (pid, host, start time), so a killed run can be marked failed; pipeline run errors. */
const runOwner: Migration = {
  async up(db: Kysely<any>) {
    for (const table of ["runs", "pipeline_runs"]) {
      await db.schema.alterTable(table).addColumn("owner_pid", "integer").execute();
      await db.schema.alterTable(table).addColumn("owner_host", "text").execute();
      await db.schema.alterTable(table).addColumn("owner_started", "text").execute();
    }
    await db.schema.alterTable("pipeline_runs").addColumn("error", "text").execute();
    await db.schema.createIndex("runs_status").on("runs").column("status").execute();
    await db.schema.createIndex("pipeline_runs_status").on("pipeline_runs").column("status").execute();
  },
};

/** Schedules: what triggered a pipeline run, and one row per claimed due time of a schedule (its key is the claim). */
const schedules: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable("pipeline_runs").addColumn("trigger_kind", "text").execute();
    await db.schema
      .createTable("schedule_ticks")
      .addColumn("project", "text", (c) => c.notNull())
      .addColumn("pipeline", "text", (c) => c.notNull())
      .addColumn("due_at", "text", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("claimed_by", "text", (c) => c.notNull())
      .addColumn("claimed_at", "text", (c) => c.notNull())
      .addColumn("ended_at", "text")
      .addColumn("error", "text")
      .addPrimaryKeyConstraint("schedule_ticks_pk", ["project", "pipeline", "due_at"])
      .execute();
  },
};

/** Archiving and restoring a model version is audited like an alias move: who, when, why. */
const archiveAudit: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("archive_transitions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("version", "integer", (c) => c.notNull())
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("archived", "integer", (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .execute();
    // seq orders one version's transitions (two within a millisecond share `at`); unique, so concurrent writers cannot tie.
    await db.schema.createIndex("archive_transitions_seq").unique().on("archive_transitions").columns(["name", "version", "seq"]).execute();
  },
};

/** Datasets record the default feature columns that look constant or like identifiers, and why. */
const datasetFlagged: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable("datasets").addColumn("flagged", "text").execute();
  },
};

const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_registry_depth": registryDepth,
  "0003_run_owner": runOwner,
  "0004_schedules": schedules,
  "0005_orchestration": orchestration,
  "0005_archive_audit": archiveAudit,
  "0006_annotations": annotations,
  "0007_dataset_flagged": datasetFlagged,
};

class InlineMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

/** Bring a database up to the current schema. Safe to call from several processes (Kysely locks). */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<void> {
  // Every command opens the store: a database that recorded exactly these migrations needs no Migrator (its pass costs
  // ~12 ms of CPU on a first open with SQLite; on PostgreSQL a transaction holding an advisory lock, several round trips).
  if (await recordsExactly(db, schema)) return;
  const migrator = new Migrator({
    db,
    provider: new InlineMigrations(),
    migrationTableName: "millrace_migrations",
    migrationLockTableName: "millrace_migrations_lock",
    // Without a schema Kysely finds its tables in any schema of the database, and another project's would do.
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`metadata schema migration ${failed} failed: ${(error as Error).message ?? error}`);
  }
}

/** True when the migrations table names exactly the migrations above; false for a new, older or newer database. */
async function recordsExactly(db: Kysely<any>, schema?: string): Promise<boolean> {
  let rows: { name: string }[];
  try {
    rows = await (schema ? db.withSchema(schema) : db).selectFrom("millrace_migrations").select("name").execute();
  } catch {
    return false; // no migrations table yet
  }
  const names = Object.keys(migrations);
  const recorded = new Set(rows.map((r) => r.name));
  return recorded.size === names.length && names.every((n) => recorded.has(n));
}

export { sql };
