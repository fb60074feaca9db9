// Every learner's hyperparameters as zod schemas, apart from the learners: loading millrace.yaml checks candidates
// against these without importing a learner (`millrace models` started with 74 learn modules; see learn/model-specs.ts).

import { z } from "zod";
import { CLASS_WEIGHT_CHOICES } from "./class-weight.js";

/** Logistic regression (logistic.ts). */
export const LOGISTIC_PARAMS = z.strictObject({
  C: z.number().gt(0).default(1),
  penalty: z.enum(["l2", "l1", "elasticnet", "none"]).default("l2"),
  /** Elastic-net mix: 1 = pure L1, 0 = pure L2 (penalty "elasticnet" only). */
  l1_ratio: z.number().min(0).max(1).default(0.5),
  max_iter: z.number().int().min(1).default(1000),
  tol: z.number().gt(0).default(1e-4),
  fit_intercept: z.boolean().default(true),
  class_weight: z.enum(CLASS_WEIGHT_CHOICES).default("none"),
});

/** Ridge, linear regression (ridge.ts). */
export const RIDGE_PARAMS = z.strictObject({
  alpha: z.number().min(0).default(1),
  max_iter: z.number().int().min(1).default(2000),
  tol: z.number().gt(0).default(1e-8),
  fit_intercept: z.boolean().default(true),
});

/** Elastic net and lasso (elastic-net.ts). */
export const ELASTIC_NET_PARAMS = z.strictObject({
  alpha: z.number().min(0).default(1),
  l1_ratio: z.number().min(0).max(1).default(0.5),
  max_iter: z.number().int().min(1).default(1000),
  tol: z.number().gt(0).default(1e-4),
  fit_intercept: z.boolean().default(true),
});

/** Linear SVM (linear-svm.ts). */
export const LINEAR_SVM_PARAMS = z.strictObject({
  C: z.number().gt(0).default(1),
  max_iter: z.number().int().min(1).default(1000),
  tol: z.number().gt(0).default(1e-4),
  class_weight: z.enum(CLASS_WEIGHT_CHOICES).default("none"),
  /** Folds whose held-out decision values fit the Platt sigmoid (1: the training values themselves). */
  platt_cv: z.number().int().min(1).max(10).default(3),
});

/** Naive Bayes (naive-bayes.ts). */
export const NAIVE_BAYES_PARAMS = z.strictObject({
  /** Added to every variance, as a share of the largest one (scikit-learn's GaussianNB var_smoothing). */
  var_smoothing: z.number().min(0).default(1e-9),
  /** Laplace smoothing of category counts (scikit-learn's CategoricalNB alpha). */
  alpha: z.number().min(0).default(1),
});

/** k nearest neighbours (knn.ts). */
export const KNN_PARAMS = z.strictObject({
  n_neighbors: z.number().int().min(1).default(5),
  weights: z.enum(["uniform", "distance"]).default("uniform"),
});

