// Held-out evaluation of a recommender: rating errors on every test interaction, ranking metrics on top-K lists
// over each warm test user's unseen catalogue (the peer's protocol: relevant = held-out items the user had not
// interacted with in training, rated >= the threshold).

import { ratingReport, rankingMetrics, rankingReport, topK, type RankingMetrics } from "./metrics.js";
import type { RecommenderModel } from "./model.js";

export interface HeldOut {
  users: readonly string[];
  items: readonly string[];
  /** null: implicit feedback (every held-out interaction is relevant, no rating errors). */
  ratings: Float64Array | null;
}

export interface Relevance {
  threshold: number;
  rule: string;
}

/** The relevance rule: given, or >= 4 on a 0.5..5 scale, else the 80th percentile of the train ratings (numpy's linear rule). */
export function relevanceRule(train: Float64Array | null, given?: number): Relevance {
  if (given !== undefined) return { threshold: given, rule: `rating >= ${given} (--relevant)` };
  if (!train) return { threshold: -Infinity, rule: "every held-out interaction (implicit feedback)" };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of train) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  if (lo >= 0.5 && hi <= 5) return { threshold: 4, rule: "rating >= 4 (train ratings within 0.5..5)" };
  const s = Float64Array.from(train).sort();
  const pos = 0.8 * (s.length - 1);
  const f = Math.floor(pos);
  const t = s[f] + (pos - f) * ((s[Math.min(f + 1, s.length - 1)] ?? s[f]) - s[f]);
  return { threshold: t, rule: `rating >= ${t.toPrecision(4)} (80th percentile of train ratings; scale ${lo}..${hi})` };
}

export interface Evaluation {
  metrics: Record<string, number>;
  /** Per ranked user with a relevant item (by id): precision, recall, ndcg, map, hit_rate — their means are the metrics. */
  perUser: { users: string[]; values: RankingMetrics["perUser"] };
  counts: { testRows: number; unseenUser: number; unseenItem: number; rankedUsers: number; usersWithRelevant: number };
  predictSeconds: number;
}

export function evaluateRecommender(model: RecommenderModel, test: HeldOut, k: number, rel: Relevance): Evaluation {
  const t0 = performance.now();
  const n = test.users.length;
  const u = Int32Array.from(test.users, (id) => model.userCode(id));
  const i = Int32Array.from(test.items, (id) => model.itemCode(id));
  let unseenUser = 0;
  let unseenItem = 0;
  for (let j = 0; j < n; j++) (unseenUser += u[j] < 0 ? 1 : 0), (unseenItem += i[j] < 0 ? 1 : 0);
  const metrics: Record<string, number> = {};
  if (test.ratings && model.fitted.rates) Object.assign(metrics, ratingReport(test.ratings, model.predictCodes(u, i)));
  // Relevant items per warm test user.
  const rankedIndex = new Map<number, number>();
  const rankedUsers: number[] = [];
  for (let j = 0; j < n; j++) if (u[j] >= 0 && !rankedIndex.has(u[j])) (rankedIndex.set(u[j], rankedUsers.length), rankedUsers.push(u[j]));
  const relevant: Set<number>[] = rankedUsers.map(() => new Set<number>());
  const scores = new Float64Array(model.itemIds.length);
  const top = new Int32Array(rankedUsers.length * k);
  for (let x = 0; x < rankedUsers.length; x++) {
    model.scoreForRanking(rankedUsers[x], scores, true);
    topK(scores, k, top, x * k);
  }
  const seen = new Set<number>();
  const nItems = model.itemIds.length;
  for (let x = 0; x < rankedUsers.length; x++) for (const it of model.seenBy(rankedUsers[x])) seen.add(rankedUsers[x] * nItems + it);
  for (let j = 0; j < n; j++) {
    if (u[j] < 0 || i[j] < 0 || seen.has(u[j] * nItems + i[j])) continue;
    if (test.ratings && !(test.ratings[j] >= rel.threshold)) continue;
    relevant[rankedIndex.get(u[j])!].add(i[j]);
  }
  const rm = rankingMetrics({ k, top, relevant, catalogue: nItems });
  Object.assign(metrics, rankingReport(rm, k));
  return {
    metrics,
    perUser: { users: Array.from(rm.perUser.x, (x) => model.userIds[rankedUsers[x]]), values: rm.perUser },
    counts: { testRows: n, unseenUser, unseenItem, rankedUsers: rankedUsers.length, usersWithRelevant: rm.users },
    predictSeconds: (performance.now() - t0) / 1000,
  };
}
