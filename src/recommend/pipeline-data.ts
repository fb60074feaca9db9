// The interactions a recommendation project trains on: dataset.table's pinned version read as (user, item,
// rating | none, time, weight) with per-id side features, an id that changes when the content or the dataset
// settings do, and held-out rows chosen by the identity of the (user, item) pair (a pair keeps its side).

import { hashSplit } from "../learn/row-identity.js";
import type { Lake } from "../lake/lake.js";
import type { RecommendationDatasetConfig } from "../project/config.js";
import type { Frame, TableVersion } from "../records.js";
import { sha256 } from "../store/artifact-store.js";
import { ValidationError } from "../errors.js";
import { interactionIdentities } from "./compare.js";
import type { HeldOut } from "./evaluate.js";
import { frameInteractions } from "./frame.js";
import type { IdFeatures, InteractionTable } from "./train.js";

export interface InteractionData {
  /** A hash of the table's content and the dataset settings: a model version trained on it is not trained again. */
  id: string;
  table: TableVersion;
  interactions: InteractionTable;
  /** Rows without a user, an item or a rating, left out. */
  dropped: number;
  train: Uint32Array;
  test: Uint32Array;
  /** CV fold of each row (drawn from its pair identity). */
  foldOf: Int32Array;
}

/** Per-id side features: each id's first non-empty value of every column (rows in the table's fixed order). */
export function idFeatures(frame: Frame, idColumn: string, names: readonly string[], field: string): IdFeatures | undefined {
  if (names.length === 0) return undefined;
  const ids = frame.columns.find((c) => c.name === idColumn)!;
  const cols = names.map((n) => {
    const c = frame.columns.find((x) => x.name === n);
    if (!c) throw new ValidationError(`${field}: "${n}" is not a column of the interactions table`, { path: field, hint: `columns: ${frame.columns.map((x) => x.name).join(", ")}` });
    return c;
  });
  const first = new Map<string, number>();
  for (let r = 0; r < frame.rowCount; r++) {
    const v = ids.values[r];
    if (v === null || (typeof v === "number" && Number.isNaN(v))) continue;
    if (!first.has(String(v))) first.set(String(v), r);
  }
  const rows = [...first.values()];
  const out: IdFeatures = { ids: [...first.keys()], numeric: {}, categorical: {} };
  for (const c of cols) {
    if (c.kind === "numeric") out.numeric[c.name] = Float64Array.from(rows, (r) => c.values[r]);
    else out.categorical[c.name] = rows.map((r) => c.values[r]);
  }
  return out;
}

export async function readInteractionData(lake: Lake, version: TableVersion, ds: RecommendationDatasetConfig, cvFolds: number): Promise<InteractionData> {
  const rating = ds.rating === "none" ? null : ds.rating;
  const wanted = [ds.user, ds.item, rating, ds.time, ds.weight, ...ds.user_features, ...ds.item_features].filter((c): c is string => typeof c === "string");
  const have = version.schema.map((c) => c.name);
  for (const [field, name] of [["dataset.user", ds.user], ["dataset.item", ds.item], ["dataset.rating", rating], ["dataset.time", ds.time], ["dataset.weight", ds.weight]] as const) {
    if (name && !have.includes(name)) throw new ValidationError(`${field}: "${name}" is not a column of ${version.table}@${version.version}`, { path: field, hint: `columns: ${have.join(", ")}` });
  }
  const frame = await lake.readFrame({ table: version.table, version: version.version }, { columns: [...new Set(wanted)], sorted: true });
  const { table, dropped } = frameInteractions(frame, { user: ds.user, item: ds.item, rating, time: ds.time ?? null, weight: ds.weight ?? null });
  if (table.users.length === 0) throw new ValidationError(`${version.table}@${version.version} has no interaction with a user, an item${rating ? " and a rating" : ""}`, { path: "dataset.table" });
  const userFeatures = idFeatures(frame, ds.user, ds.user_features, "dataset.user_features");
  const itemFeatures = idFeatures(frame, ds.item, ds.item_features, "dataset.item_features");
  const interactions: InteractionTable = { ...table, ...(userFeatures ? { userFeatures } : {}), ...(itemFeatures ? { itemFeatures } : {}) };
  const split = hashSplit(interactionIdentities(table.users, table.items), { testFraction: ds.split.test_fraction, seed: ds.split.seed, folds: cvFolds });
  const id = sha256(JSON.stringify({ contentHash: version.contentHash, ...ds, cvFolds })).slice(0, 16);
  return { id, table: version, interactions, dropped, train: split.train, test: split.test, foldOf: split.foldOf };
}

/** The held-out interactions of `rows` as the evaluation and the gate read them. */
export function heldOut(t: InteractionTable, rows: Uint32Array): HeldOut {
  return {
    users: Array.from(rows, (r) => t.users[r]),
    items: Array.from(rows, (r) => t.items[r]),
    ratings: t.ratings ? Float64Array.from(rows, (r) => t.ratings![r]) : null,
  };
}

/** The interactions of `rows` only (CV trains on the train rows without one fold). */
export function subTable(t: InteractionTable, rows: Uint32Array): InteractionTable {
  const pick = (a: Float64Array | undefined) => (a ? Float64Array.from(rows, (r) => a[r]) : undefined);
  const weights = pick(t.weights);
  const time = pick(t.time);
  return {
    ...t,
    users: Array.from(rows, (r) => t.users[r]),
    items: Array.from(rows, (r) => t.items[r]),
    ratings: t.ratings ? pick(t.ratings)! : null,
    ...(weights ? { weights } : {}),
    ...(time ? { time } : {}),
  };
}