/** Gradient-boosted trees (booster.ts). */
export const GBDT_PARAMS = z.strictObject({
  n_estimators: z.number().int().min(1).default(200),
  learning_rate: z.number().gt(0).default(0.1),
  max_depth: z.number().int().min(0).default(6),
  // 64 = every leaf depth 6 allows, like XGBoost's depth-wise trees: with 31 flights_3m lost 0.02 AUC to XGBoost.
  max_leaves: z.number().int().min(2).default(64),
  max_bins: z.number().int().min(2).max(255).default(255),
  reg_lambda: z.number().min(0).default(1),
  reg_alpha: z.number().min(0).default(0),
  min_child_weight: z.number().min(0).default(1),
  min_data_in_leaf: z.number().min(0).default(0),
  min_split_gain: z.number().min(0).default(0),
  max_delta_step: z.number().min(0).default(0),
  subsample: z.number().gt(0).max(1).default(1),
  colsample_bytree: z.number().gt(0).max(1).default(1),
  // Many-vs-many categorical splits (columns with more than max_cat_to_onehot levels): categories with >= cat_smooth
  // rows ranked by (G + cat_smooth x node G/H) / (H + cat_smooth) (shrunk toward the node's ratio, not toward 0 as in
  // LightGBM: flights_3m -0.0034 -> +0.0005 AUC vs XGBoost, RESULTS "learn: L2"), at most max_cat_threshold of them on
  // the left, each side holding >= min_data_per_group rows, cat_l2 added to the hessian of both sides.
  // Unregularised (0 / 0 / 64 / 0) overfit the many-level columns: bench
  // RESULTS "categoricals and peers" (2026-12-05): flights_100k 0.6941 -> 0.7100 AUC (XGBoost 0.7022), insteval RMSE
  // 1.2562 -> 1.2455 (XGBoost 1.2339), credit_data 0.8419 -> 0.8398 (XGBoost 0.8408), wa_churn unchanged.
  // max_cat_threshold 64 (XGBoost's default), not 16: 16 lost flights_3m (2.4M train rows, ~300-level origin and
  // destination) 0.0172 AUC to XGBoost (0.7745 vs 0.7917; 32: 0.7824, 64: 0.7883, 128: 0.7874); it costs flights_100k
  // ~0.002 AUC and insteval +0.45% RMSE, both still ahead of XGBoost (RESULTS "G2", 2026-12-05). With the node prior
  // (L2): cat_smooth 20 / 40 lose flights_3m (-0.0029 / -0.0048) and insteval (40: 0.9991x), cat_l2 0 loses flights_3m
  // (-0.0046): 10 / 10 stay.
  cat_smooth: z.number().min(0).default(10),
  cat_l2: z.number().min(0).default(10),
  max_cat_threshold: z.number().int().min(1).default(64),
  max_cat_to_onehot: z.number().int().min(1).default(4),
  min_data_per_group: z.number().min(0).default(20),
  // Bins of a categorical column: one per level up to this many (the most frequent levels; the rest share one), so
  // a many-level id column is split level by level as XGBoost does. Above 255 the column's bins are Uint16.
  max_cat_bins: z.number().int().min(2).max(65535).default(4096),
  objective: z.enum(["auto", "squared_error", "huber", "poisson"]).default("auto"),
  huber_delta: z
    .number()
    .gt(0)
    .nullable()
    .default(null)
    .describe("objective=huber: residuals beyond it count linearly, in target units; null = the huber_alpha-quantile of |target - median| over the training rows, fixed for the fit (scikit-learn's rule at its first round). Huber starts from the median"),
  huber_alpha: z.number().gt(0).lt(1).default(0.9).describe("objective=huber without huber_delta: the quantile of |target - median| that sets delta (scikit-learn's alpha)"),
  early_stopping_rounds: z.number().int().min(0).default(0),
  validation_fraction: z.number().gt(0).max(0.5).default(0.1),
  class_weight: z.enum(CLASS_WEIGHT_CHOICES).default("none"),
  bin_sample_rows: z.number().int().min(1000).default(200000),
  /** 0 = automatic: 2 threads when rows x features >= 1M and the machine has 2 cores. */
  n_threads: z.number().int().min(0).max(64).default(0),
  /** Histogram kernel: WebAssembly (faster) when the data fits a 2 GB wasm memory, else JavaScript. */
  histogram_kernel: z.enum(["auto", "wasm", "js"]).default("auto"),
  /** "auto": level by level when max_leaves cannot bind (same tree, fewer thread syncs), else best-first. */
  grow_policy: z.enum(["auto", "lossguide"]).default("auto"),
});

/** Random forest and extra trees (random-forest.ts). */
export const FOREST_PARAMS = z.strictObject({
  n_estimators: z.number().int().min(1).default(100),
  /** 0 = grow until leaves are pure or hold min_samples_leaf rows. */
  max_depth: z.number().int().min(0).default(0),
  min_samples_leaf: z.number().min(1).default(1),
  /** "auto": sqrt for classification, all for regression (scikit-learn's defaults); or a fraction. */
  max_features: z.enum(["auto", "sqrt", "log2", "all"]).default("auto"),
  max_features_fraction: z.number().gt(0).max(1).nullable().default(null),
  bootstrap: z.boolean().default(true),
  max_bins: z.number().int().min(2).max(255).default(255),
  class_weight: z.enum(CLASS_WEIGHT_CHOICES).default("none"),
  bin_sample_rows: z.number().int().min(1000).default(200000),
  /** 0 = automatic: 2 threads on a 2-core machine unless the data is tiny. */
  n_threads: z.number().int().min(0).max(64).default(0),
});

