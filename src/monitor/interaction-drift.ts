// Drift of a recommender's interactions: new interactions (a newer table version, or feedback on served lists) or the
// users asking for lists, against the training interactions. Each part is one column handed to the drift report
// (drift-report.ts, its DRIFT_METHODS and thresholds): the rating distribution, the share of each item, how popular in
// training the items interacted with now are, how active in training the users interacting now are; plus the share
// of interactions by users and items the model never saw.
import type { RecommenderModel } from "../recommend/model.js";
import type { Column } from "../records.js";
import { driftReport, type ColumnDrift, type DriftMethod, type DriftOptions } from "./drift-report.js";

/** Interactions as ids; `items` may be empty (requests: who asked, nothing about items); `ratings` null when implicit. */
export interface InteractionSample {
  users: readonly string[];
  items: readonly string[];
  ratings: Float64Array | null;
}

/** The training side, summarised once: interactions per user and per item, and the ratings (null when implicit). */
export interface InteractionReference {
  rows: number;
  users: ReadonlyMap<string, number>;
  items: ReadonlyMap<string, number>;
  ratings: Float64Array | null;
}

export interface NewIdShare {
  /** Current interactions whose id the reference never had, as a share of current interactions. */
  share: number;
  /** Distinct current ids the reference never had, and their share of distinct current ids. */
  distinct: number;
  distinctShare: number;
  /** share ≥ the threshold (default 0.1). */
  drifted: boolean;
  threshold: number;
}

export interface InteractionDrift {
  referenceRows: number;
  currentRows: number;
  /** Rating distribution (PSI by default). null: a side has no ratings. */
  rating: ColumnDrift | null;
  /** Each item's share of interactions (Jensen–Shannon by default): which items are interacted with. */
  items: ColumnDrift | null;
  /** Per interaction, its item's training interaction count (0 = new item), PSI over the reference's quantiles: head vs tail. */
  itemPopularity: ColumnDrift | null;
  /** Per interaction, its user's training interaction count (0 = new user), PSI: heavy vs light vs new users. */
  userActivity: ColumnDrift | null;
  newUsers: NewIdShare | null;
  newItems: NewIdShare | null;
  /** Parts that drifted, by name. */
  drifted: string[];
}

export interface InteractionDriftOptions {
  /** Thresholds of the drift methods (the project's monitor.drift); defaults are DRIFT_METHODS'. */
  thresholds?: DriftOptions["thresholds"];
  /** Method per part; defaults: rating psi, items jensenshannon, itemPopularity psi, userActivity psi. */
  methods?: Partial<Record<"rating" | "items" | "itemPopularity" | "userActivity", DriftMethod>>;
  /** Share of current interactions by new users (items) at which that part drifted; default 0.1. */
  newShare?: number;
}

const countIds = (ids: readonly string[]): Map<string, number> => {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
};

export function interactionReference(s: InteractionSample): InteractionReference {
  return { rows: s.users.length, users: countIds(s.users), items: countIds(s.items), ratings: s.ratings };
}

/** A trained recommender's training interactions, from its artifact: pairs seen per user, item counts, rating counts. */
export function modelInteractionReference(model: RecommenderModel): InteractionReference {
  const users = new Map<string, number>();
  model.userIds.forEach((id, u) => users.set(id, model.seenBy(u).length));
  const items = new Map<string, number>();
  model.itemIds.forEach((id, i) => items.set(id, model.popularity[i]));
  let ratings: Float64Array | null = null;
  const rc = model.ratingCounts;
  if (rc) {
    ratings = new Float64Array(rc.counts.reduce((a, b) => a + b, 0));
    for (let v = 0, j = 0; v < rc.values.length; v++) ratings.fill(rc.values[v], j, (j += rc.counts[v]));
  }
  let rows = 0;
  for (const c of users.values()) rows += c;
  return { rows, users, items, ratings };
}

/** Per id of `ids`, its count in `counts` (0 when absent). */
function countsOf(ids: readonly string[], counts: ReadonlyMap<string, number>): Float64Array {
  const out = new Float64Array(ids.length);
  for (let j = 0; j < ids.length; j++) out[j] = counts.get(ids[j]) ?? 0;
  return out;
}

/** The reference's own per-interaction counts, expanded from its maps (each id's count, once per interaction of it). */
function expanded(counts: ReadonlyMap<string, number>): Float64Array {
  let n = 0;
  for (const c of counts.values()) n += c;
  const out = new Float64Array(n);
  let j = 0;
  for (const c of counts.values()) out.fill(c, j, (j += c));
  return out;
}

function idsOf(counts: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const [id, c] of counts) for (let x = 0; x < c; x++) out.push(id);
  return out;
}

function one(name: string, ref: Column, cur: Column, method: DriftMethod, opts: InteractionDriftOptions): ColumnDrift {
  const frame = (c: Column) => ({ rowCount: c.values.length, columns: [c] });
  return driftReport(frame(ref), frame(cur), { method, ...(opts.thresholds ? { thresholds: opts.thresholds } : {}) }).columns[0];
}

function newIds(ids: readonly string[], known: ReadonlyMap<string, number>, threshold: number): NewIdShare | null {
  if (ids.length === 0) return null;
  let rows = 0;
  const distinct = new Set<string>();
  const fresh = new Set<string>();
  for (const id of ids) {
    distinct.add(id);
    if (!known.has(id)) (rows++, fresh.add(id));
  }
  const share = rows / ids.length;
  return { share, distinct: fresh.size, distinctShare: fresh.size / distinct.size, drifted: share >= threshold, threshold };
}

/** Every part that both sides have data for; the statistics are the drift report's, with its thresholds. */
export function interactionDrift(ref: InteractionReference, cur: InteractionSample, opts: InteractionDriftOptions = {}): InteractionDrift {
  const m = opts.methods ?? {};
  const num = (name: string, values: Float64Array): Column => ({ name, kind: "numeric", values });
  const hasItems = cur.items.length > 0 && ref.items.size > 0;
  const rating = ref.ratings && cur.ratings && cur.ratings.length > 0 ? one("rating", num("rating", ref.ratings), num("rating", cur.ratings), m.rating ?? "psi", opts) : null;
  const items = hasItems
    ? one("item", { name: "item", kind: "categorical", values: idsOf(ref.items) }, { name: "item", kind: "categorical", values: cur.items as string[] }, m.items ?? "jensenshannon", opts)
    : null;
  const itemPopularity = hasItems ? one("item_popularity", num("item_popularity", expanded(ref.items)), num("item_popularity", countsOf(cur.items, ref.items)), m.itemPopularity ?? "psi", opts) : null;
  const userActivity = cur.users.length > 0 ? one("user_activity", num("user_activity", expanded(ref.users)), num("user_activity", countsOf(cur.users, ref.users)), m.userActivity ?? "psi", opts) : null;
  const threshold = opts.newShare ?? 0.1;
  const newUsers = newIds(cur.users, ref.users, threshold);
  const newItems = hasItems ? newIds(cur.items, ref.items, threshold) : null;
  const parts = { rating, items, itemPopularity, userActivity, newUsers, newItems };
  return {
    referenceRows: ref.rows,
    currentRows: cur.users.length,
    ...parts,
    drifted: Object.entries(parts).filter(([, p]) => p?.drifted).map(([k]) => k),
  };
}
