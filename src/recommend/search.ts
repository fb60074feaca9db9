// Hyperparameter search over a recommender's parameters (candidate.search of millrace.yaml, the tabular shape): grid,
// random or TPE proposals from learn/search, each trial scored by CV on the train interactions only (held-out rows
// never seen), a trial stopped after a fold when its running score is below the median of finished trials (prune).

import { describeError, TrainingError, ValidationError } from "../errors.js";
import { metricSign } from "../learn/metric-registry.js";
import type { ParamValue } from "../learn/params.js";
import { Rng } from "../learn/rng.js";
import { gridSpace, sampleSpace, type SearchSpace } from "../learn/search/space.js";
import { proposeTpe, type Observation } from "../learn/search/tpe.js";
import type { Trial } from "../learn/search/search-request.js";
import { checkRecommenderSpace } from "./candidate-check.js";
import { trainRecommender, type InteractionTable } from "./train.js";

export interface RecSearchRequest {
  /** The train interactions only; folds index into it. */
  table: InteractionTable;
  /** Per fold, the rows of `table` it holds out (CV on train rows). */
  folds: readonly Uint32Array[];
  model: string;
  /** The candidate's fixed parameters; a trial adds its sampled ones. */
  fixed: Record<string, unknown>;
  space: SearchSpace;
  method: "grid" | "random" | "tpe";
  trials: number;
  prune: boolean;
  metric: string;
  seed: number;
  k: number;
  relevant?: number;
  /** Called as a trial starts (the lead opens its child run); the function it returns is called with the finished trial. */
  startTrial?: (number: number, params: Record<string, unknown>) => Promise<(t: Trial) => Promise<void>>;
  onProgress?: (done: number, total: number) => void;
}

export interface RecSearchResult {
  trials: Trial[];
  best: Trial;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function searchRecommender(req: RecSearchRequest): Promise<RecSearchResult> {
  checkRecommenderSpace(req.model, req.space);
  if (req.folds.length === 0) throw new ValidationError("a search needs folds of the train interactions to score trials on", { path: "train.cv_folds" });
  const sign = metricSign(req.metric);
  const rng = new Rng(req.seed ^ 0x5eed);
  const grid = req.method === "grid" ? gridSpace(req.space, 200) : null;
  const budget = grid ? grid.length : req.trials;
  const done: Observation[] = [];
  /** Running mean after fold f of every complete trial: the median rule's reference. */
  const running: number[][] = req.folds.map(() => []);
  const trials: Trial[] = [];
  for (let t = 0; t < budget; t++) {
    const sampled: Record<string, ParamValue> = grid ? grid[t] : req.method === "tpe" ? proposeTpe(req.space, done, rng) : sampleSpace(req.space, rng);
    const params = { ...req.fixed, ...sampled };
    const finished = await req.startTrial?.(t, params);
    const started = performance.now();
    const foldMetrics: Record<string, number>[] = [];
    const means: number[] = [];
    let state: Trial["state"] = "complete";
    let error: string | undefined;
    try {
      for (const [f, testRows] of req.folds.entries()) {
        const m = trainRecommender({ table: req.table, model: req.model, params, testRows, seed: req.seed, k: req.k, ...(req.relevant !== undefined ? { relevant: req.relevant } : {}) }).metrics;
        foldMetrics.push(m);
        means.push(foldMetrics.reduce((s, x) => s + (x[req.metric] ?? NaN), 0) / foldMetrics.length);
        req.onProgress?.(t * req.folds.length + f + 1, budget * req.folds.length);
        if (req.prune && f < req.folds.length - 1 && running[f].length >= 3 && sign * means[f] < sign * median(running[f])) {
          state = "pruned";
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof TrainingError || e instanceof ValidationError)) throw e;
      state = "failed";
      error = describeError(e);
    }
    const score = means.length ? means[means.length - 1] : NaN;
    if (state === "complete" && Number.isFinite(score)) {
      means.forEach((v, f) => running[f].push(v));
      done.push({ params: sampled, score: sign * score });
    }
    const trial: Trial = { number: t, params, metrics: foldSummary(foldMetrics), foldMetrics, score, state, ...(error ? { error } : {}), seconds: (performance.now() - started) / 1000 };
    trials.push(trial);
    await finished?.(trial);
  }
  const complete = trials.filter((t) => t.state === "complete" && Number.isFinite(t.score));
  if (complete.length === 0) {
    throw new TrainingError(`no trial of the ${req.method} search over ${req.model} finished`, { hint: trials.find((t) => t.error)?.error ?? "widen the search space" });
  }
  return { trials, best: complete.reduce((a, b) => (sign * b.score > sign * a.score ? b : a)) };
}

/** Mean and population std of each metric over folds (`<metric>_mean`, `<metric>_std`). */
export function foldSummary(folds: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(folds[0] ?? {})) {
    const v = folds.map((m) => m[name]).filter((x): x is number => Number.isFinite(x));
    if (!v.length) continue;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    out[`${name}_mean`] = mean;
    out[`${name}_std`] = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  }
  return out;
}
