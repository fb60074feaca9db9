// One search trial: cross-validates a parameter set fold by fold, stopping early under the median rule. Runs in the
// search's own thread or in a trial worker (trial-worker.ts), with the same result either way.

import { isMillraceError, TrainingError } from "../../errors.js";
import type { Estimator } from "../estimator.js";
import type { ModelKind } from "../models.js";
import type { Params } from "../params.js";
import type { FitOptions, TrainingSession } from "../session.js";
import type { Fold } from "../split.js";

export interface TrialContext {
  metric: string;
  /** +1 when higher is better, -1 when lower is. */
  sign: number;
  prune: boolean;
  /** Running mean score after fold i of the trials complete when this one started (the median rule's reference). */
  running: number[][];
  label: string;
}

export interface TrialOutcome {
  /** The trial's resolved parameters (fixed + sampled, defaults filled in); absent when they were refused. */
  params?: Params;
  foldMetrics: Record<string, number>[];
  /** Running mean of the metric after each evaluated fold. */
  means: number[];
  state: "complete" | "pruned" | "failed";
  error?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * `base` holds the candidate's fixed parameters; the trial is `base.clone().setParams(sampled)` (the estimator
 * contract), so a sampled value the learner refuses fails this trial only, with the learner's message.
 */
export async function evaluateTrial(
  session: TrainingSession,
  kind: ModelKind,
  options: FitOptions,
  base: Estimator,
  sampled: Params,
  folds: Fold[],
  ctx: TrialContext,
): Promise<TrialOutcome> {
  const foldMetrics: Record<string, number>[] = [];
  const means: number[] = [];
  let params: Params | undefined;
  try {
    const estimator = base.clone().setParams(sampled);
    params = estimator.getParams();
    for (const [i, fold] of folds.entries()) {
      const { model } = await session.fit(kind, estimator.clone(), fold.train, `${ctx.label} fold ${i + 1}/${folds.length}`, options);
      const m = session.evaluate(model, fold.test);
      if (!(ctx.metric in m)) throw new TrainingError(`metric "${ctx.metric}" is not computed for task ${session.req.task}`, { hint: `use one of ${Object.keys(m).join(", ")}` });
      foldMetrics.push(m);
      means.push(foldMetrics.reduce((s, f) => s + f[ctx.metric], 0) / foldMetrics.length);
      // Median rule (Optuna's MedianPruner): needs a few finished trials to compare with, never on the last fold.
      const ref = ctx.running[i];
      if (ctx.prune && i < folds.length - 1 && ref.length >= 3 && ctx.sign * means[i] < ctx.sign * median(ref)) {
        return { params, foldMetrics, means, state: "pruned" };
      }
    }
  } catch (e) {
    if (!isMillraceError(e)) throw e;
    return { ...(params ? { params } : {}), foldMetrics, means, state: "failed", error: e.message };
  }
  return { params, foldMetrics, means, state: "complete" };
}
