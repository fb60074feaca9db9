// The run summary: what a pipeline run did, in records a person (or --json) can read.
import type { CheckReport } from "../quality/checks.js";
import type { AutoCandidateSummary } from "./outputs.js";
import type { Dataset, TableVersion } from "../records.js";
import type { GateComparison } from "../registry/gate.js";
import type { TriggerKind } from "../store/metadata-store.js";

export interface IngestSummary {
  table: string;
  version: number;
  filesIngested: { path: string; rows: number; badRows: number; error?: string }[];
  filesSkipped: number;
  rowsIn: number;
  rowsOut: number;
  rowsBad: number;
  /** Said aloud: a file whose rows were all quarantined, a column that vanished or appeared (`run --strict` fails on them). */
  warnings?: string[];
  /** Keyed sources: rows inserted, updated, deleted and unchanged in the table's current rows. */
  changes?: { inserted: number; updated: number; deleted: number; unchanged: number };
}

export interface TableSummary {
  table: string;
  version: number;
  rows: number;
  reused: boolean;
  contentHash: string;
  /** Rows a row-level rule moved to <table>__quarantine while building this version (rows in = rows + this). */
  quarantined: number;
}

export interface CandidateSummary {
  candidate: string;
  model: string;
  runId: string;
  cv: Record<string, number>;
  test: Record<string, number>;
  /** Wall seconds of all its training (the run's train_seconds): CV folds, search trials, final fit; not test scoring. */
  trainSeconds: number;
  /** The final fit on every train row alone (final_fit_seconds). */
  finalFitSeconds?: number;
  /** The CV folds, when CV ran outside a search (cv_seconds). */
  cvSeconds?: number;
  /** A search's trials (search_seconds). */
  searchSeconds?: number;
  /** finalFitSeconds under its first name, kept for scripts that read it. */
  fitSeconds?: number;
  /** model auto: the learner it chose and every candidate it tried (each a child run of runId). */
  auto?: { chosen: string; chosenModel: string; metric: string; candidates: AutoCandidateSummary[] };
}

export interface ModelSummary {
  name: string;
  version: number;
  candidate: string;
  alias: string;
  promoted: boolean;
  reason: string;
  checks: { name: string; passed: boolean; detail: string }[];
  /** Champion vs challenger on test rows neither trained on: row count, both scores, bootstrap interval of the difference. */
  comparison?: GateComparison;
  /** This run finished the gate of a version an interrupted run had registered. */
  resumed?: boolean;
}

export interface PipelineSummary {
  project: string;
  pipelineRunId: string;
  /** The pipeline, when not the default one (the whole DAG). */
  pipeline?: string;
  /** The partition the run built (a partitioned pipeline). */
  partition?: string;
  /** What started the run: manual, schedule, file, alert, … */
  trigger?: TriggerKind;
  status: "succeeded" | "failed" | "cancelled";
  startedAt: string;
  durationMs: number;
  /** The metric candidates are ranked and gated by. */
  metric: string;
  ingest: IngestSummary[];
  tables: TableSummary[];
  checks: Pick<CheckReport, "table" | "errors" | "warnings" | "passed" | "results">[];
  dataset?: { id: string; table: string; version: number; contentHash: string; rows: number; trainRows: number; testRows: number; features: string[]; flagged?: Dataset["flagged"]; splitBy: string };
  /** Why training did or did not happen. */
  training: { trained: boolean; reason: string };
  candidates: CandidateSummary[];
  model?: ModelSummary;
  /** Every task of the DAG with its state, duration, note and dependencies (the graph as it ran). */
  /** Each task's state; `worker` names the `millrace worker` (host:pid) that ran it (execution.executor: bullmq). */
  tasks: Record<string, { state: string; kind?: string; ms?: number; note?: string; worker?: string; deps?: string[] }>;
  failure?: { task: string; code: string; message: string; hint?: string; details?: unknown };
  /** The deploy task's smoke test of the served version, and the rollback when it failed. */
  deployment?: { model?: string; alias?: string; version?: number; url?: string; smoke: "passed" | "failed"; latencyMs?: number; rolledBackTo?: number };
  /** Pipeline alerts this run raised (pipeline_alerts: in millrace.yaml), sent to their webhook / log / metric. */
  alerts?: { rule: string; kind: string; message: string }[];
  /** Run records a killed process had left "running", marked failed when this run started. */
  staleRuns?: { kind: "run" | "pipeline_run"; id: string; reason: string }[];
}

export function tableSummary(v: TableVersion, reused: boolean, quarantined = 0): TableSummary {
  return { table: v.table, version: v.version, rows: v.rowCount, reused, contentHash: v.contentHash, quarantined };
}
