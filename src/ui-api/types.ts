// The JSON shapes the dashboard API answers with, for the server (src/ui-api) and the browser (ui/). Records the
// stages already define are re-exported, not copied, so the browser's type-check fails when one of them changes.
import type { AnnotationEdit } from "../store/annotation-edit.js";
import type { RunComparison } from "../app/run-compare.js";
import type { DriftReport } from "../monitor/drift-report.js";
import type { ColumnSchema, Dataset, FieldSpec, MetricPoint, ModelVersion, PredictionOutput, Provenance, Run, Signature, Stage } from "../records.js";
import type { GateCheck, GateComparison } from "../registry/gate.js";
import type { RangeFlag } from "../serve/ranges.js";
import type { OutputExplanation } from "../learn/explain/rows.js";
import type { HistoryEntry, TableSummary } from "../lake/commands.js";
import type { TableDiff } from "../lake/diff.js";
import type { ColumnProfile, TableProfile } from "../lake/profile.js";
import type { AliasTransition, ArchiveTransition } from "../store/metadata-store.js";

export type { ColumnSchema, Dataset, FieldSpec, GateCheck, GateComparison, MetricPoint, ModelVersion, OutputExplanation, PredictionOutput, Provenance, RangeFlag, Run, Signature, Stage };
export type AliasTransitionRow = AliasTransition;
export type ArchiveTransitionRow = ArchiveTransition;
export type ColumnProfileRow = ColumnProfile;
export type HistoryRow = HistoryEntry;
export type TableDiffResponse = TableDiff;
export type TableProfileResponse = TableProfile;
export type DriftColumn = DriftReport["columns"][number];

/** Every failed API call: a code, a message a person can act on, and often a hint (the command to run). */
export interface ApiError {
  error: string;
  message: string;
  hint?: string;
  path?: string | null;
}

export interface PipelineRunBrief {
  id: string;
  status: "running" | "succeeded" | "failed" | "cancelled";
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  tasks: { total: number; succeeded: number; failed: number; skipped: number };
  tables: { count: number; rows: number; reused: number };
  training: { trained: boolean; reason: string } | null;
  model: { name: string; version: number; alias: string; promoted: boolean; reason: string; candidate: string } | null;
  failure: { task: string; code: string; message: string; hint?: string } | null;
}

export interface DagNode {
  id: string;
  /** The task's kind, from its id prefix: ingest, transform, dataset, train, register, or task. */
  kind: string;
  /** pending | running | succeeded | failed | skipped, or "absent" for a task of the DAG this run did not record. */
  state: string;
  ms: number | null;
  note: string | null;
}

export interface PipelineRunDetail extends PipelineRunBrief {
  dag: { nodes: DagNode[]; edges: { from: string; to: string }[] };
  /** The run's full summary as `millrace run --json` printed it. */
  summary: Record<string, unknown>;
}

export interface OverviewResponse {
  project: { name: string; description: string | null; dir: string };
  model: {
    name: string;
    /** The alias `millrace serve` answers with. */
    alias: string;
    served: (ModelVersion & { stage: Stage }) | null;
    /** alias → version, over every version of the model. */
    aliases: Record<string, number>;
    versions: number;
  };
  latestPipeline: PipelineRunBrief | null;
  recentPipelines: PipelineRunBrief[];
  /** Tracked training runs, search trials included. */
  counts: { runs: number };
}

export interface RunsResponse {
  runs: Run[];
  /** True when more runs match than were returned (ask again with a larger offset). */
  hasMore: boolean;
  /** Metric keys of the returned runs, sorted, for the table's columns and the sort menu. */
  metricKeys: string[];
}

export interface RunDetail {
  run: Run;
  parent: Pick<Run, "id" | "name" | "status"> | null;
  dataset: Dataset | null;
  /** Search trials of this run (child runs), best first by the run's sort metric when known. */
  children: Run[];
  /** Per-fold series (`cv_<metric>`, a fold per step). */
  series: Record<string, MetricPoint[]>;
  /** Learning curves: metrics logged per boosting round or epoch (step), e.g. train_binary_logloss, valid_binary_logloss. */
  curves: Record<string, { step: number; value: number }[]>;
  /** Model versions registered from this run. */
  models: { name: string; version: number; aliases: string[]; stage: Stage }[];
}

