// The model zoo by name: how to build each learner, which feature pipeline it needs, and how to restore it.

import { ValidationError } from "../errors.js";
import type { ModelKind } from "./model-kind.js";
export type { ModelKind } from "./model-kind.js";
import { LINEAR_PIPELINE, TREE_PIPELINE } from "../features/pipeline.js";
import type { Task } from "../records.js";
import { FittedGBDT, GradientBoosting, GBDT_PARAMS, type GBDTState } from "./gbdt/booster.js";
import { FittedLogistic, LogisticRegression, LOGISTIC_PARAMS, type LogisticState } from "./linear/logistic.js";
import { FittedRidge, Ridge, RIDGE_PARAMS, type RidgeState } from "./linear/ridge.js";
import { FittedForest, RandomForest, FOREST_PARAMS, type ForestModelState } from "./forest/random-forest.js";
import { FittedNaiveBayes, NaiveBayes, NAIVE_BAYES_PARAMS, type NaiveBayesState } from "./bayes/naive-bayes.js";
import { ELASTIC_NET_PARAMS, ElasticNet } from "./linear/elastic-net.js";
import { FittedKnn, KNearestNeighbors, KNN_PARAMS, type KnnState } from "./neighbors/knn.js";
import { FittedStacking, STACKING_PARAMS, StackingEnsemble } from "./ensemble/stacking.js";
import { FittedVoting, VOTING_PARAMS, VotingEnsemble } from "./ensemble/voting.js";
import { checkMembers } from "./ensemble/members.js";
import { AUTO_PARAMS, AutoModel, FittedAuto } from "./auto/auto.js";
import { FittedLinearSvm, LINEAR_SVM_PARAMS, LinearSvm, type LinearSvmState } from "./linear/linear-svm.js";
import { checkPca, FittedPcaThen, PCA_PARAMS, PcaThen } from "./ensemble/pca-then.js";
import { DECISION_TREE_PARAMS, DecisionTree } from "./forest/decision-tree.js";
import { BAGGING_PARAMS, BaggingEnsemble, baggingBase, FittedBagging } from "./ensemble/bagging.js";


const CLASSIFY: readonly Task[] = ["binary", "multiclass"];
const ALL: readonly Task[] = ["binary", "multiclass", "regression"];

