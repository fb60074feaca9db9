// Leak-free comparison of recommenders for the promotion gate: held-out interactions chosen by the identity of the
// (user, item) pair (a pair keeps its side of the split as the table grows), and champion and challenger scored only
// on held-out interactions that neither trained on (each artifact knows the pairs it saw in training).

import { pairedBootstrap } from "../learn/bootstrap.js";
import { hashSplit, rowIdentities } from "../learn/row-identity.js";
import type { GateComparison } from "../registry/gate.js";
import { evaluateRecommender, type Evaluation, type HeldOut, type Relevance } from "./evaluate.js";
import type { RecommenderModel } from "./model.js";

/** Each interaction's identity: a hash of its (user, item) pair, the same wherever the pair appears. */
export function interactionIdentities(users: readonly string[], items: readonly string[]): Float64Array {
  return rowIdentities(
    {
      rowCount: users.length,
      columns: [
        { name: "user", kind: "categorical", values: users as string[] },
        { name: "item", kind: "categorical", values: items as string[] },
      ],
    },
    ["user", "item"],
  );
}

/** Held-out rows by pair identity: the same pair is held out in every version of the table (seeded). */
export function identityTestRows(users: readonly string[], items: readonly string[], fraction: number, seed: number): Uint32Array {
  return hashSplit(interactionIdentities(users, items), { testFraction: fraction, seed, folds: 0 }).test;
}

/** True when `model` saw the (user, item) interaction in training. */
export function trainedOn(model: RecommenderModel, user: string, item: string): boolean {
  const u = model.userCode(user);
  const i = model.itemCode(item);
  if (u < 0 || i < 0) return false;
  for (const seen of model.seenBy(u)) if (seen === i) return true;
  return false;
}

export interface HeldOutComparison {
  /** Held-out interactions no compared model trained on. */
  rows: number;
  /** Held-out interactions before leaving out those some model trained on. */
  testRows: number;
  /** Each model's metrics on those rows, in the order given. */
  metrics: Record<string, number>[];
  /** Each model's per-user ranking values on those rows, in the order given. */
  perUser: Evaluation["perUser"][];
  /** The rows themselves (what rating errors are recomputed on). */
  held: HeldOut;
}

/** Scores every model on the held-out interactions none of them trained on (same rows, same K, same relevance). */
export function compareOnHeldOut(models: readonly RecommenderModel[], test: HeldOut, k: number, relevance: Relevance): HeldOutComparison {
  const keep: number[] = [];
  for (let j = 0; j < test.users.length; j++) if (!models.some((m) => trainedOn(m, test.users[j], test.items[j]))) keep.push(j);
  const rows: HeldOut = {
    users: keep.map((j) => test.users[j]),
    items: keep.map((j) => test.items[j]),
    ratings: test.ratings ? Float64Array.from(keep, (j) => test.ratings![j]) : null,
  };
  const evals = models.map((m) => evaluateRecommender(m, rows, k, relevance));
  return { rows: keep.length, testRows: test.users.length, metrics: evals.map((e) => e.metrics), perUser: evals.map((e) => e.perUser), held: rows };
}

export interface GateBootstrap {
  resamples: number;
  seed: number;
}

/**
 * The paired-bootstrap interval of challenger − champion (learn/bootstrap.ts): ranking metrics (`<name>_at_<k>`)
 * resample the held-out users both models ranked, each user's value (e.g. its NDCG@K) paired across the models; rmse
 * and mae resample the held-out interactions with both models' estimates. Other metrics (coverage) have none.
 */
function interval(c: HeldOutComparison, models: readonly [RecommenderModel, RecommenderModel], metric: string, b: GateBootstrap): GateComparison["interval"] {
  const opts = { resamples: b.resamples, seed: b.seed };
  const ranking = /^(precision|recall|ndcg|map|hit_rate)_at_\d+$/.exec(metric);
  if (ranking) {
    const name = ranking[1] as "precision" | "recall" | "ndcg" | "map" | "hit_rate";
    const [a, z] = c.perUser;
    const at = new Map(z.users.map((u, x) => [u, x]));
    const va: number[] = [];
    const vb: number[] = [];
    a.users.forEach((u, x) => {
      const y = at.get(u);
      if (y !== undefined) (va.push(a.values[name][x]), vb.push(z.values[name][y]));
    });
    if (va.length < 2) return null;
    // A per-user value v ≥ 0 is the absolute error of predicting v for a true 0, so the bootstrap's weighted mean
    // absolute error is the weighted mean of the users' values: the same resampling code as the tabular gate.
    const zero = new Float64Array(va.length);
    const r = pairedBootstrap("regression", "mae", { y: zero, out: Float64Array.from(va), k: 0 }, { y: zero, out: Float64Array.from(vb), k: 0 }, opts);
    return { lo: r.lo, hi: r.hi, level: r.level, resamples: r.resamples };
  }
  if ((metric === "rmse" || metric === "mae") && c.held.ratings && c.held.ratings.length >= 2 && models.every((m) => m.fitted.rates)) {
    const y = c.held.ratings;
    const [pa, pb] = models.map((m) => m.predictPairs(c.held.users.map((u, j) => ({ user: u, item: c.held.items[j] }))));
    const r = pairedBootstrap("regression", metric, { y, out: pa, k: 0 }, { y, out: pb, k: 0 }, opts);
    return { lo: r.lo, hi: r.hi, level: r.level, resamples: r.resamples };
  }
  return null;
}

/** The gate's comparison of a challenger with the champion on `metric`; with `bootstrap`, the interval of the difference. */
export function gateComparison(
  champion: RecommenderModel, challenger: RecommenderModel, test: HeldOut, k: number, relevance: Relevance, metric: string, bootstrap?: GateBootstrap,
): GateComparison {
  const c = compareOnHeldOut([champion, challenger], test, k, relevance);
  const [a, b] = [c.metrics[0][metric], c.metrics[1][metric]];
  if (a === undefined || b === undefined) {
    return { rows: c.rows, testRows: c.testRows, champion: NaN, challenger: NaN, interval: null, unavailable: `${metric} is not a metric of both models (${Object.keys(c.metrics[1]).join(", ")})` };
  }
  return { rows: c.rows, testRows: c.testRows, champion: a, challenger: b, interval: bootstrap ? interval(c, [champion, challenger], metric, bootstrap) : null };
}
