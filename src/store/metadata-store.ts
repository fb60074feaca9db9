// The metadata store interface: runs, datasets, model versions, aliases, lineage, pipeline runs.
// One interface, one SQL implementation (Kysely) that speaks SQLite and PostgreSQL.
import type { Dataset, LineageEdge, MetricPoint, ModelVersion, Run, RunStatus } from "../records.js";
import type { StaleRun } from "./stale-runs.js";

export type { StaleRun } from "./stale-runs.js";

export interface AliasTransition {
  id: string;
  name: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number | null;
  actor: string;
  reason: string;
  at: string;
}

/** A model version archived (archived: true) or restored from the archive, audited like an alias move. */
export interface ArchiveTransition {
  id: string;
  name: string;
  version: number;
  archived: boolean;
  actor: string;
  reason: string;
  at: string;
}

export interface RunQuery {
  experiment?: string;
  parentRunId?: string | null;
  status?: RunStatus;
  /** Only runs whose latest value of each metric satisfies the condition, e.g. { key: "roc_auc", op: ">", value: 0.8 }. */
  metricFilters?: { key: string; op: "<" | "<=" | "=" | ">=" | ">"; value: number }[];
  /** Sort by a metric's latest value (runs without it come last) or by start time (default, newest first). */
  sortByMetric?: string;
  order?: "asc" | "desc";
  limit?: number;
  offset?: number;
}

/** What started a pipeline run. */
export type TriggerKind = "manual" | "schedule" | "file" | "alert" | "asset" | "backfill";

export interface PipelineRunRecord {
  id: string;
  project: string;
  /** "cancelled": stopped by `millrace pipeline cancel` or its caller's signal (runs before 2026-12-05 say "failed"). */
  status: "running" | "succeeded" | "failed" | "cancelled";
  /** Absent on runs recorded before triggers were (they were started by hand or by `millrace watch`). */
  trigger?: TriggerKind;
  startedAt: string;
  endedAt: string | null;
  summary: unknown;
  /** Why a run failed without writing its summary (its process was killed, say). */
  error?: string | null;
  /** Its named pipeline and partition, written with the first record (one commit, not two); kept on later saves. */
  placement?: { pipeline: string; partition: string | null };
}

/**
 * One due time of a schedule, claimed by the scheduler that starts its run. The row is unique per
 * (project, pipeline, dueAt) and inserted before the run starts, so two schedulers never start a tick twice.
 */
export interface ScheduleTick {
  project: string;
  pipeline: string;
  /** The cron time this tick stands for (ISO-8601 UTC), not when it was started. */
  dueAt: string;
  runId: string;
  status: "running" | "succeeded" | "failed";
  /** The scheduler that claimed it: "pid@host". */
  claimedBy: string;
  claimedAt: string;
  endedAt: string | null;
  error?: string | null;
}

export type NewModelVersion = Omit<ModelVersion, "version" | "aliases" | "createdAt"> & { createdAt?: string };

export interface MetadataStore {
  readonly dialect: "sqlite" | "postgres";

  createRun(run: Run): Promise<void>;
  updateRun(id: string, patch: Partial<Pick<Run, "status" | "endedAt" | "durationMs" | "error" | "datasetId" | "notes">>): Promise<void>;
  mergeParams(runId: string, params: Record<string, unknown>): Promise<void>;
  mergeTags(runId: string, tags: Record<string, string>): Promise<void>;
  logMetrics(runId: string, points: MetricPoint[]): Promise<void>;
  addArtifact(runId: string, uri: string): Promise<void>;
  getRun(id: string): Promise<Run | null>;
  listRuns(query?: RunQuery): Promise<Run[]>;
  metricHistory(runId: string, key: string): Promise<MetricPoint[]>;
  countRuns(experiment?: string): Promise<number>;
  /** Hard delete: the run, its metrics, artifact records and lineage; returns the artifact URIs it held. */
  deleteRun(id: string): Promise<string[]>;
  /** Every artifact URI a run or model version still points at (for garbage collection). */
  referencedArtifacts(): Promise<Set<string>>;

  saveDataset(dataset: Dataset): Promise<void>;
  getDataset(id: string): Promise<Dataset | null>;

  /** Allocates the next version number of `name` atomically. */
  createModelVersion(mv: NewModelVersion): Promise<ModelVersion>;
  getModelVersion(name: string, version: number): Promise<ModelVersion | null>;
  /** Sets the archived flag and records the transition (who, why), in one transaction. */
  setArchived(name: string, version: number, archived: boolean, audit: { actor: string; reason: string }): Promise<ArchiveTransition>;
  /** Archive and restore transitions of a model (of one version), oldest first. */
  archiveTransitions(name: string, version?: number): Promise<ArchiveTransition[]>;
  listModelVersions(name?: string): Promise<ModelVersion[]>;

  getAlias(name: string, alias: string): Promise<number | null>;
  /** Points `alias` at `version` (null removes it) and records the transition, in one transaction. */
  moveAlias(name: string, alias: string, version: number | null, audit: { actor: string; reason: string }): Promise<AliasTransition>;
  aliasTransitions(name: string, alias?: string): Promise<AliasTransition[]>;

  addLineage(edges: LineageEdge[]): Promise<void>;
  /** Edges whose `to` is this id (what it was made from). */
  lineageInto(id: string): Promise<LineageEdge[]>;
  /** Edges whose `from` is this id (what was made from it). */
  lineageOutOf(id: string): Promise<LineageEdge[]>;

  savePipelineRun(run: PipelineRunRecord): Promise<void>;
  listPipelineRuns(project?: string, limit?: number): Promise<PipelineRunRecord[]>;
  /** A pipeline run by id or by an unambiguous id prefix. */
  getPipelineRun(idOrPrefix: string): Promise<PipelineRunRecord | null>;
  /**
   * Marks "running" training runs and pipeline runs failed, with the reason "process N on HOST ended without
   * finishing", when the process that wrote them ran on this host and is gone (pid not alive, or alive with another
   * start time). Records of other hosts and records without an owner are left alone. Returns what it marked.
   */
  reapStaleRuns(): Promise<StaleRun[]>;

  /** Inserts the tick's row; false (and nothing written) when another scheduler already claimed that due time. */
  claimScheduleTick(tick: Omit<ScheduleTick, "status" | "endedAt" | "error">): Promise<boolean>;
  finishScheduleTick(key: { project: string; pipeline: string; dueAt: string }, outcome: { status: "succeeded" | "failed"; endedAt: string; error?: string }): Promise<void>;
  /** The claimed tick with the latest due time: where a restarted scheduler picks up. */
  latestScheduleTick(project: string, pipeline: string): Promise<ScheduleTick | null>;
  /** Claimed ticks, latest due time first. */
  listScheduleTicks(project: string, pipeline?: string, limit?: number): Promise<ScheduleTick[]>;

  close(): Promise<void>;
}
