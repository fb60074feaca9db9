// How a time budget for `auto` is shared when auto runs more than once: with CV of K folds it runs in each fold and then
// on every train row, K + 1 runs, so each gets an even share and the budget bounds the whole, not each run.
// One rule for `millrace train --cv K --time-budget` and for a project's train.cv_folds with time_budget_s.
import { AUTO_PARAMS } from "../param-schemas.js";

export interface AutoBudget {
  /** The budget the user gave (or auto's default), seconds. */
  total: number;
  /** Each run's share, seconds (rounded to the millisecond). */
  perFit: number;
  /** Runs of auto: K + 1 with K-fold CV (K >= 2), else 1. */
  fits: number;
}

/** The share of `timeBudgetS` (undefined: auto's default) for each of the runs K-fold CV makes. */
export function shareAutoBudget(timeBudgetS: unknown, cvFolds: number): AutoBudget {
  const given = timeBudgetS === undefined || timeBudgetS === null ? NaN : Number(timeBudgetS);
  const total = Number.isFinite(given) ? given : AUTO_PARAMS.parse({}).time_budget_s;
  const fits = cvFolds >= 2 ? cvFolds + 1 : 1;
  // Rounded to the millisecond, never to 0 (a 1 ms budget over 6 runs is still a budget, not a refusal).
  return { total, perFit: Math.max(0.001, Math.round((total / fits) * 1000) / 1000), fits };
}
