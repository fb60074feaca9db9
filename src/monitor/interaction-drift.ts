// Drift of a recommender's interactions: new interactions (a newer table version, or feedback on served lists) or the
// users asking for lists, against the training interactions. Each part is one column handed to the drift report
// (drift-report.ts, its DRIFT_METHODS and thresholds): the rating distribution, the share of each item, how popular in
// training the items interacted with now are, how active in training the users interacting now are; plus the share
// of interactions by users and items the model never saw. Distances grow with sampling noise as samples shrink (item
// shares over 2,577 held-out pairs of 500 items: JS 0.14 with no drift at all), so a part drifts only when its score is
// also beyond every score of `nullResamples` permutations of both sides' pooled values (a permutation test, p < 0.05).
import { Rng } from "../learn/rng.js";
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
  rating: PartDrift | null;
  /** Each item's share of interactions (Jensen–Shannon by default): which items are interacted with. */
  items: PartDrift | null;
  /** Per interaction, its item's training interaction count (0 = new item), PSI over the reference's quantiles: head vs tail. */
  itemPopularity: PartDrift | null;
  /** Per interaction, its user's training interaction count (0 = new user), PSI: heavy vs light vs new users. */
  userActivity: PartDrift | null;
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
  /** Permutations of the pooled interactions (no drift by construction) whose scores a drift must exceed; default 19 (p < 0.05). */
  nullResamples?: number;
  /** Interactions of each side the statistics read at most, drawn once (seeded) from a larger side; default 50,000. */
  maxReference?: number;
  seed?: number;
}

/** A part's drift, with the largest score over permutations of the pooled values (null for p-value tests). */
export type PartDrift = ColumnDrift & { noise: number | null };

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

/** Values of one column, numbers or ids, as `ref` and `cur` columns. */
type Values = Float64Array | readonly string[];

function column(name: string, v: Values): Column {
  return v instanceof Float64Array ? { name, kind: "numeric", values: v } : { name, kind: "categorical", values: v as string[] };
}

/**
 * One part, and its noise: the largest score over `nullResamples` permutations of the pooled values into sides of the
 * same sizes (both sides from one distribution, as a permutation test draws them). A p-value test needs none.
 */
function part(name: string, ref: Values, cur: Values, method: DriftMethod, opts: InteractionDriftOptions, rng: Rng): PartDrift {
  const d = one(name, column(name, ref), column(name, cur), method, opts);
  if (d.scoreIs === "p_value" || d.score === null) return { ...d, noise: null };
  let pooled: Values;
  if (ref instanceof Float64Array) {
    const p = new Float64Array(ref.length + cur.length);
    p.set(ref);
    p.set(cur as Float64Array, ref.length);
    pooled = p;
  } else pooled = (ref as readonly string[]).concat(cur as readonly string[]);
  const order = Int32Array.from(pooled.keys());
  let noise = 0;
  for (let b = 0; b < (opts.nullResamples ?? 19); b++) {
    rng.shuffle(order);
    const side = (from: number, to: number): Values =>
      pooled instanceof Float64Array ? Float64Array.from(order.subarray(from, to), (x) => pooled[x]) : Array.from(order.subarray(from, to), (x) => pooled[x]);
    noise = Math.max(noise, one(name, column(name, side(0, ref.length)), column(name, side(ref.length, pooled.length)), method, opts).score ?? 0);
  }
  return { ...d, noise, drifted: d.drifted && d.score > noise };
}

/** Every part that both sides have data for; the statistics are the drift report's, with its thresholds. */
export function interactionDrift(ref: InteractionReference, cur: InteractionSample, opts: InteractionDriftOptions = {}): InteractionDrift {
  const m = opts.methods ?? {};
  const rng = new Rng(opts.seed ?? 7);
  const hasItems = cur.items.length > 0 && ref.items.size > 0;
  const n = cur.users.length;
  // A served model's reference (or a new table version) can be millions of interactions: each side of each part reads
  // at most maxReference of them, drawn once (seeded).
  const cap = opts.maxReference ?? 50_000;
  const thin = <T extends Float64Array | readonly string[]>(a: T): T => {
    if (a.length <= cap) return a;
    const keep = new Rng((opts.seed ?? 7) ^ a.length).shuffle(Int32Array.from(a.keys())).subarray(0, cap).sort();
    return (a instanceof Float64Array ? Float64Array.from(keep, (x) => a[x]) : Array.from(keep, (x) => a[x])) as T;
  };
  const rating = ref.ratings && cur.ratings && cur.ratings.length > 0 ? part("rating", thin(ref.ratings), thin(cur.ratings), m.rating ?? "psi", opts, rng) : null;
  let items: PartDrift | null = null;
  let itemPopularity: PartDrift | null = null;
  if (hasItems) {
    const refItems = thin(idsOf(ref.items));
    const curItems = thin(cur.items);
    items = part("item", refItems, curItems, m.items ?? "jensenshannon", opts, rng);
    itemPopularity = part("item_popularity", countsOf(refItems, ref.items), countsOf(curItems, ref.items), m.itemPopularity ?? "psi", opts, rng);
  }
  let userActivity: PartDrift | null = null;
  if (n > 0) {
    const refUsers = thin(idsOf(ref.users));
    userActivity = part("user_activity", countsOf(refUsers, ref.users), countsOf(thin(cur.users), ref.users), m.userActivity ?? "psi", opts, rng);
  }
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
