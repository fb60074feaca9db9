// The dataset step: pins the training table version by content hash, picks features, and splits rows by identity
// (key columns or content), so a row keeps its side of the split as the table grows.
import { NotFoundError, ValidationError } from "../../errors.js";
import { screenColumns } from "../../learn/column-screen.js";
import { hashSplit, rowIdentities, type RowIdentitySpec } from "../../learn/row-identity.js";
import { checkClassTarget } from "../../learn/target.js";
import { holdoutSplit } from "../../learn/train.js";
import { ids, type Column, type Dataset, type Frame, type SplitSpec, type TableRef } from "../../records.js";
import { tabularDataset, type ProjectConfig } from "../../project/config.js";
import { sha256 } from "../../store/artifact-store.js";
import type { Needs } from "../needs.js";
import type { DatasetOutput, TableOutput } from "../outputs.js";
import { decideTraining } from "./train-config.js";

export type { DatasetOutput };
type DataNeeds = Needs<"lake" | "meta">;

export async function buildDataset(r: DataNeeds, input: TableOutput, note: (s: string) => void, forceRetrain = false): Promise<DatasetOutput> {
  const cfg = r.project.config;
  const spec = tabularDataset(cfg);
  const ref = { table: input.table.table, version: input.table.version };
  const columns = input.table.schema.map((c) => c.name);
  if (!columns.includes(spec.target)) {
    throw new ValidationError(`dataset target "${spec.target}" is not a column of ${ref.table}@${ref.version}`, {
      path: "dataset.target",
      hint: `columns: ${columns.join(", ")}`,
    });
  }
  const key = spec.key ?? [];
  const features = spec.features ?? columns.filter((c) => c !== spec.target && !spec.exclude.includes(c) && !key.includes(c) && !c.startsWith("_"));
  const missing = features.filter((f) => !columns.includes(f));
  if (missing.length > 0) {
    throw new ValidationError(`dataset features ${missing.map((m) => `"${m}"`).join(", ")} are not columns of ${ref.table}`, {
      path: "dataset.features",
      hint: `columns: ${columns.join(", ")}`,
    });
  }
  const missingKey = key.filter((k) => !columns.includes(k));
  if (missingKey.length > 0) {
    throw new ValidationError(`dataset key ${missingKey.map((m) => `"${m}"`).join(", ")} is not a column of ${ref.table}@${ref.version}`, {
      path: "dataset.key",
      hint: `columns: ${columns.join(", ")}`,
    });
  }
  if (features.length === 0) throw new ValidationError(`dataset of ${ref.table} has no feature columns`, { path: "dataset.features" });
  const identity: RowIdentitySpec = key.length ? { kind: "key", columns: key } : { kind: "content", columns: [...features, spec.target].sort() };
  const folds = cfg.train.cv_folds;
  const split: SplitSpec = {
    kind: "hash", testFraction: spec.split.test_fraction, seed: spec.split.seed, stratify: spec.split.stratify, identity, folds,
  };
  const read = await readSplitFrame(r, ref, features, spec.target, split);
  const target = read.frame.columns.find((c) => c.name === spec.target)!;
  checkTarget(target, cfg, read.frame.rowCount);
  // Default features are screened as `millrace train` screens them (constant columns, identifiers), on the train rows,
  // but only said aloud and recorded: a project's inputs are its config's, so a column turning constant (or not) as
  // data arrives never changes which fields a served model takes between retrains. Listed features are not screened.
  const flagged = spec.features ? [] : screenColumns(read.frame, features, read.train).dropped;

  const idInput = { contentHash: input.table.contentHash, features, target: spec.target, task: spec.task, positive: spec.positive ?? null, split: spec.split, key };
  const dataset: Dataset = {
    id: sha256(JSON.stringify(idInput)).slice(0, 16),
    table: ref,
    contentHash: input.table.contentHash,
    features,
    target: spec.target,
    task: spec.task,
    ...(spec.positive !== undefined ? { positive: spec.positive } : {}),
    split: { ...split, trainRows: read.train.length, testRows: read.test.length },
    ...(flagged.length ? { flagged } : {}),
    createdAt: new Date().toISOString(),
  };
  await r.meta.saveDataset(dataset);
  await r.meta.addLineage([{ from: ids.table(ref), to: ids.dataset(dataset.id), kind: "derived_from" }]);

  const training = await decideTraining(r.meta, cfg, dataset.id, forceRetrain);
  const alreadyTrainedBy = training.skipWith;
  const dupes = key.length ? read.frame.rowCount - new Set(read.identities).size : 0;
  note(
    `${dataset.id}: ${read.frame.rowCount} rows (${read.train.length} train / ${read.test.length} test, split by ${identity.kind === "key" ? `key ${key.join(", ")}` : "row content"}), ` +
      `${features.length} features${flaggedNote(flagged)}${dupes ? `, ${dupes} rows share a key with another row (they share its side)` : ""}${alreadyTrainedBy ? `, already trained by v${alreadyTrainedBy.version}` : training.reason === "new dataset" ? "" : ` (${training.reason})`}`,
  );
  return { dataset, ...read, alreadyTrainedBy, trainingReason: training.reason };
}