/** One decision tree (decision-tree.ts). */
export const DECISION_TREE_PARAMS = z.strictObject({
  /** 0 = grow until leaves are pure or hold min_samples_leaf rows. */
  max_depth: z.number().int().min(0).default(0),
  min_samples_leaf: z.number().min(1).default(1),
  max_bins: z.number().int().min(2).max(255).default(255),
  class_weight: z.enum(CLASS_WEIGHT_CHOICES).default("none"),
});

/**
 * What "auto" means for the learners inside voting, stacking and pca, by task: the one place voting's and stacking's
 * `members`, stacking's `final` and pca's `then` read it (and their parameters' descriptions say it). Regression
 * members must predict values: a classifier there added 0 to every prediction (voting gave gbdt / 2, r2 -0.91).
 */
export const AUTO_INNER = {
  members: { classification: "gbdt,logistic_regression", regression: "gbdt,ridge" },
  single: { classification: "logistic_regression", regression: "ridge" },
} as const;

/** The learner list "auto" stands for in `which` (members or a single learner), for data of nClasses (0: regression). */
export function autoInner(which: keyof typeof AUTO_INNER, nClasses: number): string {
  return AUTO_INNER[which][nClasses === 0 ? "regression" : "classification"];
}

/** What the defaults of the learners inside composites are, in words: `millrace train --help` prints it. */
export function autoInnerSaid(): string {
  return `voting's and stacking's members default to ${AUTO_INNER.members.classification} for classification, ${AUTO_INNER.members.regression} for regression (-p members=a,b to choose)`;
}

const autoSaid = (which: keyof typeof AUTO_INNER): string => `"auto": ${AUTO_INNER[which].classification} for classification, ${AUTO_INNER[which].regression} for regression`;

/** Voting ensemble (voting.ts). */
export const VOTING_PARAMS = z.strictObject({
  members: z.string().default("auto").describe(`Comma-separated learners; ${autoSaid("members")}`),
  /** Comma-separated weights, one per member (empty: equal). */
  weights: z.string().default(""),
  /** JSON object of parameters per member name. */
  member_params: z.string().default(""),
});

/** Stacking ensemble (stacking.ts). */
export const STACKING_PARAMS = z.strictObject({
  members: z.string().default("auto").describe(`Comma-separated learners; ${autoSaid("members")}`),
  final: z.string().default("auto").describe(`The learner fit on the members' out-of-fold predictions; ${autoSaid("single")}`),
  cv: z.number().int().min(2).default(5),
  member_params: z.string().default(""),
});

/** Bagging (bagging.ts). */
export const BAGGING_PARAMS = z.strictObject({
  base: z.string().default("decision_tree"),
  /** JSON object of the base learner's parameters. */
  base_params: z.string().default(""),
  n_estimators: z.number().int().min(1).default(10),
  /** Rows per member as a share of the rows. */
  max_samples: z.number().gt(0).max(1).default(1),
  /** Draw rows with replacement (bagging) or without (pasting). */
  bootstrap: z.boolean().default(true),
});

/** PCA, then a learner on the components (pca-then.ts). */
export const PCA_PARAMS = z.strictObject({
  /** >= 1: number of components; in (0, 1): the fewest components that explain this share of the variance. */
  n_components: z.number().gt(0).default(0.95),
  whiten: z.boolean().default(false),
  then: z.string().default("auto").describe(`The learner fit on the components; ${autoSaid("single")}`),
  /** JSON object of that learner's parameters. */
  then_params: z.string().default(""),
});

/** auto: a portfolio tried by CV (auto.ts). */
export const AUTO_PARAMS = z.strictObject({
  time_budget_s: z.number().gt(0).default(60).describe("Seconds for the whole search (CV of every candidate and the final refit)"),
  cv: z.number().int().min(0).max(10).default(0).describe("CV folds (at least 2); 0 = 5 under 20k rows, else 3; from 50k rows only the first fold is scored (a holdout)"),
  candidates: z.string().default("").describe("Comma-separated names of portfolio entries to try (logistic_regression or ridge, gbdt, gbdt_regularised, random_forest, extra_trees, gbdt_deep) and blend (a weighted mix of the scored ones when it wins in CV; classifiers are mixed as margins, over the GBDTs and logistic regression); empty = all"),
});
