// The text of `millrace runs show`: metrics without the series and importance keys, importance ranked, a curve line.
import { describe, expect, it } from "vitest";
import type { Run } from "../../records.js";
import { runState } from "./registry-commands.js";
import { runText, sparkline } from "./runs-show.js";

describe("runs show", () => {
  it("sparkline: lowest to highest block, at most `width` characters", () => {
    expect(sparkline([3, 2, 1])).toBe("█▅▁");
    expect(sparkline(Array.from({ length: 300 }, (_, i) => 300 - i), 40)).toHaveLength(38);
    expect(sparkline([5, 5])).toBe("▁▁");
  });
  it("prints params, plain metrics, the ranked importance and one line per learning curve", () => {
    const run: Run = {
      id: "1b102b38-0000", experiment: "churn", name: "gbdt", status: "finished", params: { n_estimators: 3 },
      metrics: { roc_auc: 0.85, "shap/contract": 0.9, "shap/tenure": 0.4, train_binary_logloss: 0.35 },
      tags: {}, artifacts: [], datasetId: null, parentRunId: null, startedAt: "2026-12-05T09:00:00Z", endedAt: null, durationMs: 1200,
    };
    const text = runText(run, [["contract", 0.9], ["tenure", 0.4]], { train_binary_logloss: [{ step: 1, value: 0.57 }, { step: 2, value: 0.45 }, { step: 3, value: 0.35 }] });
    expect(text).toMatch(/params: n_estimators=3/);
    expect(text).toMatch(/roc_auc\s+0\.8500/);
    expect(text).not.toMatch(/shap\/contract/);
    expect(text.indexOf("contract")).toBeLessThan(text.indexOf("tenure"));
    expect(text).toMatch(/train_binary_logloss\s+3\s+0\.5700\s+0\.3500\s+0\.3500\s+3\s+█▄▁/);
  });
  it("says what each timing metric measures: train_seconds the whole training, the others parts of it", () => {
    const run: Run = {
      id: "1b102b38-0000", experiment: "churn", name: "gbdt", status: "finished", params: {},
      metrics: { roc_auc: 0.85, train_seconds: 3.5, final_fit_seconds: 1, cv_seconds: 2, predict_seconds: 0.1 },
      tags: {}, artifacts: [], datasetId: null, parentRunId: null, startedAt: "2026-12-05T09:00:00Z", endedAt: null, durationMs: 3700,
    };
    const text = runText(run, [], {});
    expect(text).toMatch(/train_seconds: wall seconds of all the training the run did: CV folds, search trials and the final fit/);
    expect(text).toMatch(/final_fit_seconds: .*final fit on every train row alone.*part of train_seconds/);
    expect(text).toMatch(/cv_seconds: .*part of train_seconds/);
    expect(text).toMatch(/predict_seconds: .*not part of train_seconds/);
    expect(text).not.toMatch(/roc_auc: /);
  });
  it("names the learner auto chose on the parent, and a child run's parent and state", () => {
    const base: Run = {
      id: "1b102b38-0000", experiment: "churn", name: "auto", status: "finished", params: { model: "auto" }, metrics: {},
      tags: { chosen: "gbdt", chosen_model: "gbdt", auto_metric: "roc_auc", auto_candidates: "7" },
      artifacts: [], datasetId: null, parentRunId: null, startedAt: "2026-12-05T09:00:00Z", endedAt: null, durationMs: 1200,
    };
    expect(runText(base, [], {})).toMatch(/chosen: .*gbdt.* by auto; 7 candidates by cv roc_auc: millrace runs --parent 1b102b38/);
    expect(runText(base, [], {})).not.toContain("not refit");
    const kept = { ...base, tags: { ...base.tags, auto_refit: "last_cv_part", auto_refit_reason: "budget: 3.00 s of 3.00 s spent" } };
    expect(runText(kept, [], {})).toContain("not refit: budget: 3.00 s of 3.00 s spent");
    const child: Run = { ...base, id: "2c", name: "auto/random_forest", parentRunId: base.id, tags: { auto_candidate: "random_forest", state: "skipped: budget", selected: "false" } };
    expect(runText(child, [], {})).toMatch(/child of run 1b102b38 {2}state: skipped: budget/);
    expect(runState(child)).toBe("finished (skipped: budget)");
    expect(runState({ status: "finished", tags: { state: "scored" } })).toBe("finished");
  });
  it("shows CV as one row per metric (mean, std, each fold), not the last fold beside the mean, and says what auto's cv=0 is", () => {
    const run: Run = {
      id: "1b102b38-0000", experiment: "churn", name: "auto", status: "finished", params: { model: "auto", cv: 0, time_budget_s: 10 },
      metrics: { accuracy: 0.9, cv_accuracy: 0.95, cv_accuracy_mean: 0.91, cv_accuracy_std: 0.04 },
      tags: {}, artifacts: [], datasetId: null, parentRunId: null, startedAt: "2026-12-05T09:00:00Z", endedAt: null, durationMs: 1200,
    };
    const folds = { cv_accuracy: [{ step: 0, value: 0.87 }, { step: 1, value: 0.91 }, { step: 2, value: 0.95 }] };
    const text = runText(run, [], {}, folds);
    expect(text).toMatch(/cross-validation \(3 folds\)/);
    expect(text).toMatch(/accuracy\s+0\.9100\s+0\.0400\s+0\.8700\s+0\.9100\s+0\.9500/);
    expect(text).not.toMatch(/cv_accuracy\s+0\.9500/); // the last fold's value is no longer listed as a metric of its own
    expect(text).toMatch(/^accuracy\s+0\.9000/m);
    expect(text).toMatch(/cv=0 is auto's own CV inside each search \(CV folds .*0 = 5 under 20k rows.*\); the project's CV \(train.cv_folds\) ran 3 folds/);
    // A candidate's run: its CV mean and std, no folds.
    const child = { ...run, params: { model: "gbdt" }, metrics: { cv_roc_auc_mean: 0.97, cv_roc_auc_std: 0.01 } };
    expect(runText(child, [], {})).toMatch(/roc_auc\s+0\.9700\s+0\.0100/);
    expect(runText(child, [], {})).not.toContain("cv=");
  });
});
