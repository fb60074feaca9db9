// The typed records pipeline tasks hand downstream (Dagster's typed outputs): a table version, a pinned dataset, a
// trained candidate, a promotion, a deployment check. Only stage records here, so steps, executors and task kinds
// can all name them without importing each other.
import type { IngestResult } from "../lake/lake.js";
import type { RowChanges } from "../lake/keyed-commit.js";
import type { TrainResult } from "../learn/train.js";
import type { CandidateConfig } from "../project/config.js";
import type { CheckReport } from "../quality/checks.js";
import type { Dataset, Frame, ModelVersion, TableVersion } from "../records.js";
import type { GateDecision } from "../registry/gate.js";
import type { TrainingSeconds } from "./training-seconds.js";

/** Every task that produces a table returns this, so dependents read the exact version they build on. */
export interface TableOutput {
  table: TableVersion;
  reused: boolean;
  /** `changes` is set for keyed sources: what the ingest did to the current rows. */
  ingest?: IngestResult & { changes?: RowChanges };
  checks?: CheckReport;
  /** Rows a row-level rule moved to <table>__quarantine while building this version. */
  rowsQuarantined?: number;
}

export interface DatasetOutput {
  dataset: Dataset;
  /** Features + target, in the dataset's fixed row order. */
  frame: Frame;
  train: Uint32Array;
  test: Uint32Array;
  /** Each row's identity hash (row-identity.ts): what the gate uses to tell rows a model trained on. */
  identities: Float64Array;
  /** CV fold of each row, drawn from its identity. */
  foldOf: Int32Array;
  /** Set when a model version was already trained on exactly this dataset and retraining is not forced. */
  alreadyTrainedBy: { name: string; version: number } | null;
  /** Why this run trains or not ("new dataset", "train config changed since v1: …", "dataset … and train config unchanged: …"). */
  trainingReason: string;
}

/** One learner auto tried, as the run summary shows it: its child run and how it fared. */
export interface AutoCandidateSummary {
  label: string;
  model: string;
  /** "scored", "skipped: budget", "not better" (a blend that lost), "failed". */
  state: string;
  cvMean: number | null;
  cvStd: number | null;
  seconds: number;
  runId: string;
}

export interface CandidateOutput {
  candidate: CandidateConfig;
  runId: string;
  result: TrainResult;
  bytes: Uint8Array;
  /** The run's model artifact. */
  artifactUri: string;
  /** What its training took (train_seconds and its parts; result.trainSeconds is the learner's final fit alone). */
  seconds: TrainingSeconds;
  /** model auto: the learner it chose and every candidate it tried, each a child run of runId. */
  auto?: { chosen: string; chosenModel: string; metric: string; candidates: AutoCandidateSummary[] };
}

export interface PromotionOutput {
  version: ModelVersion;
  candidate: string;
  alias: string;
  decision: GateDecision;
  /** True when this run finished the gate of a version an interrupted run registered. */
  resumed?: boolean;
}
