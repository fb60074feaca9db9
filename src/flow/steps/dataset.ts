// The dataset step: pins the training table version by content hash, picks features, and records a seeded split.
import { NotFoundError, ValidationError } from "../../errors.js";
import { holdoutSplit } from "../../learn/train.js";
import { ids, type Column, type Dataset, type Frame } from "../../records.js";
import type { ProjectConfig } from "../../project/config.js";
import { sha256 } from "../../store/artifact-store.js";
import type { Resources } from "../resources.js";
import type { TableOutput } from "./tables.js";

export interface DatasetOutput {
  dataset: Dataset;
  frame: Frame;
  train: Uint32Array;
  test: Uint32Array;
  /** Set when a model version was already trained on exactly this dataset and retraining is not forced. */
  alreadyTrainedBy: { name: string; version: number } | null;
}

export async function buildDataset(r: Resources, input: TableOutput, note: (s: string) => void, forceRetrain = false): Promise<DatasetOutput> {
  const cfg = r.project.config;
  const spec = cfg.dataset;
  const ref = { table: input.table.table, version: input.table.version };
  const columns = input.table.schema.map((c) => c.name);
  if (!columns.includes(spec.target)) {
    throw new ValidationError(`dataset target "${spec.target}" is not a column of ${ref.table}@${ref.version}`, {
      path: "dataset.target",
      hint: `columns: ${columns.join(", ")}`,
    });
  }
  const features = spec.features ?? columns.filter((c) => c !== spec.target && !spec.exclude.includes(c) && !c.startsWith("_"));
  const missing = features.filter((f) => !columns.includes(f));
  if (missing.length > 0) {
    throw new ValidationError(`dataset features ${missing.map((m) => `"${m}"`).join(", ")} are not columns of ${ref.table}`, {
      path: "dataset.features",
      hint: `columns: ${columns.join(", ")}`,
    });
  }
  if (features.length === 0) throw new ValidationError(`dataset of ${ref.table} has no feature columns`, { path: "dataset.features" });
  const frame = await r.lake.readFrame(ref, { columns: [...features, spec.target], sorted: true });
  const target = frame.columns.find((c) => c.name === spec.target)!;
  checkTarget(target, cfg, frame.rowCount);

  const { train, test } = holdoutSplit(target, { testFraction: spec.split.test_fraction, seed: spec.split.seed, stratify: spec.split.stratify && spec.task !== "regression" });
  const identity = { contentHash: input.table.contentHash, features, target: spec.target, task: spec.task, positive: spec.positive ?? null, split: spec.split };
  const dataset: Dataset = {
    id: sha256(JSON.stringify(identity)).slice(0, 16),
    table: ref,
    contentHash: input.table.contentHash,
    features,
    target: spec.target,
    task: spec.task,
    ...(spec.positive !== undefined ? { positive: spec.positive } : {}),
    split: { kind: "holdout", testFraction: spec.split.test_fraction, seed: spec.split.seed, stratify: spec.split.stratify, trainRows: train.length, testRows: test.length },
    createdAt: new Date().toISOString(),
  };
  await r.meta.saveDataset(dataset);
  await r.meta.addLineage([{ from: ids.table(ref), to: ids.dataset(dataset.id), kind: "derived_from" }]);

  const prior = (await r.meta.listModelVersions(cfg.registry.model)).find((m) => m.datasetId === dataset.id);
  const alreadyTrainedBy = prior && cfg.train.retrain === "on_new_data" && !forceRetrain ? { name: prior.name, version: prior.version } : null;
  note(`${dataset.id}: ${frame.rowCount} rows (${train.length} train / ${test.length} test), ${features.length} features${alreadyTrainedBy ? `, already trained by v${alreadyTrainedBy.version}` : ""}`);
  return { dataset, frame, train, test, alreadyTrainedBy };
}

function checkTarget(target: Column, cfg: ProjectConfig, rows: number): void {
  const { task, positive, target: name } = cfg.dataset;
  if (rows === 0) throw new ValidationError(`the training table has no rows`, { hint: "check the SQL models and the landing files" });
  if (task === "regression") {
    if (target.kind !== "numeric") throw new ValidationError(`regression target "${name}" is not numeric`, { path: "dataset.target" });
    return;
  }
  const labels = new Set<string>();
  for (let i = 0; i < rows; i++) {
    const v = target.kind === "numeric" ? (Number.isNaN(target.values[i]) ? null : String(target.values[i])) : target.values[i];
    if (v === null) throw new ValidationError(`target "${name}" is empty in row ${i}`, { path: "dataset.target", hint: `add a not_null check on ${cfg.dataset.table}.${name}` });
    labels.add(v);
  }
  if (labels.size < 2) throw new ValidationError(`target "${name}" has a single class (${[...labels][0]}): nothing to learn`, { path: "dataset.target" });
  if (task === "binary" && labels.size > 2) {
    throw new ValidationError(`binary target "${name}" has ${labels.size} classes: ${[...labels].slice(0, 5).join(", ")}`, { path: "dataset.task", hint: "use task: multiclass" });
  }
  if (task === "binary" && positive !== undefined && !labels.has(positive)) {
    throw new ValidationError(`positive label "${positive}" is not a value of "${name}" (values: ${[...labels].join(", ")})`, { path: "dataset.positive" });
  }
}

/** Rebuilds a recorded dataset from its pinned table version and seeded split (a worker's view of it). */
export async function loadDataset(r: Resources, datasetId: string): Promise<DatasetOutput> {
  const dataset = await r.meta.getDataset(datasetId);
  if (!dataset) throw new NotFoundError(`dataset ${datasetId} is not recorded`, { hint: "the worker must use the pipeline's metadata store" });
  const frame = await r.lake.readFrame(dataset.table, { columns: [...dataset.features, dataset.target], sorted: true });
  const target = frame.columns.find((c) => c.name === dataset.target)!;
  const { train, test } = holdoutSplit(target, {
    testFraction: dataset.split.testFraction,
    seed: dataset.split.seed,
    stratify: dataset.split.stratify && dataset.task !== "regression",
  });
  if (test.length !== dataset.split.testRows) {
    throw new ValidationError(`dataset ${datasetId}: the split gave ${test.length} test rows, the record says ${dataset.split.testRows}`, {
      hint: "the table version or the split code changed under this dataset",
    });
  }
  return { dataset, frame, train, test, alreadyTrainedBy: null };
}

export function takeRows(frame: Frame, rows: Uint32Array): Frame {
  const columns: Column[] = frame.columns.map((c) => {
    if (c.kind === "numeric") {
      const values = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) values[i] = c.values[rows[i]];
      return { name: c.name, kind: "numeric", values };
    }
    const values = new Array<string | null>(rows.length);
    for (let i = 0; i < rows.length; i++) values[i] = c.values[rows[i]];
    return { name: c.name, kind: "categorical", values };
  });
  return { rowCount: rows.length, columns };
}

/** The drift reference of a model: its dataset's training rows, features only (the split is seeded and recorded). */
export async function trainingReference(r: Resources, datasetId: string): Promise<{ dataset: Dataset; reference: Frame }> {
  const d = await loadDataset(r, datasetId);
  const features = { rowCount: d.frame.rowCount, columns: d.frame.columns.filter((c) => c.name !== d.dataset.target) };
  return { dataset: d.dataset, reference: takeRows(features, d.train) };
}
