// Hyperparameter search: grid, random or TPE over a space, each trial scored by cross-validation on the train
// rows, hopeless trials pruned fold by fold (median rule), every trial reported through onTrial; the best
// parameters are then refit on all train rows and tested once.

import { isMillraceError, TrainingError } from "../../errors.js";
import { modelKind } from "../models.js";
import type { ParamValue, Params } from "../params.js";
import { Rng } from "../rng.js";
import { fitOptionParams, splitParams, TrainingSession, type SessionRequest } from "../session.js";
import type { Fold } from "../split.js";
import { summarizeFolds } from "../task-metrics.js";
import type { CandidateSpec, TrainResult } from "../train.js";
import { gridSpace, sampleSpace, validateSpace, type SearchSpace } from "./space.js";
import { proposeTpe, type Observation } from "./tpe.js";

export type SearchMethod = "grid" | "random" | "tpe";

export interface SearchRequest extends SessionRequest {
  /** The model and its fixed parameters; the space's parameters are added per trial. */
  candidate: CandidateSpec;
  space: SearchSpace;
  method: SearchMethod;
  /** Trials for random / tpe (default 20); a grid runs all its points (at most maxGrid). */
  trials?: number;
  maxGrid?: number;
  /** Metric to optimise (default roc_auc, rmse for regression). */
  metric?: string;
  /** Stop a trial after a fold when its running score is below the median of finished trials (default true). */
  prune?: boolean;
  /** Without CV (cvFolds < 2): the share of train rows each trial validates on. */
  validationFraction?: number;
  /** Called after every trial (the lead records each as a child run). */
  onTrial?: (trial: Trial) => void | Promise<void>;
}

export interface Trial {
  number: number;
  /** The learner's parameters for this trial (fixed + searched). */
  params: Record<string, unknown>;
  /** "<metric>_mean" / "<metric>_std" over the folds evaluated. */
  metrics: Record<string, number>;
  foldMetrics: Record<string, number>[];
  /** The optimised metric's mean over evaluated folds (NaN when failed). */
  score: number;
  state: "complete" | "pruned" | "failed";
  error?: string;
  seconds: number;
}

export interface SearchResult extends TrainResult {
  trials: Trial[];
  bestTrial: Trial;
  metric: string;
}

/** Metrics where lower is better; every other metric is maximised. */
export function lowerIsBetter(metric: string): boolean {
  return ["rmse", "mae", "log_loss", "mape", "brier"].includes(metric);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function searchCandidates(req: SearchRequest): Promise<SearchResult> {
  validateSpace(req.space);
  const session = new TrainingSession(req);
  const kind = modelKind(req.candidate.model, req.task);
  const { options, learnerParams: fixed } = splitParams(req);
  const metric = req.metric ?? (req.task === "regression" ? "rmse" : "roc_auc");
  const sign = lowerIsBetter(metric) ? -1 : 1;
  const folds: Fold[] =
    req.cvFolds >= 2 ? session.folds(req.cvFolds) : session.folds(Math.max(2, Math.round(1 / (req.validationFraction ?? 0.2)))).slice(0, 1);
  const rng = new Rng(req.seed ^ 0x5eed);
  const grid = req.method === "grid" ? gridSpace(req.space, req.maxGrid ?? 200) : null;
  const budget = grid ? grid.length : (req.trials ?? 20);
  const prune = req.prune ?? true;
  const trials: Trial[] = [];
  const done: Observation[] = [];
  /** Running mean score after fold i of every complete trial: what the median rule compares against. */
  const running: number[][] = folds.map(() => []);

  for (let t = 0; t < budget; t++) {
    const sampled: Record<string, ParamValue> = grid ? grid[t] : req.method === "tpe" ? proposeTpe(req.space, done, rng) : sampleSpace(req.space, rng);
    const params: Params = { ...fixed, ...sampled };
    const t0 = performance.now();
    const foldMetrics: Record<string, number>[] = [];
    let state: Trial["state"] = "complete";
    let error: string | undefined;
    const means: number[] = [];
    try {
      for (const [i, fold] of folds.entries()) {
        const { model } = await session.fit(kind.name, params, fold.train, `trial ${t + 1}/${budget} fold ${i + 1}/${folds.length}`, options, kind);
        const m = session.evaluate(model, fold.test);
        if (!(metric in m)) throw new TrainingError(`metric "${metric}" is not computed for task ${req.task}`, { hint: `use one of ${Object.keys(m).join(", ")}` });
        foldMetrics.push(m);
        means.push(foldMetrics.reduce((s, f) => s + f[metric], 0) / foldMetrics.length);
        // Median rule (Optuna's MedianPruner): needs a few finished trials to compare with, never on the last fold.
        if (prune && i < folds.length - 1 && running[i].length >= 3 && sign * means[i] < sign * median(running[i])) {
          state = "pruned";
          break;
        }
      }
    } catch (e) {
      if (!isMillraceError(e)) throw e;
      state = "failed";
      error = e.message;
    }
    const score = foldMetrics.length ? means[means.length - 1] : NaN;
    if (state === "complete") {
      means.forEach((v, i) => running[i].push(v));
      done.push({ params: sampled, score: sign * score });
    }
    const trial: Trial = {
      number: t,
      params: state === "failed" ? params : kind.create(params).getParams(),
      metrics: summarizeFolds(foldMetrics),
      foldMetrics,
      score,
      state,
      ...(error ? { error } : {}),
      seconds: (performance.now() - t0) / 1000,
    };
    trials.push(trial);
    await req.onTrial?.(trial);
  }

  const complete = trials.filter((t) => t.state === "complete");
  if (complete.length === 0) {
    throw new TrainingError(`no trial of the ${req.method} search finished (${trials.filter((t) => t.state === "failed").length} failed)`, {
      hint: trials.find((t) => t.error)?.error ?? "widen the search space",
    });
  }
  const best = complete.reduce((a, b) => (sign * b.score > sign * a.score ? b : a));
  const final = await session.fit(kind.name, best.params as Params, session.trainRows, "fit", options, kind);
  const t0 = performance.now();
  const testMetrics = session.testRows.length > 0 ? session.evaluate(final.model, session.testRows) : {};
  return {
    model: final.model,
    params: { ...best.params, ...fitOptionParams(options) },
    testMetrics,
    cvMetrics: best.metrics,
    cvFoldMetrics: best.foldMetrics,
    trainSeconds: final.fit,
    predictSeconds: (performance.now() - t0) / 1000,
    prepSeconds: final.prep,
    trials,
    bestTrial: best,
    metric,
  };
}
