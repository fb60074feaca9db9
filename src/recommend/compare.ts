// Leak-free comparison of recommenders for the promotion gate: held-out interactions chosen by the identity of the
// (user, item) pair (a pair keeps its side of the split as the table grows), and champion and challenger scored only
// on held-out interactions that neither trained on (each artifact knows the pairs it saw in training).

import { hashSplit, rowIdentities } from "../learn/row-identity.js";
import type { GateComparison } from "../registry/gate.js";
import { evaluateRecommender, type HeldOut, type Relevance } from "./evaluate.js";
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
  return { rows: keep.length, testRows: test.users.length, metrics: models.map((m) => evaluateRecommender(m, rows, k, relevance).metrics) };
}

/** The gate's comparison of a challenger with the champion on `metric` (no bootstrap interval: ranking metrics are per user). */
export function gateComparison(champion: RecommenderModel, challenger: RecommenderModel, test: HeldOut, k: number, relevance: Relevance, metric: string): GateComparison {
  const c = compareOnHeldOut([champion, challenger], test, k, relevance);
  const [a, b] = [c.metrics[0][metric], c.metrics[1][metric]];
  if (a === undefined || b === undefined) {
    return { rows: c.rows, testRows: c.testRows, champion: NaN, challenger: NaN, interval: null, unavailable: `${metric} is not a metric of both models (${Object.keys(c.metrics[1]).join(", ")})` };
  }
  return { rows: c.rows, testRows: c.testRows, champion: a, challenger: b, interval: null };
}