/** GET /api/compare: the runs side by side, as app/run-compare.ts compares them for `runs compare` too. */
export type CompareResponse = RunComparison;

export interface ModelsResponse {
  /** The model of millrace.yaml and the alias it serves. */
  configured: { name: string; alias: string };
  /** modelKind: the learner (gbdt, logistic, ...) from the version's run, null when unknown or not looked up. */
  models: { name: string; versions: (ModelVersion & { stage: Stage; modelKind: string | null })[] }[];
}

export interface ModelVersionDetail {
  version: ModelVersion & { stage: Stage };
  run: Pick<Run, "id" | "name" | "status" | "startedAt" | "params" | "tags"> | null;
  dataset: Dataset | null;
  /** Alias moves to or from this version, newest first. */
  transitions: AliasTransitionRow[];
  /** Archivings and restorations of this version (who, why), newest first. */
  archive: ArchiveTransitionRow[];
  /** The promotion gate this version went through, when a pipeline registered it. */
  gate: GateRecord | null;
}

/** The gate's decision on a version (the `gate` / `gate_reason` tags of its run) and the checks the pipeline run recorded. */
export interface GateRecord {
  decision: "promoted" | "rejected";
  reason: string;
  /** The pipeline run whose summary holds the checks, when it is still recorded. */
  pipelineRunId: string | null;
  checks: GateCheck[] | null;
  comparison: GateComparison | null;
}

/** POST /api/models/{name}/{version|alias}/predict: the answer of exactly that version (nothing is logged). */
export interface PredictResponse {
  predictions: PredictionOutput[];
  /** alias is the one the request named, or null when it named a version number. */
  provenance: Provenance;
  /** Every alias the version holds now. */
  aliases: string[];
  /** Values outside what training saw (scored anyway), at most 100 listed; `flagged` counts them all. */
  flags: RangeFlag[];
  flagged: number;
  /** Time the model took, in milliseconds. */
  ms: number;
  /** Asked with `"explain": true`: per record and explained output, base + top-k contributions + rest = raw. */
  explanations?: OutputExplanation[][];
}

export type TableRow = TableSummary & { layer: string };

export interface TableDetail {
  table: string;
  current: { version: number; rowCount: number; schema: ColumnSchema[]; contentHash: string; operation: string; createdAt: string };
  history: HistoryRow[];
}

export interface TablePreview {
  table: string;
  version: number;
  columns: string[];
  rows: unknown[][];
  limit: number;
}

export type { LineageGraph, LineageGraphNode, LineageNodeKind } from "../app/lineage.js";

/** Shares per bin (numeric: equal width over both sides' range) or per category (most frequent first). */
export type Distribution =
  | { kind: "numeric"; edges: number[]; reference: number[]; current: number[] }
  | { kind: "categorical"; categories: string[]; reference: number[]; current: number[] };

export interface DriftResponse {
  model: string;
  version: number;
  alias: string | null;
  datasetId: string;
  /** The most recent logged predictions compared (monitor.window_rows unless ?limit= says otherwise). */
  window: number;
  skippedLogLines: number;
  /** False when fewer than monitor.min_rows predictions were compared: the statistics judge nothing yet. */
  enoughRows: boolean;
  minRows: number;
  /** The PSI band edges (low → moderate, moderate → high) the verdicts used. */
  psiBands: [number, number];
  report: DriftReport;
  /** Both sides' distributions per column, for the charts. */
  distributions: Record<string, Distribution | null>;
}

export type { BinaryEvaluation, EvaluationReport, RegressionEvaluation } from "../app/evaluation-report.js";

/** GET /api/metric-definitions: every metric the registry knows and which way is better. */
export interface MetricDefinitionsResponse {
  metrics: { name: string; higherIsBetter: boolean; tasks: string[] }[];
}

