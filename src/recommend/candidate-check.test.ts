// millrace.yaml with dataset.task: recommendation: recommender candidates checked at load with their line, an
// explicit-only learner refused on implicit data, a recommender refused in a tabular project, gate metrics of the task.
import { describe, expect, it } from "vitest";
import { projectFromYaml } from "../project/load-project.js";

const project = (dataset: string, candidates: string, gate = "") => `name: films
sources:
  - name: ratings
dataset:
${dataset}
train:
  candidates:
${candidates}
registry:
  model: films
${gate}`;

const ratings = "  task: recommendation\n  table: gold.interactions\n  user: user_id\n  item: item_id\n  rating: rating";

describe("recommendation projects in millrace.yaml", () => {
  it("parses the dataset with its defaults and ranks by NDCG@10 unless told", () => {
    const p = projectFromYaml(project(ratings, "    - { name: svd, model: svd, params: { n_factors: 8 } }"), "/x/millrace.yaml");
    expect(p.config.dataset).toMatchObject({ task: "recommendation", user: "user_id", item: "item_id", rating: "rating", user_features: [], split: { test_fraction: 0.2, seed: 42 } });
  });

  it("names the line of an unknown recommender and a mistyped parameter", () => {
    const bad = project(ratings, "    - { name: a, model: svdd }\n    - { name: b, model: svd, params: { n_factor: 8 } }\n    - { name: c, model: gbdt }");
    expect(() => projectFromYaml(bad, "/x/millrace.yaml")).toThrow(/millrace\.yaml:12:25 train\.candidates\.0\.model: "svdd" is not a recommender/);
    expect(() => projectFromYaml(bad, "/x/millrace.yaml")).toThrow(/train\.candidates\.1\.params\.n_factor: unknown parameter "n_factor"/);
    expect(() => projectFromYaml(bad, "/x/millrace.yaml")).toThrow(/train\.candidates\.2\.model: "gbdt" is not a recommender/);
  });

  it("takes a search over a recommender's parameters and names a searched parameter it lacks", () => {
    const ok = project(ratings, "    - { name: a, model: svd, search: { method: random, trials: 4, space: { n_factors: { type: int, low: 4, high: 32 }, reg_all: [0.02, 0.1] } } }");
    expect(projectFromYaml(ok, "/x/millrace.yaml").config.train.candidates[0].search).toMatchObject({ method: "random", trials: 4 });
    const bad = project(ratings, "    - { name: a, model: svd, search: { method: grid, space: { n_factor: [4, 8] } } }");
    expect(() => projectFromYaml(bad, "/x/millrace.yaml")).toThrow(/train\.candidates\.0\.search\.space\.n_factor: .*unknown parameter "n_factor"/);
    const range = project(ratings, "    - { name: a, model: als, search: { method: grid, space: { factors: [0, 8] } } }");
    expect(() => projectFromYaml(range, "/x/millrace.yaml")).toThrow(/search\.space\.factors/);
  });

  it("names ranking metrics at dataset.k: ndcg_at_5 is measured with k: 5, ndcg_at_10 is not", () => {
    const k5 = (g: string) => project(`${ratings}\n  k: 5`, "    - { name: a, model: als }", `  gate:\n    ${g}`);
    expect(projectFromYaml(k5("min: { ndcg_at_5: 0.1 }"), "/x/millrace.yaml").config.dataset).toMatchObject({ k: 5 });
    expect(() => projectFromYaml(k5("min: { ndcg_at_10: 0.1 }"), "/x/millrace.yaml")).toThrow(/registry\.gate\.min\.ndcg_at_10: a recommendation task does not measure ndcg_at_10/);
    expect(projectFromYaml(project(ratings, "    - { name: a, model: als }"), "/x/millrace.yaml").config.dataset).toMatchObject({ k: 10 });
  });

  it("refuses a rating learner on implicit data and a recommender in a tabular project", () => {
    const implicit = project(ratings.replace("rating: rating", "rating: none"), "    - { name: a, model: svdpp }\n    - { name: b, model: als }");
    expect(() => projectFromYaml(implicit, "/x/millrace.yaml")).toThrow(/candidates\.0\.model: svdpp learns from explicit ratings and dataset\.rating is none/);
    const tabular = project("  table: gold.t\n  target: y\n  task: regression", "    - { name: a, model: svd }");
    expect(() => projectFromYaml(tabular, "/x/millrace.yaml")).toThrow(/svd is a recommender: it needs dataset\.task: recommendation/);
  });

  it("checks gate metrics against what the task measures: no rmse for implicit data, no roc_auc at all", () => {
    const gate = (g: string, rating = "rating") => project(ratings.replace("rating: rating", `rating: ${rating}`), "    - { name: a, model: als }", `  gate:\n    ${g}`);
    expect(() => projectFromYaml(gate("min: { ndcg_at_10: 0.1 }"), "/x/millrace.yaml")).not.toThrow();
    expect(() => projectFromYaml(gate("max: { rmse: 1 }", "none"), "/x/millrace.yaml")).toThrow(/registry\.gate\.max\.rmse: a recommendation task does not measure rmse/);
    expect(() => projectFromYaml(gate("min: { roc_auc: 0.7 }"), "/x/millrace.yaml")).toThrow(/registry\.gate\.min\.roc_auc: a recommendation task does not measure roc_auc/);
  });
});
