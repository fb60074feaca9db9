// How `auto` compares its scored candidates and their blend: on the same held-out rows. CV parts are fitted in order,
// so the rows every scored candidate has out-of-fold predictions for are those of the first `shared` parts: all of
// them, unless the budget ended the first candidate's CV early and left no time to fit its other parts later; then
// every candidate is compared, and the blend scored, on those parts only, and the selection says so.
import type { Task } from "../../records.js";
import { taskMetrics } from "../task-metrics.js";
import { logProbs, selectBlend, softmaxRows } from "./blend.js";
import type { AutoCandidate, AutoSelection } from "./selection.js";

/** A scored candidate's held-out predictions and score on each CV part it fitted, in order. */
export interface HeldOut {
  outs: Float64Array[];
  scores: number[];
}

/** Name of the weighted average of candidates, in `candidates` and as the chosen learner. */
export const BLEND = "blend";

export function meanStd(scores: number[]): { mean: number; std: number } {
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  return { mean, std: Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length) };
}

/** The CV parts (the first ones) every scored candidate has held-out predictions for. */
export function sharedParts(held: Map<AutoCandidate, HeldOut>): number {
  return Math.min(...[...held.values()].map((h) => h.scores.length));
}

/** The best scored candidate by its mean score over the shared parts (undefined when none was scored). */
export function bestOnShared(held: Map<AutoCandidate, HeldOut>, sign: 1 | -1): AutoCandidate | undefined {
  const shared = sharedParts(held);
  let b: AutoCandidate | undefined;
  let bScore = -Infinity;
  for (const [c, h] of held) {
    const s = sign * meanStd(h.scores.slice(0, shared)).mean;
    if (!b || s > bScore) (b = c), (bScore = s);
  }
  return b;
}

/**
 * When the shared parts are fewer than `nParts`: each scored candidate's mean over them (`comparedMean`), and the
 * selection's record of it; else nothing.
 */
export function sayComparison(held: Map<AutoCandidate, HeldOut>, nParts: number): Pick<AutoSelection, "comparedParts" | "comparison"> {
  const shared = sharedParts(held);
  if (held.size < 2 || shared >= nParts) return {};
  for (const [c, h] of held) c.comparedMean = meanStd(h.scores.slice(0, shared)).mean;
  const short = [...held].filter(([, h]) => h.scores.length === shared).map(([c]) => `${c.label}'s`);
  const which = shared === 1 ? "CV part 1" : `CV parts 1–${shared}`;
  const ended = `${short.join(" and ")} CV ended after ${shared} part${shared === 1 ? "" : "s"}`;
  return { comparedParts: shared, comparison: `${which} of ${nParts}: ${ended}; candidates and the blend are compared on those held-out rows` };
}

/** What tryBlend is given: the candidates it may mix and how the result is judged. */
export interface BlendRequest {
  pool: AutoCandidate[];
  held: Map<AutoCandidate, HeldOut>;
  parts: { y: Float64Array }[];
  /** The blend is scored on the first `shared` parts, and must beat `bar`, the winner's mean score there. */
  shared: number;
  bar: number;
  task: Task;
  metric: string;
  sign: 1 | -1;
  nClasses: number;
  /** A member's refit is expected to take its seconds per CV part x grow; the blend is skipped beyond `left` seconds. */
  partSeconds: (c: AutoCandidate) => number;
  grow: number;
  left: number;
}

/**
 * The blend of the pool's held-out predictions on the shared parts (selectBlend) as one more candidate; its members
 * (with weights) when it beats the winner there (a forest, outside a classifier's pool, included) and refitting every
 * member is expected to fit in the time left; else the blend is recorded as "not better" or skipped.
 */
export function tryBlend(r: BlendRequest): { candidate: AutoCandidate; members: { c: AutoCandidate; weight: number }[] | null } {
  const { pool, held, parts, shared, task, metric, sign, nClasses } = r;
  const s0 = performance.now();
  const candidate: AutoCandidate = { label: BLEND, model: BLEND, params: {}, metric, cvMean: null, cvStd: null, seconds: 0, status: "scored" };
  if (pool.length > 1 && shared < parts.length) (candidate.cvParts = shared), (candidate.reason = `scored on the ${shared} of ${parts.length} CV parts every candidate has held-out predictions for`);
  // Classifiers: held-out probabilities as margins (log p), each mix scored on its softmax, as FittedAuto predicts.
  const toOut = nClasses > 0 ? (o: Float64Array) => softmaxRows(Float64Array.from(o), nClasses) : (o: Float64Array) => o;
  const score = (outs: Float64Array[]) => outs.reduce((a, o, j) => a + (taskMetrics(task, parts[j].y, toOut(o), Math.max(nClasses, 1))[metric] ?? NaN), 0) / outs.length;
  const found = selectBlend(pool.map((c) => held.get(c)!.outs.slice(0, shared).map((o) => (nClasses > 0 ? logProbs(o) : o))), score, sign);
  const done = (status: AutoCandidate["status"]) => {
    candidate.seconds = (performance.now() - s0) / 1000;
    candidate.status = status;
    return { candidate, members: null };
  };
  if (!found) return done("not better");
  const members = pool.map((c, i) => ({ c, weight: found.weights[i] })).filter((m) => m.weight > 0);
  candidate.params = Object.fromEntries(members.map((m) => [m.c.label, Number(m.weight.toFixed(4))]));
  candidate.cvMean = found.score;
  if (!(sign * found.score > sign * r.bar)) return done("not better");
  const refit = members.reduce((a, m) => a + r.partSeconds(m.c) * r.grow, 0) + (performance.now() - s0) / 1000;
  if (refit > r.left) return done("skipped: budget");
  candidate.seconds = (performance.now() - s0) / 1000;
  return { candidate, members };
}
