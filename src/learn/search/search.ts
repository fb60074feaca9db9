// Hyperparameter search: grid, random or TPE over a space, each trial scored by cross-validation on the train
// rows, hopeless trials pruned fold by fold (median rule), every trial reported through onTrial; the best
// parameters are then refit on all train rows and tested once.

import { TrainingError, ValidationError } from "../../errors.js";
import { defaultMetric, metricDef, metricSign, metricsOfTask } from "../metric-registry.js";
import { modelKind } from "../models.js";
import type { ParamValue, Params } from "../params.js";
import { Rng } from "../rng.js";
import { fitOptionParams, splitParams, TrainingSession } from "../session.js";
import type { Fold } from "../split.js";
import { summarizeFolds } from "../task-metrics.js";
import { fitFinal, type TrainResult } from "../train.js";
import { gridSpace, sampleSpace, validateSpace } from "./space.js";
import type { SearchRequest, Trial } from "./search-request.js";
import { TrialPool } from "./trial-pool.js";
import { evaluateTrial, type TrialContext, type TrialOutcome } from "./trial.js";
import { proposeTpe, type Observation } from "./tpe.js";

export type { SearchMethod, SearchRequest, Trial } from "./search-request.js";


export interface SearchResult extends TrainResult {
  trials: Trial[];
  bestTrial: Trial;
  metric: string;
  /** Trials that ran side by side: 1, or the worker threads used (`parallel`, when the compiled worker exists). */
  workers: number;
}

/** The request as a worker thread can receive it (functions do not cross threads). */
function withoutCallbacks(req: SearchRequest): Omit<SearchRequest, "onTrial" | "onProgress"> {
  const { onTrial: _t, onProgress: _p, ...rest } = req;
  return rest;
}

export async function searchCandidates(req: SearchRequest): Promise<SearchResult> {
  validateSpace(req.space);
  const session = new TrainingSession(req);
  const kind = modelKind(req.candidate.model, req.task);
  const { options, learnerParams: fixed } = splitParams(req);
  // The fixed parameters are checked once, here; each trial is a clone of this estimator with its sampled values set.
  const base = kind.create(fixed);
  const metric = req.metric ?? defaultMetric(req.task);
  const sign = metricSign(metric);
  if (!metricDef(metric).compute[req.task]) {
    throw new ValidationError(`metric "${metric}" is not measured for task ${req.task}`, { path: "metric", hint: `use one of ${metricsOfTask(req.task).join(", ")}` });
  }
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

  const parallel = Math.max(1, Math.min(req.parallel ?? 1, budget));
  const pool = parallel > 1 ? TrialPool.open(parallel, { req: withoutCallbacks(req), folds }) : null;
  const evaluate = (sampled: Params, ctx: TrialContext): Promise<TrialOutcome> =>
    pool ? pool.run({ sampled, ctx }) : evaluateTrial(session, kind, options, base, sampled, folds, ctx);
  try {
    for (let t0 = 0; t0 < budget; t0 += parallel) {
      const round = Array.from({ length: Math.min(parallel, budget - t0) }, (_, k) => {
        const t = t0 + k;
        const sampled: Record<string, ParamValue> = grid ? grid[t] : req.method === "tpe" ? proposeTpe(req.space, done, rng) : sampleSpace(req.space, rng);
        return { t, sampled };
      });
      const started = performance.now();
      // Each trial of a round prunes against the same reference: the trials complete before the round began.
      const ctxOf = (t: number): TrialContext => ({ metric, sign, prune, running: running.map((r) => [...r]), label: `trial ${t + 1}/${budget}` });
      const outcomes = await Promise.all(round.map(async ({ t, sampled }) => {
        const outcome = await evaluate(sampled, ctxOf(t));
        return { outcome, seconds: (performance.now() - started) / 1000 };
      }));
      for (const [k, { t, sampled }] of round.entries()) {
        const { outcome, seconds } = outcomes[k];
        const { foldMetrics, means, state, error } = outcome;
        const score = foldMetrics.length ? means[means.length - 1] : NaN;
        if (state === "complete") {
          means.forEach((v, i) => running[i].push(v));
          done.push({ params: sampled, score: sign * score });
        }
        const trial: Trial = {
          number: t,
          params: outcome.params ?? { ...fixed, ...sampled },
          metrics: summarizeFolds(foldMetrics),
          foldMetrics,
          score,
          state,
          ...(error ? { error } : {}),
          seconds,
        };
        trials.push(trial);
        await req.onTrial?.(trial);
      }
    }
  } finally {
    await pool?.close();
  }

  const complete = trials.filter((t) => t.state === "complete");
  if (complete.length === 0) {
    throw new TrainingError(`no trial of the ${req.method} search finished (${trials.filter((t) => t.state === "failed").length} failed)`, {
      hint: trials.find((t) => t.error)?.error ?? "widen the search space",
    });
  }
  const best = complete.reduce((a, b) => (sign * b.score > sign * a.score ? b : a));
  // The refit keeps what a plain candidate's final fit keeps: loss per round, importance, mean |SHAP|.
  return {
    ...(await fitFinal(session, kind, base.clone().setParams(best.params), options, req.learningCurve === true)),
    params: { ...best.params, ...fitOptionParams(options) },
    cvMetrics: best.metrics,
    cvFoldMetrics: best.foldMetrics,
    trials,
    bestTrial: best,
    metric,
    workers: pool ? parallel : 1,
  };
}
