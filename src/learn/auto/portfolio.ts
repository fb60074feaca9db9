// The candidates `auto` tries, cheapest first: a regularised linear model, GBDTs (default, small-data and
// early-stopped), random forest and extra trees. Each is a registry model name plus parameters.

import type { Task } from "../../records.js";

export interface PortfolioEntry {
  /** Name in the report and in `candidates`, e.g. "gbdt_regularised". */
  label: string;
  model: string;
  params: Record<string, unknown>;
}

/** Candidates for a task, in the order they are tried (a budget that runs out drops the later ones). */
export function portfolio(task: Task, nRows: number): PortfolioEntry[] {
  const linear: PortfolioEntry[] =
    task === "regression"
      ? [{ label: "ridge", model: "ridge", params: {} }]
      : [{ label: "logistic_regression", model: "logistic_regression", params: {} }];
  const small = nRows < 20_000;
  return [
    ...linear,
    { label: "gbdt", model: "gbdt", params: {} },
    // Shallower, slower-learning trees with row/column sampling and early stopping: what wins on small tabular sets.
    {
      label: "gbdt_regularised",
      model: "gbdt",
      params: { learning_rate: 0.05, n_estimators: 1000, early_stopping_rounds: 50, max_depth: 4, max_leaves: 16, min_child_weight: small ? 5 : 1, subsample: 0.8, colsample_bytree: 0.8, reg_lambda: 5 },
    },
    { label: "random_forest", model: "random_forest", params: {} },
    { label: "extra_trees", model: "extra_trees", params: {} },
    {
      label: "gbdt_deep",
      model: "gbdt",
      params: { learning_rate: 0.05, n_estimators: 2000, early_stopping_rounds: 50, max_depth: 0, max_leaves: 63, min_child_weight: small ? 3 : 1, subsample: 0.8, colsample_bytree: 0.7 },
    },
  ];
}
