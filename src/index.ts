// Millrace's public API: the one barrel. Everything else is internal and may change.
export { VERSION } from "./version.js";
export * from "./records.js";
export { MillraceError, ValidationError, NotFoundError, QualityError, TrainingError, ConfigError } from "./errors.js";

export { definePipeline, loadProject, type Project } from "./project/load-project.js";
export { initProject } from "./project/init-project.js";
export type { ProjectConfig, ProjectInput } from "./project/config.js";

export { runPipeline, type PipelineOptions } from "./flow/pipeline.js";
// The DAG's task is a PipelineTask here: `Task` is the learning task ("binary" | "multiclass" | "regression").
export type { Task as PipelineTask, TaskEvent } from "./flow/dag.js";
export { openResources, withResources, type Resources } from "./flow/resources.js";
export type { PipelineSummary } from "./flow/summary.js";

export { runChecks, type QualityRule, type CheckReport } from "./quality/checks.js";

export { trainCandidate, loadModel, holdoutSplit, type TrainRequest, type TrainResult, type TrainedModel } from "./learn/train.js";
export { hashSplit, rowIdentities, type RowIdentitySpec } from "./learn/row-identity.js";

export { Tracker, ActiveRun } from "./track/tracker.js";
export { Registry } from "./registry/registry.js";
export { decideGate, type GatePolicy, type GateDecision, type GateComparison } from "./registry/gate.js";
export { openMetadataStore } from "./store/open-metadata-store.js";
export type { MetadataStore } from "./store/metadata-store.js";
export { FolderArtifactStore, type ArtifactStore } from "./store/artifact-store.js";

export { createApp, type AppOptions } from "./serve/app.js";
export { startServer } from "./serve/server.js";
export { driftReport, type DriftReport } from "./monitor/drift-report.js";
export { PredictionLog } from "./monitor/prediction-log.js";
