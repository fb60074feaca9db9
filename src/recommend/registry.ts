// The recommenders by name: one value each (hyperparameter schema, whether it needs explicit ratings, how to build
// and restore it). The CLI, millrace.yaml and serving all ask this registry.

import { ValidationError } from "../errors.js";
import type { ParamSchema } from "../learn/params.js";
import { ALS_PARAMS, ALSRecommender, FittedALS, type ALSState } from "./als.js";
import { BASELINE_PARAMS, BaselineRecommender } from "./baseline.js";
import { FittedBiasedMF, type BiasedMFState } from "./biased-mf.js";
import type { FittedRecommender, Recommender } from "./estimator.js";
import { FittedItemKnn, ITEM_KNN_PARAMS, ItemKnnRecommender, type ItemKnnState } from "./item-knn.js";
import { FittedNMF, NMF_PARAMS, NMFRecommender, type NMFState } from "./nmf.js";
import { FittedPopularity, POPULARITY_PARAMS, PopularityRecommender } from "./popularity.js";
import { SVD_PARAMS, SVDRecommender } from "./svd.js";
import { SVDPP_PARAMS, SVDppRecommender } from "./svdpp.js";
import { FittedTwoTower, TWO_TOWER_PARAMS, TwoTowerRecommender, type TwoTowerState } from "./two-tower/model.js";

export interface RecommenderKind {
  name: string;
  /** What it learns from: explicit ratings (rating errors mean something) or implicit interactions (scores only). */
  feedback: "explicit" | "implicit" | "both";
  params: ParamSchema;
  summary: string;
  create(params: Record<string, unknown>): Recommender;
  restore(state: Record<string, unknown>): FittedRecommender;
}

const biased = (name: string) => (s: Record<string, unknown>) => new FittedBiasedMF(name, s as unknown as BiasedMFState);

export const RECOMMENDERS: Record<string, RecommenderKind> = {
  popularity: {
    name: "popularity",
    feedback: "both",
    params: POPULARITY_PARAMS,
    summary: "the most-interacted items for everyone (the yardstick, and the cold-start answer)",
    create: (p) => new PopularityRecommender(p),
    restore: (s) => new FittedPopularity(s as unknown as { count: Float64Array }),
  },
  baseline: {
    name: "baseline",
    feedback: "explicit",
    params: BASELINE_PARAMS,
    summary: "regularised user and item biases (Surprise BaselineOnly)",
    create: (p) => new BaselineRecommender(p),
    restore: biased("baseline"),
  },
  svd: {
    name: "svd",
    feedback: "explicit",
    params: SVD_PARAMS,
    summary: "biased matrix factorisation by SGD (Surprise SVD)",
    create: (p) => new SVDRecommender(p),
    restore: biased("svd"),
  },
  svdpp: {
    name: "svdpp",
    feedback: "explicit",
    params: SVDPP_PARAMS,
    summary: "SVD with implicit feedback of the rated items (Surprise SVDpp)",
    create: (p) => new SVDppRecommender(p),
    restore: biased("svdpp"),
  },
  nmf: {
    name: "nmf",
    feedback: "explicit",
    params: NMF_PARAMS,
    summary: "non-negative factorisation, multiplicative updates on observed entries (Surprise NMF)",
    create: (p) => new NMFRecommender(p),
    restore: (s) => new FittedNMF(s as unknown as NMFState),
  },
  item_knn: {
    name: "item_knn",
    feedback: "explicit",
    params: ITEM_KNN_PARAMS,
    summary: "item-based kNN on baseline residuals, shrunk Pearson (Surprise KNNBaseline)",
    create: (p) => new ItemKnnRecommender(p),
    restore: (s) => new FittedItemKnn(s as unknown as ItemKnnState),
  },
  als: {
    name: "als",
    feedback: "both",
    params: ALS_PARAMS,
    summary: "implicit-feedback ALS with confidence 1 + alpha·r (Hu, Koren, Volinsky)",
    create: (p) => new ALSRecommender(p),
    restore: (s) => new FittedALS(s as unknown as ALSState),
  },
  two_tower: {
    name: "two_tower",
    feedback: "both",
    params: TWO_TOWER_PARAMS,
    summary: "two-tower network: id/categorical embeddings, feature MLPs, optional Transformer over the history, dot product",
    create: (p) => new TwoTowerRecommender(p),
    restore: (s) => new FittedTwoTower(s as unknown as TwoTowerState),
  },
};

export function recommenderKind(name: string, path = "model"): RecommenderKind {
  const kind = RECOMMENDERS[name];
  if (!kind) throw new ValidationError(`unknown recommender "${name}"`, { path, hint: `recommenders: ${Object.keys(RECOMMENDERS).join(", ")}` });
  return kind;
}