/** ", customer looks like an identifier (200 distinct of 200 rows), region is constant (…) — …" or "". */
function flaggedNote(flagged: NonNullable<Dataset["flagged"]>): string {
  if (!flagged.length) return "";
  const each = flagged.map((d) => `${d.column} ${d.reason === "constant" ? "is constant" : "looks like an identifier"} (${d.detail})`);
  return ` (warning: ${each.join(", ")}; add ${flagged.length === 1 ? "it" : "them"} to dataset.exclude, or list dataset.features)`;
}

/**
 * Reads a dataset's features + target (and its identity columns, kept aside) from a table version in a fixed row
 * order, and splits it: by identity for hash splits, by position for datasets recorded before them.
 */
async function readSplitFrame(
  r: DataNeeds, ref: TableRef, features: string[], target: string, split: SplitSpec, extraIdentity?: RowIdentitySpec,
): Promise<{ frame: Frame; train: Uint32Array; test: Uint32Array; identities: Float64Array; foldOf: Int32Array; extra?: Float64Array }> {
  const identity = split.identity ?? { kind: "content" as const, columns: [...features, target].sort() };
  const wanted = [...features, target];
  const extraCols = [...identity.columns, ...(extraIdentity?.columns ?? [])].filter((c, i, a) => !wanted.includes(c) && a.indexOf(c) === i);
  const full = await r.lake.readFrame(ref, { columns: [...wanted, ...extraCols], sorted: true });
  const identities = rowIdentities(full, identity.columns);
  const extra = extraIdentity ? rowIdentities(full, extraIdentity.columns) : undefined;
  const frame: Frame = { rowCount: full.rowCount, columns: full.columns.filter((c) => wanted.includes(c.name)) };
  if (split.kind === "hash") {
    const { train, test, foldOf } = hashSplit(identities, { testFraction: split.testFraction, seed: split.seed, folds: split.folds ?? 0 });
    return { frame, train, test, identities, foldOf, ...(extra ? { extra } : {}) };
  }
  const targetCol = frame.columns.find((c) => c.name === target)!;
  const { train, test } = holdoutSplit(targetCol, { testFraction: split.testFraction, seed: split.seed, stratify: split.stratify });
  return { frame, train, test, identities, foldOf: new Int32Array(0), ...(extra ? { extra } : {}) };
}

function checkTarget(target: Column, cfg: ProjectConfig, rows: number): void {
  const { task, positive, target: name } = tabularDataset(cfg);
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
  checkClassTarget(target, Uint32Array.from({ length: rows }, (_, i) => i), task, "dataset.target"); // dates, a class per row
}

/** Rebuilds a recorded dataset from its pinned table version and its split (a worker's view of it). */
export async function loadDataset(r: DataNeeds, datasetId: string): Promise<DatasetOutput> {
  const dataset = await r.meta.getDataset(datasetId);
  if (!dataset) throw new NotFoundError(`dataset ${datasetId} is not recorded`, { hint: "the worker must use the pipeline's metadata store" });
  const read = await readSplitFrame(r, dataset.table, dataset.features, dataset.target, { ...dataset.split, stratify: dataset.split.stratify && dataset.task !== "regression" });
  if (read.test.length !== dataset.split.testRows) {
    throw new ValidationError(`dataset ${datasetId}: the split gave ${read.test.length} test rows, the record says ${dataset.split.testRows}`, {
      hint: "the table version or the split code changed under this dataset",
    });
  }
  return { dataset, ...read, alreadyTrainedBy: null, trainingReason: "" };
}

/**
 * The identities, under `identity`, of the rows a recorded dataset trained on: what a comparison must leave out.
 * Throws when the dataset's table version lacks the identity columns (then no comparison can be leak-free).
 */
export async function trainedIdentities(r: DataNeeds, datasetId: string, identity: RowIdentitySpec): Promise<Set<number>> {
  const dataset = await r.meta.getDataset(datasetId);
  if (!dataset) throw new NotFoundError(`dataset ${datasetId} is not recorded`, { hint: "the metadata store lost the champion's dataset" });
  const have = (await r.lake.version(dataset.table)).schema.map((c) => c.name);
  const lacking = identity.columns.filter((c) => !have.includes(c));
  if (lacking.length) {
    throw new ValidationError(`${dataset.table.table}@${dataset.table.version} has no column ${lacking.join(", ")} to tell its training rows by`, {
      path: "dataset.key",
    });
  }
  const read = await readSplitFrame(r, dataset.table, dataset.features, dataset.target, { ...dataset.split, stratify: dataset.split.stratify && dataset.task !== "regression" }, identity);
  const out = new Set<number>();
  for (const row of read.train) out.add(read.extra![row]);
  return out;
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
export async function trainingReference(r: DataNeeds, datasetId: string): Promise<{ dataset: Dataset; reference: Frame }> {
  const d = await loadDataset(r, datasetId);
  const features = { rowCount: d.frame.rowCount, columns: d.frame.columns.filter((c) => c.name !== d.dataset.target) };
  return { dataset: d.dataset, reference: takeRows(features, d.train) };
}
