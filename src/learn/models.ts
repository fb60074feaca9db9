// The model zoo by name: how to build each learner, which feature pipeline it needs, and how to restore it. The names,
// tasks, parameter schemas and checks are learn/model-specs.ts's (what millrace.yaml is checked against, without this).

import type { ModelKind } from "./model-kind.js";
export type { ModelKind } from "./model-kind.js";
import { LINEAR_PIPELINE, TREE_PIPELINE, type PipelineOptions } from "../features/pipeline.js";
import type { Task } from "../records.js";
import type { Estimator, FittedEstimator } from "./estimator.js";
import { MODEL_SPECS, modelSpec, type ModelName } from "./model-specs.js";
import { FittedGBDT, GradientBoosting, type GBDTState } from "./gbdt/booster.js";
import { FittedLogistic, LogisticRegression, type LogisticState } from "./linear/logistic.js";
import { FittedRidge, Ridge, type RidgeState } from "./linear/ridge.js";
import { FittedForest, RandomForest, type ForestModelState } from "./forest/random-forest.js";
import { FittedNaiveBayes, NaiveBayes, type NaiveBayesState } from "./bayes/naive-bayes.js";
import { ElasticNet } from "./linear/elastic-net.js";
import { FittedKnn, KNearestNeighbors, type KnnState } from "./neighbors/knn.js";
import { FittedStacking, StackingEnsemble } from "./ensemble/stacking.js";
import { FittedVoting, VotingEnsemble } from "./ensemble/voting.js";
import { AutoModel, FittedAuto } from "./auto/auto.js";
import { FittedLinearSvm, LinearSvm, type LinearSvmState } from "./linear/linear-svm.js";
import { FittedPcaThen, PcaThen } from "./ensemble/pca-then.js";
import type { KindLookup } from "./ensemble/members.js";
import { DecisionTree } from "./forest/decision-tree.js";
import { BaggingEnsemble, FittedBagging } from "./ensemble/bagging.js";

/** What a learner adds to its spec: the feature pipeline it takes, how to build it and how to restore it. */
interface Implementation {
  pipeline: PipelineOptions;
  create(params: Record<string, unknown>): Estimator;
  restore(state: Record<string, unknown>): FittedEstimator;
}

// Ensembles get the registry as a lookup function (no import cycle); members take the tree pipeline's output
// and linear members impute and scale it themselves.
const IMPLEMENTATIONS: Record<ModelName, Implementation> = {
  auto: { pipeline: TREE_PIPELINE, create: (p) => new AutoModel(p, memberKind), restore: (s) => FittedAuto.restore(memberKind, s as never) },
  logistic_regression: { pipeline: LINEAR_PIPELINE, create: (p) => new LogisticRegression(p), restore: (s) => new FittedLogistic(s as unknown as LogisticState) },
  ridge: { pipeline: LINEAR_PIPELINE, create: (p) => new Ridge(p), restore: (s) => new FittedRidge("ridge", s as unknown as RidgeState) },
  linear_regression: {
    pipeline: LINEAR_PIPELINE,
    create: (p) => new Ridge(p, "linear_regression"),
    restore: (s) => new FittedRidge("linear_regression", s as unknown as RidgeState),
  },
  lasso: { pipeline: LINEAR_PIPELINE, create: (p) => new ElasticNet(p, "lasso"), restore: (s) => new FittedRidge("lasso", s as unknown as RidgeState) },
  elastic_net: { pipeline: LINEAR_PIPELINE, create: (p) => new ElasticNet(p), restore: (s) => new FittedRidge("elastic_net", s as unknown as RidgeState) },
  linear_svm: { pipeline: LINEAR_PIPELINE, create: (p) => new LinearSvm(p), restore: (s) => new FittedLinearSvm(s as unknown as LinearSvmState) },
  naive_bayes: { pipeline: LINEAR_PIPELINE, create: (p) => new NaiveBayes(p), restore: (s) => new FittedNaiveBayes(s as unknown as NaiveBayesState) },
  knn: { pipeline: LINEAR_PIPELINE, create: (p) => new KNearestNeighbors(p), restore: (s) => new FittedKnn(s as unknown as KnnState) },
  gbdt: { pipeline: TREE_PIPELINE, create: (p) => new GradientBoosting(p), restore: (s) => new FittedGBDT(s as unknown as GBDTState) },
  random_forest: {
    pipeline: TREE_PIPELINE,
    create: (p) => new RandomForest(p),
    restore: (s) => new FittedForest("random_forest", s as unknown as ForestModelState),
  },
  extra_trees: {
    pipeline: TREE_PIPELINE,
    create: (p) => new RandomForest(p, "extra_trees"),
    restore: (s) => new FittedForest("extra_trees", s as unknown as ForestModelState),
  },
  decision_tree: {
    pipeline: TREE_PIPELINE,
    create: (p) => new DecisionTree(p),
    restore: (s) => new FittedForest("decision_tree", s as unknown as ForestModelState),
  },
  voting: { pipeline: TREE_PIPELINE, create: (p) => new VotingEnsemble(p, memberKind), restore: (s) => FittedVoting.restore(memberKind, s as never) },
  pca: { pipeline: TREE_PIPELINE, create: (p) => new PcaThen(p, memberKind), restore: (s) => FittedPcaThen.restore(memberKind, s as never) },
  bagging: { pipeline: TREE_PIPELINE, create: (p) => new BaggingEnsemble(p, memberKind), restore: (s) => FittedBagging.restore(memberKind, s as never) },
  stacking: { pipeline: TREE_PIPELINE, create: (p) => new StackingEnsemble(p, memberKind), restore: (s) => FittedStacking.restore(memberKind, s as never) },
};

export const MODELS: Record<string, ModelKind> = Object.fromEntries(
  (Object.keys(MODEL_SPECS) as ModelName[]).map((name) => [name, { ...MODEL_SPECS[name], ...IMPLEMENTATIONS[name] }]),
);

/** The lookup composites fit their inner learners with (`all` lists the kinds for their errors). */
export const memberKind: KindLookup = Object.assign((name: string) => modelKind(name), { all: () => Object.values(MODELS) });

export function modelKind(name: string, task?: Task): ModelKind {
  return MODELS[modelSpec(name, task).name];
}
