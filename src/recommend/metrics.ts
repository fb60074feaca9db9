// Recommendation metrics: rating errors (RMSE, MAE) on held-out interactions and ranking quality of top-K lists
// (precision, recall, NDCG, MAP, hit rate at K; catalogue coverage). The directions live in the metric registry
// (src/learn/metric-registry.ts, K = 10) so the gate and decay read them like any other metric.

import { mae, rmse } from "../learn/metrics.js";

/** Top-K lists of ranked users (row-major nUsers x k item codes, -1 = no item) and each user's relevant items. */
export interface RankedLists {
  k: number;
  top: Int32Array;
  /** Per ranked user: its relevant item codes (held-out, rating >= threshold, among the user's candidates). */
  relevant: ReadonlyArray<ReadonlySet<number>>;
  /** Items that could be recommended (train items): the denominator of coverage. */
  catalogue: number;
}

export interface RankingMetrics {
  precision: number | null;
  recall: number | null;
  ndcg: number | null;
  map: number | null;
  hitRate: number | null;
  coverage: number;
  /** Users with at least one relevant item: the ones the means run over. */
  users: number;
  /** Each of those users' values (x: its position in `relevant`): what a paired bootstrap over users resamples. */
  perUser: { x: Int32Array; precision: Float64Array; recall: Float64Array; ndcg: Float64Array; map: Float64Array; hit_rate: Float64Array };
}

/**
 * Binary-gain ranking metrics averaged over users with a relevant item (the peer's definitions): P@k = hits/k,
 * R@k = hits/|rel|, NDCG@k = Σ hit_r / log2(r+1) over the ideal ordering's, MAP@k = Σ P@r·hit_r / min(|rel|, k),
 * hit rate = share of users with a hit; coverage = distinct items in all lists / catalogue.
 */
export function rankingMetrics(l: RankedLists): RankingMetrics {
  const { k, top, relevant } = l;
  const disc = Float64Array.from({ length: k }, (_, r) => 1 / Math.log2(r + 2));
  const idcg = new Float64Array(k + 1);
  for (let r = 0; r < k; r++) idcg[r + 1] = idcg[r] + disc[r];
  const shown = new Set<number>();
  let [p, rc, nd, ap, hr, users] = [0, 0, 0, 0, 0, 0];
  const n = relevant.length;
  const per = { x: new Int32Array(n), precision: new Float64Array(n), recall: new Float64Array(n), ndcg: new Float64Array(n), map: new Float64Array(n), hit_rate: new Float64Array(n) };
  for (let u = 0; u < relevant.length; u++) {
    const rel = relevant[u];
    let hits = 0;
    let dcg = 0;
    let sumP = 0;
    for (let r = 0; r < k; r++) {
      const item = top[u * k + r];
      if (item < 0) continue;
      shown.add(item);
      if (rel.has(item)) {
        hits++;
        dcg += disc[r];
        sumP += hits / (r + 1);
      }
    }
    if (rel.size === 0) continue;
    per.x[users] = u;
    p += (per.precision[users] = hits / k);
    rc += (per.recall[users] = hits / rel.size);
    nd += (per.ndcg[users] = dcg / idcg[Math.min(rel.size, k)]);
    ap += (per.map[users] = sumP / Math.min(rel.size, k));
    hr += (per.hit_rate[users] = hits > 0 ? 1 : 0);
    users++;
  }
  const cut = <A extends Int32Array | Float64Array>(a: A) => a.subarray(0, users) as A;
  const mean = (s: number) => (users ? s / users : null);
  const perUser = { x: cut(per.x), precision: cut(per.precision), recall: cut(per.recall), ndcg: cut(per.ndcg), map: cut(per.map), hit_rate: cut(per.hit_rate) };
  return { precision: mean(p), recall: mean(rc), ndcg: mean(nd), map: mean(ap), hitRate: mean(hr), coverage: l.catalogue ? shown.size / l.catalogue : 0, users, perUser };
}

/** The report keys scripts rely on: precision_at_10, ..., coverage_at_10 (K in the name). */
export function rankingReport(m: RankingMetrics, k: number): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (name: string, v: number | null) => {
    if (v !== null) out[`${name}_at_${k}`] = v;
  };
  put("precision", m.precision);
  put("recall", m.recall);
  put("ndcg", m.ndcg);
  put("map", m.map);
  put("hit_rate", m.hitRate);
  put("coverage", m.coverage);
  return out;
}

export function ratingReport(y: Float64Array, pred: Float64Array): Record<string, number> {
  return y.length ? { rmse: rmse(y, pred), mae: mae(y, pred) } : {};
}

/**
 * The best k of `scores` by value, skipping -Infinity, ties to the lower code; written into out (k slots, -1 if
 * fewer). Insertion into a sorted k-list: O(n·k) worst case, O(n) for the usual k ≤ 100.
 */
export function topK(scores: Float64Array, k: number, out: Int32Array, at = 0): void {
  let filled = 0;
  const best = new Float64Array(k);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (s === -Infinity || Number.isNaN(s)) continue;
    if (filled === k && s <= best[k - 1]) continue;
    let r = filled < k ? filled++ : k - 1;
    while (r > 0 && best[r - 1] < s) {
      best[r] = best[r - 1];
      out[at + r] = out[at + r - 1];
      r--;
    }
    best[r] = s;
    out[at + r] = i;
  }
  for (let r = filled; r < k; r++) out[at + r] = -1;
}
