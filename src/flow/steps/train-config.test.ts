// A project run skips training only when the dataset and the train config are both unchanged: editing a candidate
// (or cv_folds, the metric…) retrains, as dbt rebuilds a model whose definition changed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { projectFromYaml } from "../../project/load-project.js";
import { runPipeline } from "../pipeline.js";
import { withResources } from "../resources.js";
import { trainConfigChanges, type TrainConfigRecord } from "./train-config.js";

let dir = "";
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function yaml(candidates: string[], cvFolds = 2): string {
  return [
    "name: skiprule",
    "sources: [{ name: customers, pattern: \"*.csv\" }]",
    "dataset: { table: bronze.customers, target: churned, task: binary, positive: \"yes\", exclude: [id, _source_file, _ingested_at, _batch_id] }",
    "train:",
    `  cv_folds: ${cvFolds}`,
    "  candidates:",
    ...candidates.map((c) => `    - ${c}`),
    "registry: { model: skiprule, gate: { must_beat_production: false } }",
  ].join("\n");
}

async function run(text: string) {
  fs.writeFileSync(path.join(dir, "millrace.yaml"), text);
  const p = projectFromYaml(text, path.join(dir, "millrace.yaml"));
  const summary = await withResources(p, (r) => runPipeline(r));
  expect(summary.status, JSON.stringify(summary.failure)).toBe("succeeded");
  return summary;
}

describe("the training skip rule", () => {
  it("retrains when the train config changed, skips only when dataset and config are unchanged", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-skip-rule-"));
    fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
    const rows = Array.from({ length: 160 }, (_, i) => `${i},${i % 11},${(i * 7) % 5},${(i % 11) + ((i * 7) % 5) > 7 ? "yes" : "no"}`);
    fs.writeFileSync(path.join(dir, "data/landing/a.csv"), ["id,tenure,calls,churned", ...rows, ""].join("\n"));
    const first = ["{ name: lr, model: logistic_regression }"];

    const one = await run(yaml(first));
    expect(one.training).toMatchObject({ trained: true, reason: "new dataset" });

    const same = await run(yaml(first));
    expect(same.training.trained).toBe(false);
    expect(same.training.reason).toMatch(/and train config unchanged: already trained by skiprule v1/);
    expect(same.candidates).toHaveLength(0);

    const edited = await run(yaml(["{ name: lr, model: logistic_regression, params: { C: 0.5 } }", "{ name: tree, model: decision_tree }"]));
    expect(edited.training.trained).toBe(true);
    expect(edited.training.reason).toBe("train config changed since v1: candidates (lr: params; tree added)");
    expect(edited.candidates.map((c) => c.candidate).sort()).toEqual(["lr", "tree"]);

    const again = await run(yaml(["{ name: lr, model: logistic_regression, params: { C: 0.5 } }", "{ name: tree, model: decision_tree }"]));
    expect(again.training).toMatchObject({ trained: false });
    expect(again.training.reason).toMatch(/already trained by skiprule v2/);

    const folds = await run(yaml(["{ name: lr, model: logistic_regression, params: { C: 0.5 } }", "{ name: tree, model: decision_tree }"], 3));
    expect(folds.training).toMatchObject({ trained: true, reason: "train config changed since v2: cv_folds 2 → 3" });
  }, 180_000);

  it("holds for a recommendation project too", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-skip-rule-rec-"));
    fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
    const rows = Array.from({ length: 600 }, (_, i) => `u${i % 40},i${(i * 7) % 30},${1 + ((i * 13) % 5)}`);
    fs.writeFileSync(path.join(dir, "data/landing/r.csv"), ["user_id,item_id,rating", ...[...new Set(rows)], ""].join("\n"));
    const rec = (candidate: string) => [
      "name: recskip",
      "sources: [{ name: ratings, pattern: \"*.csv\" }]",
      "dataset: { task: recommendation, table: bronze.ratings, user: user_id, item: item_id, rating: rating }",
      `train: { cv_folds: 0, candidates: [${candidate}] }`,
      "registry: { model: recskip, gate: { must_beat_production: false } }",
    ].join("\n");
    expect((await run(rec("{ name: base, model: baseline }"))).training.trained).toBe(true);
    expect((await run(rec("{ name: base, model: baseline }"))).training).toMatchObject({ trained: false, reason: expect.stringMatching(/and train config unchanged: already trained by recskip v1/) });
    expect((await run(rec("{ name: base, model: popularity }"))).training).toEqual({ trained: true, reason: "train config changed since v1: candidates (base: model)" });
  }, 180_000);

  it("names each change and ignores key order", () => {
    const base: TrainConfigRecord = { cv_folds: 5, metric: "roc_auc", candidates: [{ name: "a", model: "auto", params: { x: 1, y: 2 }, search: null }] };
    expect(trainConfigChanges(base, { ...base, candidates: [{ name: "a", model: "auto", params: { y: 2, x: 1 }, search: null }] })).toEqual([]);
    expect(trainConfigChanges(base, { ...base, metric: "log_loss", candidates: [] })).toEqual(["metric roc_auc → log_loss", "candidates (a removed)"]);
  });
});