/** One file of a run's artifacts: its name within the run, the store's URI, its size, and the version it registered. */
export interface ArtifactFile {
  name: string;
  uri: string;
  /** Size in bytes; null when the run lists it but the store no longer holds it. */
  bytes: number | null;
  model: { name: string; version: number } | null;
}

export interface RunArtifactsResponse {
  runId: string;
  files: ArtifactFile[];
}

/** One window between two scrapes of the server's /metrics (rates and percentiles of the requests in it). */
export interface MonitoringPoint {
  at: string;
  requestsPerSecond: number;
  predictionsPerSecond: number;
  /** Share of the window's requests answered 5xx; null when there were none. */
  errorRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** A served (or counted) version: the server's counts for it, its prediction log on disk, and its drift. */
export interface VersionHealth {
  model: string;
  version: number;
  /** The roles the server answers with it (primary / canary / shadow) and the alias each follows. */
  roles: { role: string; alias: string | null }[];
  /** Records scored and /predict requests answered by it since the server started, with their latency percentiles. */
  predictions: number;
  requests: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Metrics over the latest labelled predictions (POST /feedback), their decay, and the test metrics of training. */
  liveMetrics: Record<string, number>;
  decay: Record<string, number>;
  trainingMetrics: Record<string, number>;
  outOfRange: number;
  log: { files: number; bytes: number; newest: string | null; dir: string };
  drift: { status: "drift" | "stable" | "no verdict" | "no traffic"; drifted: number; columns: number; rows: number; minRows: number; message: string | null };
}

export interface MonitoringResponse {
  /** From this server's own GET /metrics; null when it could not be read (servingError says why). */
  serving: {
    scrapedAt: string;
    requests: number;
    errors: number;
    clientErrors: number;
    p50Ms: number | null;
    p99Ms: number | null;
    logDropped: number;
    feedback: Record<string, number>;
    alerts: { rule: string; kind: string; model: string; count: number }[];
    /** Windows between the scrapes this server kept (one per second at most, the latest 300). */
    series: MonitoringPoint[];
  } | null;
  servingError: string | null;
  versions: VersionHealth[];
  registry: { model: string; alias: string; versions: number };
  predictionLog: string;
}

/** POST /models/{name}/versions/{version}/archive (the server's registry route): what changed. */
export type { ArchiveResult } from "../app/model-versions.js";

// Drift over time of one served version (drift-history.ts computes it).

/** The model's output on the held-out rows, as shares per bin (or class), and its mean where it has one. */
export interface PredictionReference {
  kind: "probability" | "value" | "class";
  /** Bin labels (score or value ranges) or class names. */
  bins: string[];
  /** Bin edges for probability and value (bins.length + 1 of them); class outputs have none. */
  edges: number[] | null;
  reference: number[];
  referenceMean: number | null;
  referenceRows: number;
}

export interface DriftWindow {
  from: string;
  to: string;
  rows: number;
  /** Below monitor.min_rows a window's statistics are drawn but judge nothing. */
  enoughRows: boolean;
  driftedColumns: number;
  datasetDrift: boolean;
  columns: Record<string, { psi: number | null; score: number | null; drifted: boolean; method: string }>;
  prediction: { shares: number[]; mean: number | null; psi: number | null } | null;
}

export interface DriftHistoryResponse {
  model: string;
  version: number;
  columns: string[];
  minRows: number;
  psiBands: [number, number];
  /** Logged predictions read (the newest, at most maxRows) and cut into `windows.length` windows, oldest first. */
  rowsRead: number;
  windows: DriftWindow[];
  prediction: PredictionReference | null;
  /** Why prediction drift is not shown (no evaluation, a recommender), when it is not. */
  predictionNote: string | null;
}

export type { AnnotationEdit } from "../store/annotation-edit.js";

/** POST /api/runs/{id}/annotations (and a version's): the audited edits it made (none when nothing changed). */
export interface AnnotationResult {
  target: string;
  edits: AnnotationEdit[];
}
