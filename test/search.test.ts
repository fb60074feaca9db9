// Hyperparameter search declared in millrace.yaml: every trial is a child run of the candidate's run, and the
// refit winner goes through the same register/gate path — through the real CLI.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { millrace } from "./cli.js";

describe("search in millrace.yaml", () => {
  it("tracks each trial as a child run and registers the refit best", () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-search-")), "tuned");
    expect(millrace(["init", dir]).code).toBe(0);
    const yaml = path.join(dir, "millrace.yaml");
    const text = fs.readFileSync(yaml, "utf8").replace("cv_folds: 5", "cv_folds: 3").replace(
      // The scaffold trains auto; this project lists its own learners instead.
      "    - { name: auto, model: auto, params: { time_budget_s: 60 } }",
      `    - { name: logistic, model: logistic_regression }
    - name: gbdt
      model: gbdt
      params: { n_estimators: 30 }
      search:
        method: tpe
        trials: 6
        parallel: 2
        space:
          learning_rate: { type: float, low: 0.02, high: 0.3, log: true }
          max_depth: { type: int, low: 2, high: 6 }
          min_child_weight: [1, 5]`,
    );
    fs.writeFileSync(yaml, text);
    const run = millrace(["run", dir, "--json"]);
    expect(run.code, run.out).toBe(0);
    const gbdt = run.json.candidates.find((c: any) => c.candidate === "gbdt");
    const parent = millrace(["runs", "-p", dir, "--json"]).json.find((r: any) => r.id === gbdt.runId);
    expect(parent.tags).toMatchObject({ search_method: "tpe", search_trials: "6", search_workers: "2" });
    const trials = millrace(["runs", "-p", dir, "--parent", gbdt.runId, "--json", "--limit", "50"]).json;
    expect(trials).toHaveLength(6);
    for (const t of trials) {
      expect(t.params.learning_rate).toBeGreaterThanOrEqual(0.02);
      expect(t.params.learning_rate).toBeLessThanOrEqual(0.3);
      expect(Number.isInteger(t.params.max_depth)).toBe(true);
      expect([1, 5]).toContain(t.params.min_child_weight);
      expect(["complete", "pruned"]).toContain(t.tags.state);
      if (t.tags.state === "complete") expect(t.metrics.cv_roc_auc_mean).toBeGreaterThan(0.5);
    }
    // Trials stay out of the top-level listing; --all shows everything.
    expect(millrace(["runs", "-p", dir, "--json"]).json).toHaveLength(2);
    expect(millrace(["runs", "-p", dir, "--all", "--json", "--limit", "50"]).json).toHaveLength(8);
    expect(run.json.model.version).toBe(1);
  });

  it("names a bad search space with its line", () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-search-")), "bad");
    expect(millrace(["init", dir]).code).toBe(0);
    const yaml = path.join(dir, "millrace.yaml");
    fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace("    - { name: auto, model: auto, params: { time_budget_s: 60 } }", "    - { name: logistic, model: logistic_regression }\n    - { name: gbdt, model: gbdt, search: { space: { max_depth: { type: normal, low: 1, high: 3 } } } }"));
    const r = millrace(["run", dir]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/millrace\.yaml:\d+:\d+ train\.candidates\.1\.search\.space\.max_depth/);
  });
});
