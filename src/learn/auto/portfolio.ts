// The candidates `auto` tries, cheapest first: a regularised linear model (O(non-zeros) a step, so it is cheap on wide
// one-hot data too: it is the one always fitted), GBDTs (default, small-data and early-stopped), random forest and
// extra trees. Each is a registry model name plus parameters.

import type { Task } from "../../records.js";

export interface PortfolioEntry {
  /** Name in the report and in `candidates`, e.g. "gbdt_regularised". */
  label: string;
  model: string;
  params: Record<string, unknown>;
  /**
   * Rough fit time relative to the default GBDT on the same rows (linear models ~0.05): a candidate not yet tried is
   * guessed to cost this many times the slowest pace seen, so a slow one is not started when it cannot finish.
   */
  cost: number;
  /**
   * The learner reports every round or iteration through onProgress and can be stopped there (the GBDT, the linear
   * models; not the threaded forests).
   */
  stoppable: boolean;
  /**
   * A classifier's explanation is in margin space (log-odds, softmax input: the GBDT and logistic regression, not the
   * forests' probabilities and vote shares): only these enter a classifier blend, which mixes margins and explains
   * as the weighted sum of its members' explanations.
   */
  explainsMargin: boolean;
}

/** Candidates for a task, in the order they are tried (a budget that runs out drops the later ones). */
export function portfolio(task: Task, nRows: number): PortfolioEntry[] {
  const linear: PortfolioEntry[] =
    task === "regression"
      ? [{ label: "ridge", model: "ridge", params: {}, cost: 0.05, stoppable: true, explainsMargin: false }]
      : [{ label: "logistic_regression", model: "logistic_regression", params: {}, cost: 0.05, stoppable: true, explainsMargin: true }];
  const small = nRows < 20_000;
  const gbdtDeep: PortfolioEntry = {
    label: "gbdt_deep",
    model: "gbdt",
    params: { learning_rate: 0.05, n_estimators: 2000, early_stopping_rounds: 50, max_depth: 0, max_leaves: 63, min_child_weight: small ? 3 : 1, subsample: 0.8, colsample_bytree: 0.7 },
    cost: 4,
    stoppable: true,
    explainsMargin: true,
  };
  // Fully grown forests cost more than n log n on regression targets (diamonds, 3-fold CV at load 14: random forest
  // 119 s, extra trees 222 s wall, gbdt 8 s; at load 8 random forest's first fold 12.1 s, gbdt's 0.63 s) and lost
  // to the GBDTs there: from 20k rows the deep GBDT goes first.
  const forests: PortfolioEntry[] = [
    { label: "random_forest", model: "random_forest", params: {}, cost: small || task !== "regression" ? 2 : 20, stoppable: false, explainsMargin: false },
    { label: "extra_trees", model: "extra_trees", params: {}, cost: small || task !== "regression" ? 1.5 : 30, stoppable: false, explainsMargin: false },
  ];
  return [
    ...linear,
    { label: "gbdt", model: "gbdt", params: {}, cost: 1, stoppable: true, explainsMargin: true },
    // Shallower, slower-learning trees with row/column sampling and early stopping: what wins on small tabular sets.
    {
      label: "gbdt_regularised",
      model: "gbdt",
      params: { learning_rate: 0.05, n_estimators: 1000, early_stopping_rounds: 50, max_depth: 4, max_leaves: 16, min_child_weight: small ? 5 : 1, subsample: 0.8, colsample_bytree: 0.8, reg_lambda: 5 },
      cost: 2,
      stoppable: true,
      explainsMargin: true,
    },
    ...(small ? [...forests, gbdtDeep] : [gbdtDeep, ...forests]),
  ];
}
