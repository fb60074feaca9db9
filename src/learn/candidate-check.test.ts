// A candidate's model, parameters and search space are checked against the model registry before any data is read.
import { describe, expect, it } from "vitest";
import { ConfigError, ValidationError } from "../errors.js";
import { projectFromYaml } from "../project/load-project.js";
import { candidateProblems, checkCandidate } from "./candidate-check.js";
import { GradientBoosting } from "./gbdt/booster.js";
import { MODELS } from "./models.js";
import { paramDefaults, resolveParams } from "./params.js";

const yaml = (candidate: string): string => `name: demo
sources:
  - name: raw
dataset:
  table: gold.training
  target: label
  task: binary
train:
  candidates:
${candidate}
registry:
  model: demo
`;

describe("candidate checks", () => {
  it("a typo in train.candidates[].params fails when millrace.yaml loads, naming file:line and the field", () => {
    const text = yaml("    - name: g\n      model: gbdt\n      params:\n        n_estimators: 50\n        max_depht: 3");
    expect(() => projectFromYaml(text, "/x/millrace.yaml")).toThrow(/millrace\.yaml:14:20 train\.candidates\.0\.params\.max_depht: unknown parameter "max_depht" for model gbdt \(valid parameters: n_estimators, learning_rate, max_depth,/);
  });

  it("a typo or an out-of-range edge in a search space fails at load too, and so does an unknown model", () => {
    const typo = yaml("    - name: g\n      model: gbdt\n      search:\n        space:\n          max_depht: { type: int, low: 2, high: 6 }");
    expect(() => projectFromYaml(typo, "/x/millrace.yaml")).toThrow(/millrace\.yaml:14:22 train\.candidates\.0\.search\.space\.max_depht: unknown parameter "max_depht" for model gbdt/);
    const range = yaml("    - name: g\n      model: gbdt\n      search:\n        space:\n          max_leaves: { type: int, low: 1, high: 8 }\n          objective: [auto, hinge]");
    expect(() => projectFromYaml(range, "/x/millrace.yaml")).toThrow(/space\.max_leaves: search space parameter "max_leaves" of gbdt must be >= 2, got 1[\s\S]*space\.objective: .*must be one of auto, squared_error, huber, poisson, got "hinge"/);
    expect(() => projectFromYaml(yaml("    - { name: x, model: xgboost }"), "/x/millrace.yaml")).toThrow(/train\.candidates\.0\.model: unknown model "xgboost" \(available models: auto, logistic_regression, /);
  });

  it("accepts the fit options beside the learner's parameters, and checks them", () => {
    expect(candidateProblems({ model: "gbdt", params: { n_estimators: 5, strict_categories: "auto", target_encoding: true, interactions: false } })).toEqual([]);
    expect(candidateProblems({ model: "gbdt", params: { interactions: "yes" } })).toEqual([{ path: ["params", "interactions"], message: 'interactions must be true or false, got "yes"' }]);
    // Every problem is reported, not only the first.
    expect(candidateProblems({ model: "knn", params: { n_neighbours: 3, weights: "gaussian" } }).map((p) => p.path.join("."))).toEqual(["params.n_neighbours", "params.weights"]);
  });

  it("looks inside an ensemble: member names, each member's parameters and stacking's final learner", () => {
    const text = yaml(`    - name: v\n      model: voting\n      params:\n        members: gbdt,knn\n        member_params: '{"gbdt": {"n_estimatorz": 10}}'`);
    expect(() => projectFromYaml(text, "/x/millrace.yaml")).toThrow(/train\.candidates\.0\.params\.member_params: member_params of voting, member gbdt: unknown parameter "n_estimatorz" for model gbdt/);
    expect(candidateProblems({ model: "voting", params: { members: "gbdt,svm" } })[0].message).toMatch(/unknown model "svm"/);
    expect(candidateProblems({ model: "stacking", params: { final: "lasso_cv" } })[0]).toMatchObject({ path: ["params", "final"], message: expect.stringMatching(/final of stacking: unknown model "lasso_cv"/) });
    expect(candidateProblems({ model: "stacking", params: { members: "gbdt,random_forest", final: "ridge", member_params: '{"gbdt":{"n_estimators":10}}' } })).toEqual([]);
  });

  it("an unknown train.metric is a config error naming the field and the metrics the task measures", () => {
    const text = yaml("    - { name: g, model: gbdt }").replace("train:\n", "train:\n  metric: aucc\n");
    expect(() => projectFromYaml(text, "/x/millrace.yaml")).toThrow(/^train\.metric: a binary task does not measure aucc$/);
    try {
      projectFromYaml(text, "/x/millrace.yaml");
    } catch (e) {
      expect((e as ConfigError).hint).toMatch(/^binary measures accuracy, precision, recall, f1, balanced_accuracy, roc_auc, pr_auc, log_loss, brier;/);
    }
  });

  it("the CLI's -p name=value gets the same error as the yaml", () => {
    expect(() => checkCandidate({ model: "gbdt", params: { max_depht: 3 } })).toThrow(ValidationError);
    expect(() => checkCandidate({ model: "gbdt", params: { max_depht: 3 } })).toThrow(/^unknown parameter "max_depht" for model gbdt \(valid parameters: /);
    expect(() => checkCandidate({ model: "gbdt", params: { max_depth: 3 } })).not.toThrow();
  });
});

describe("zod parameter schemas", () => {
  it("fill defaults and name the parameter and the rule it breaks", () => {
    expect(resolveParams("gbdt", MODELS.gbdt.params, {})).toEqual(paramDefaults(MODELS.gbdt.params));
    expect(new GradientBoosting({ max_depth: 3 }).getParams()).toMatchObject({ max_depth: 3, n_estimators: 200, objective: "auto" });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ max_depth: 1.5 }, /parameter "max_depth" of gbdt must be an integer, got 1.5/],
      [{ learning_rate: 0 }, /parameter "learning_rate" of gbdt must be > 0, got 0/],
      [{ subsample: 2 }, /parameter "subsample" of gbdt must be <= 1, got 2/],
      [{ objective: "hinge" }, /must be one of auto, squared_error, huber, poisson/],
      [{ n_estimators: "10" }, /must be a finite number, got "10"/],
      [{ n_estimators: null }, /must be a finite number, got null/],
    ];
    for (const [given, msg] of cases) expect(() => new GradientBoosting(given)).toThrow(msg);
    expect(MODELS.random_forest.create({ max_features_fraction: null }).getParams().max_features_fraction).toBeNull();
  });
});