export const MODELS: Record<string, ModelKind> = {
  // A portfolio of the learners below tried by CV within a time budget (auto/portfolio.ts); the winner is refit.
  auto: {
    name: "auto",
    tasks: ALL,
    pipeline: TREE_PIPELINE,
    params: AUTO_PARAMS,
    create: (p) => new AutoModel(p, memberKind),
    restore: (s) => FittedAuto.restore(memberKind, s as never),
  },
  logistic_regression: {
    name: "logistic_regression",
    tasks: CLASSIFY,
    pipeline: LINEAR_PIPELINE,
    params: LOGISTIC_PARAMS,
    create: (p) => new LogisticRegression(p),
    restore: (s) => new FittedLogistic(s as unknown as LogisticState),
  },
  ridge: {
    name: "ridge",
    tasks: ["regression"],
    pipeline: LINEAR_PIPELINE,
    params: RIDGE_PARAMS,
    create: (p) => new Ridge(p),
    restore: (s) => new FittedRidge("ridge", s as unknown as RidgeState),
  },
  linear_regression: {
    name: "linear_regression",
    tasks: ["regression"],
    pipeline: LINEAR_PIPELINE,
    params: RIDGE_PARAMS,
    create: (p) => new Ridge(p, "linear_regression"),
    restore: (s) => new FittedRidge("linear_regression", s as unknown as RidgeState),
  },
  lasso: {
    name: "lasso",
    tasks: ["regression"],
    pipeline: LINEAR_PIPELINE,
    params: ELASTIC_NET_PARAMS,
    create: (p) => new ElasticNet(p, "lasso"),
    restore: (s) => new FittedRidge("lasso", s as unknown as RidgeState),
  },
  elastic_net: {
    name: "elastic_net",
    tasks: ["regression"],
    pipeline: LINEAR_PIPELINE,
    params: ELASTIC_NET_PARAMS,
    create: (p) => new ElasticNet(p),
    restore: (s) => new FittedRidge("elastic_net", s as unknown as RidgeState),
  },
  linear_svm: {
    name: "linear_svm",
    tasks: CLASSIFY,
    pipeline: LINEAR_PIPELINE,
    params: LINEAR_SVM_PARAMS,
    create: (p) => new LinearSvm(p),
    restore: (s) => new FittedLinearSvm(s as unknown as LinearSvmState),
  },
  naive_bayes: {
    name: "naive_bayes",
    tasks: CLASSIFY,
    pipeline: LINEAR_PIPELINE,
    params: NAIVE_BAYES_PARAMS,
    create: (p) => new NaiveBayes(p),
    restore: (s) => new FittedNaiveBayes(s as unknown as NaiveBayesState),
  },
  knn: {
    name: "knn",
    tasks: ALL,
    pipeline: LINEAR_PIPELINE,
    params: KNN_PARAMS,
    create: (p) => new KNearestNeighbors(p),
    restore: (s) => new FittedKnn(s as unknown as KnnState),
  },
  gbdt: {
    name: "gbdt",
    tasks: ALL,
    pipeline: TREE_PIPELINE,
    params: GBDT_PARAMS,
    create: (p) => new GradientBoosting(p),
    restore: (s) => new FittedGBDT(s as unknown as GBDTState),
  },
  random_forest: {
    name: "random_forest",
    tasks: ALL,
    pipeline: TREE_PIPELINE,
    params: FOREST_PARAMS,
    create: (p) => new RandomForest(p),
    restore: (s) => new FittedForest("random_forest", s as unknown as ForestModelState),
  },
  extra_trees: {
    name: "extra_trees",
    tasks: ALL,
    pipeline: TREE_PIPELINE,
    params: FOREST_PARAMS,
    create: (p) => new RandomForest(p, "extra_trees"),
    restore: (s) => new FittedForest("extra_trees", s as unknown as ForestModelState),
  },
  decision_tree: {
    name: "decision_tree",
    tasks: ALL,
    pipeline: TREE_PIPELINE,
    params: DECISION_TREE_PARAMS,
    create: (p) => new DecisionTree(p),
    restore: (s) => new FittedForest("decision_tree", s as unknown as ForestModelState),
  },
  // Ensembles get the registry as a lookup function (no import cycle); members take the tree pipeline's output
  // and linear members impute and scale it themselves.
  voting: {
    name: "voting",
    tasks: ALL,
    pipeline: TREE_PIPELINE,
    params: VOTING_PARAMS,
    check: (p) => checkMembers(p, memberKind, "voting"),
    create: (p) => new VotingEnsemble(p, memberKind),
    restore: (s) => FittedVoting.restore(memberKind, s as never),
  },
  // PCA of the numeric inputs, then a learner on the components (the transform alone: FittedPcaThen.transform).
  pca: {
    name: "pca",
    tasks: ALL,
    pipeline: TREE_PIPELINE,
    params: PCA_PARAMS,
    check: (p) => checkPca(p, memberKind),
    create: (p) => new PcaThen(p, memberKind),
    restore: (s) => FittedPcaThen.restore(memberKind, s as never),
  },
  bagging: {
    name: "bagging",
    tasks: ALL,
    pipeline: TREE_PIPELINE,
    params: BAGGING_PARAMS,
    check: (p) => void baggingBase(p, memberKind),
    create: (p) => new BaggingEnsemble(p, memberKind),
    restore: (s) => FittedBagging.restore(memberKind, s as never),
  },
  stacking: {
    name: "stacking",
    tasks: ALL,
    pipeline: TREE_PIPELINE,
    params: STACKING_PARAMS,
    check: (p) => checkMembers(p, memberKind, "stacking"),
    create: (p) => new StackingEnsemble(p, memberKind),
    restore: (s) => FittedStacking.restore(memberKind, s as never),
  },
};

function memberKind(name: string): ModelKind {
  return modelKind(name);
}

export function modelKind(name: string, task?: Task): ModelKind {
  const kind = MODELS[name];
  if (!kind) {
    throw new ValidationError(`unknown model "${name}"`, { path: "candidate.model", hint: `available models: ${Object.keys(MODELS).join(", ")}` });
  }
  if (task && !kind.tasks.includes(task)) {
    const alternatives = Object.values(MODELS).filter((m) => m.tasks.includes(task)).map((m) => m.name);
    throw new ValidationError(`model "${name}" does not do ${task}`, {
      path: "candidate.model",
      hint: `models for ${task}: ${alternatives.join(", ")}`,
    });
  }
  return kind;
}
