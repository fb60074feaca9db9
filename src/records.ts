// The small typed records that flow between the stages of the loop (see DESIGN.md).
// Stage folders exchange only these; none imports another stage's internals.

/** A column type as Millrace sees it (DuckDB types are mapped onto these). */
export type FieldType = "number" | "integer" | "boolean" | "string" | "timestamp";

export interface ColumnSchema {
  name: string;
  /** The engine's own type name, e.g. DOUBLE, VARCHAR, BIGINT. */
  type: string;
  nullable: boolean;
}

/** A pinned version of a lake table. */
export interface TableRef {
  table: string; // "<layer>.<name>", e.g. "bronze.customers"
  version: number;
}

export interface TableVersion extends TableRef {
  /** Parquet files of this version, relative to the lake root. */
  files: string[];
  rowCount: number;
  schema: ColumnSchema[];
  /** Hash over the data files' contents: equal hashes mean equal data. */
  contentHash: string;
  parents: TableRef[];
  /** append | overwrite | merge | ... */
  operation: string;
  createdAt: string;
  /** Extra facts of the commit (source files, quarantined rows, ...). */
  info?: Record<string, unknown>;
}

/** Column-oriented in-memory data handed from the lake to features/learn. */
export type Column =
  | { name: string; kind: "numeric"; values: Float64Array } // NaN = missing
  | { name: string; kind: "categorical"; values: (string | null)[] };

export interface Frame {
  rowCount: number;
  columns: Column[];
}

export type Task = "binary" | "multiclass" | "regression";

export interface SplitSpec {
  /** hash: each row's side is a function of its identity and the seed (stable as the table grows);
   *  holdout: positional, seeded (datasets recorded before the hash split). */
  kind: "hash" | "holdout";
  testFraction: number;
  seed: number;
  stratify: boolean;
  /** hash splits: what identifies a row, and the CV folds drawn from the same identity. */
  identity?: { kind: "key" | "content"; columns: string[] };
  folds?: number;
}

/** What a model was trained on: a table version pinned by content hash, and the split. */
export interface Dataset {
  id: string;
  table: TableRef;
  contentHash: string;
  features: string[];
  target: string;
  task: Task;
  /** For binary tasks: the label that counts as positive. */
  positive?: string;
  split: SplitSpec & { trainRows: number; testRows: number };
  /** Default feature columns that look constant or like identifiers (said aloud, still features), with why. */
  flagged?: { column: string; reason: string; detail: string }[];
  createdAt: string;
}

export type RunStatus = "running" | "finished" | "failed";

export interface MetricPoint {
  key: string;
  value: number;
  step: number;
  at: string;
}

export interface Run {
  id: string;
  experiment: string;
  name: string;
  status: RunStatus;
  params: Record<string, unknown>;
  /** Latest value per metric key. */
  metrics: Record<string, number>;
  tags: Record<string, string>;
  artifacts: string[];
  datasetId: string | null;
  parentRunId: string | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  error?: string | null;
  notes?: string | null;
}

/** One input field of a model signature. */
export interface FieldSpec {
  name: string;
  type: FieldType;
  nullable: boolean;
  /** Known categories of a string field, seen in training. */
  categories?: string[];
  /** When true, a category not in `categories` is rejected at serving time. */
  strict?: boolean;
  /** Numeric fields: the smallest and largest value seen in training (serving flags values outside them). */
  min?: number;
  max?: number;
}

export interface Signature {
  inputs: FieldSpec[];
  output: { task: Task; classes?: string[]; positive?: string };
}

export interface ModelVersion {
  name: string;
  version: number;
  runId: string;
  datasetId: string;
  datasetHash: string;
  artifactUri: string;
  signature: Signature;
  metrics: Record<string, number>;
  aliases: string[];
  createdAt: string;
  description?: string;
  /** Archived versions keep their artifact and lineage but cannot take an alias. */
  archived?: boolean;
  /** One real input record from training, for docs, tests and the curl line. */
  inputExample?: Record<string, unknown>;
}

/** MLflow's stage view, derived from aliases and the archived flag. */
export type Stage = "None" | "Staging" | "Production" | "Archived";

export interface ModelVersionRef {
  name: string;
  version: number;
}

/** The answer for one record. */
export interface PredictionOutput {
  /** Predicted class label (classification). */
  label?: string;
  /** Probability per class label (classification). */
  probabilities?: Record<string, number>;
  /** Predicted value (regression). */
  value?: number;
}

/** Where an answer came from: stamped on every served response. */
export interface Provenance {
  model: string;
  version: number;
  alias: string | null;
  runId: string;
  datasetId: string;
  datasetHash: string;
  artifactUri: string;
}

export interface Prediction {
  id: string;
  model: string;
  version: number;
  alias: string | null;
  inputs: Record<string, unknown>;
  output: PredictionOutput;
  latencyMs: number;
  at: string;
}

/** One answered /predict request, as the serving layer hands it to the prediction log (one line per request). */
export interface AnsweredRequest {
  model: string;
  version: number;
  alias: string | null;
  at: string;
  latencyMs: number;
  ids: string[];
  records: Record<string, unknown>[];
  outputs: PredictionOutput[];
  /** The request body as received (`{"records":[...]}`, validated; nullable fields may be absent = null). */
  requestJson?: string;
  /** The response body as sent (`{"predictions":[...],"provenance":{...},"ids":[...]}`). */
  responseJson?: string;
}

export type LineageKind = "derived_from" | "trained_on" | "produced" | "registered_from" | "ingested_from";

/** An edge between any two records, named "<kind>:<id>", e.g. "table:silver.customers@3". */
export interface LineageEdge {
  from: string;
  to: string;
  kind: LineageKind;
}

/** A model that can answer records: what the serving layer needs, and nothing more. */
export interface Predictor {
  readonly signature: Signature;
  predictRecords(records: ReadonlyArray<Record<string, unknown>>): PredictionOutput[];
}

export const ids = {
  table: (ref: TableRef) => `table:${ref.table}@${ref.version}`,
  dataset: (id: string) => `dataset:${id}`,
  run: (id: string) => `run:${id}`,
  model: (ref: ModelVersionRef) => `model:${ref.name}@${ref.version}`,
  file: (path: string, hash: string) => `file:${path}#${hash}`,
};
