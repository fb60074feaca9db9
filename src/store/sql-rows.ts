// Row ↔ record mapping for the SQL metadata store (JSON columns parsed, numbers normalised across dialects).
import type { Dataset, ModelVersion, Run } from "../records.js";
import type { AliasTransition } from "./metadata-store.js";
import type { MetaTables } from "./schema.js";

/** A run row without its owner columns, which the store fills from the writing process. */
export type RunRow = Omit<MetaTables["runs"], "owner_pid" | "owner_host" | "owner_started">;
export type VersionRow = MetaTables["model_versions"];

export function toRunRow(run: Run): RunRow {
  return {
    id: run.id,
    experiment: run.experiment,
    name: run.name,
    status: run.status,
    params: JSON.stringify(run.params),
    tags: JSON.stringify(run.tags),
    dataset_id: run.datasetId,
    parent_run_id: run.parentRunId,
    started_at: run.startedAt,
    ended_at: run.endedAt,
    duration_ms: run.durationMs,
    error: run.error ?? null,
    notes: run.notes ?? null,
  };
}

export function toModelVersion(r: VersionRow, aliases: string[]): ModelVersion {
  return {
    name: r.name,
    version: Number(r.version),
    runId: r.run_id,
    datasetId: r.dataset_id,
    datasetHash: r.dataset_hash,
    artifactUri: r.artifact_uri,
    signature: JSON.parse(r.signature),
    metrics: JSON.parse(r.metrics),
    aliases,
    createdAt: r.created_at,
    ...(r.description !== null ? { description: r.description } : {}),
    ...(Number(r.archived) ? { archived: true } : {}),
    ...(r.input_example !== null ? { inputExample: JSON.parse(r.input_example) } : {}),
  };
}

export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === "23505" || err?.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || /UNIQUE constraint/.test(err?.message ?? "");
}

export function toDatasetRow(d: Dataset): MetaTables["datasets"] {
  return {
    id: d.id,
    table_name: d.table.table,
    table_version: d.table.version,
    content_hash: d.contentHash,
    features: JSON.stringify(d.features),
    target: d.target,
    task: d.task,
    positive: d.positive ?? null,
    split: JSON.stringify(d.split),
    flagged: d.flagged?.length ? JSON.stringify(d.flagged) : null,
    created_at: d.createdAt,
  };
}

export function toDataset(r: MetaTables["datasets"]): Dataset {
  return {
    id: r.id,
    table: { table: r.table_name, version: Number(r.table_version) },
    contentHash: r.content_hash,
    features: JSON.parse(r.features),
    target: r.target,
    task: r.task as Dataset["task"],
    ...(r.positive !== null ? { positive: r.positive } : {}),
    split: JSON.parse(r.split),
    ...(r.flagged ? { flagged: JSON.parse(r.flagged) } : {}),
    createdAt: r.created_at,
  };
}

export function toAliasTransition(r: MetaTables["alias_transitions"]): AliasTransition {
  return {
    id: r.id,
    name: r.name,
    alias: r.alias,
    fromVersion: r.from_version === null ? null : Number(r.from_version),
    toVersion: r.to_version === null ? null : Number(r.to_version),
    actor: r.actor,
    reason: r.reason,
    at: r.at,
  };
}
