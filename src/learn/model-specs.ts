// The model zoo's specs by name: tasks, hyperparameter schemas and data-free checks, without the learners. Loading
// millrace.yaml checks every candidate here; learn/models.ts adds each learner's pipeline, create and restore.
// (`millrace models` imported 74 learn modules through the full registry; this file needs a dozen.)
import { ValidationError } from "../errors.js";
import type { Task } from "../records.js";
import { baggingBase } from "./ensemble/bagging.js";
import { checkMembers } from "./ensemble/members.js";
import { checkPca } from "./ensemble/pca-then.js";
import type { ModelSpec, SpecLookup } from "./model-spec.js";
import {
  AUTO_PARAMS,
  BAGGING_PARAMS,
  DECISION_TREE_PARAMS,
  ELASTIC_NET_PARAMS,
  FOREST_PARAMS,
  GBDT_PARAMS,
  KNN_PARAMS,
  LINEAR_SVM_PARAMS,
  LOGISTIC_PARAMS,
  NAIVE_BAYES_PARAMS,
  PCA_PARAMS,
  RIDGE_PARAMS,
  STACKING_PARAMS,
  VOTING_PARAMS,
} from "./param-schemas.js";

const CLASSIFY: readonly Task[] = ["binary", "multiclass"];
const ALL: readonly Task[] = ["binary", "multiclass", "regression"];
const REGRESS: readonly Task[] = ["regression"];

export const MODEL_SPECS = {
  // A portfolio of the learners below tried by CV within a time budget (auto/portfolio.ts); the winner is refit.
  auto: { name: "auto", tasks: ALL, params: AUTO_PARAMS, explains: "when the learner it chose does" },
  logistic_regression: { name: "logistic_regression", tasks: CLASSIFY, params: LOGISTIC_PARAMS, explains: true },
  ridge: { name: "ridge", tasks: REGRESS, params: RIDGE_PARAMS, explains: true },
  linear_regression: { name: "linear_regression", tasks: REGRESS, params: RIDGE_PARAMS, explains: true },
  lasso: { name: "lasso", tasks: REGRESS, params: ELASTIC_NET_PARAMS, explains: true },
  elastic_net: { name: "elastic_net", tasks: REGRESS, params: ELASTIC_NET_PARAMS, explains: true },
  linear_svm: { name: "linear_svm", tasks: CLASSIFY, params: LINEAR_SVM_PARAMS, explains: true },
  naive_bayes: { name: "naive_bayes", tasks: CLASSIFY, params: NAIVE_BAYES_PARAMS },
  knn: { name: "knn", tasks: ALL, params: KNN_PARAMS },
  gbdt: { name: "gbdt", tasks: ALL, params: GBDT_PARAMS, explains: true },
  random_forest: { name: "random_forest", tasks: ALL, params: FOREST_PARAMS, explains: true },
  extra_trees: { name: "extra_trees", tasks: ALL, params: FOREST_PARAMS, explains: true },
  decision_tree: { name: "decision_tree", tasks: ALL, params: DECISION_TREE_PARAMS, explains: true },
  // Ensembles check their members by spec (a lookup function, no import cycle).
  voting: { name: "voting", tasks: ALL, params: VOTING_PARAMS, check: (p) => checkMembers(p, specLookup, "voting"), explains: "of members that explain, on regression or of trees on binary data" },
  // PCA of the numeric inputs, then a learner on the components (the transform alone: FittedPcaThen.transform).
  pca: { name: "pca", tasks: ALL, params: PCA_PARAMS, check: (p) => checkPca(p, specLookup) },
  bagging: { name: "bagging", tasks: ALL, params: BAGGING_PARAMS, check: (p) => void baggingBase(p, specLookup), explains: "of a base that explains, on regression or of trees on binary data" },
  stacking: { name: "stacking", tasks: ALL, params: STACKING_PARAMS, check: (p) => checkMembers(p, specLookup, "stacking") },
} satisfies Record<string, ModelSpec>;

export type ModelName = keyof typeof MODEL_SPECS;

const SPECS: Record<string, ModelSpec> = MODEL_SPECS;

/** The lookup composites check their inner learners with: by name, and every spec for the lists their errors give. */
const specLookup: SpecLookup = Object.assign((name: string) => modelSpec(name), { all: () => Object.values(SPECS) });

/**
 * The learners that explain their predictions, read from the specs' `explains`: what a refused `--explain` (CLI,
 * /predict, V2) names as the alternatives.
 */
export function explainingLearners(): string {
  const specs: ModelSpec[] = Object.values(SPECS);
  const always = specs.filter((s) => s.explains === true).map((s) => s.name);
  const when = specs.flatMap((s) => (typeof s.explains === "string" ? [`${s.name} ${s.explains}`] : []));
  return `learners that explain: ${[always.join(", "), ...when].join("; ")}`;
}

/** A learner's spec by name; with a task, refuses a learner that does not do it. Errors list the alternatives. */
export function modelSpec(name: string, task?: Task): ModelSpec {
  const spec = Object.prototype.hasOwnProperty.call(SPECS, name) ? SPECS[name] : undefined;
  if (!spec) {
    throw new ValidationError(`unknown model "${name}"`, { path: "candidate.model", hint: `available models: ${Object.keys(SPECS).join(", ")}` });
  }
  if (task && !spec.tasks.includes(task)) {
    const alternatives = Object.values(SPECS).filter((m) => m.tasks.includes(task)).map((m) => m.name);
    throw new ValidationError(`model "${name}" does not do ${task}`, {
      path: "candidate.model",
      hint: `models for ${task}: ${alternatives.join(", ")}`,
    });
  }
  return spec;
}
