// `millrace train` guesses the task and says why, asks when an integer target could be classes or numbers, treats
// --cat columns as categories, names the positive class, shows CV in text mode and leaves out MAPE when y has zeros.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, millrace } from "../../../test/cli.js";
import { inferTask } from "./train.js";

const num = (name: string, v: number[]) => ({ name, kind: "numeric" as const, values: Float64Array.from(v) });

describe("inferTask", () => {
  it("says why, and asks when 3–20 distinct integers could be classes or ordered numbers", () => {
    expect(inferTask(num("y", [0, 1, 1, 0]))).toEqual({ task: "binary", why: '"y" has 2 distinct values (0, 1)' });
    expect(inferTask(num("y", [0.5, 1.25, 3]))).toMatchObject({ task: "regression" });
    expect(inferTask(num("y", Array.from({ length: 40 }, (_, i) => i)))).toMatchObject({ task: "regression" });
    expect(inferTask({ name: "y", kind: "categorical", values: ["a", "b", "c"] })).toMatchObject({ task: "multiclass" });
    expect(() => inferTask(num("score", [1, 2, 3, 4, 5, 6, 2, 3]))).toThrow(/"score" holds 6 distinct integers \(1, 2, 3, 4, 5, 6\): classes or ordered numbers\?/);
    // The values are listed in order, not in the order rows showed them.
    expect(() => inferTask(num("grade", [2, 5, 3, 1, 4, 2]))).toThrow(/\(1, 2, 3, 4, 5\)/);
  });
});

describe("millrace train", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-train-"));
  const write = (name: string, rows: string[]) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, rows.join("\n") + "\n");
    return f;
  };
  const scores = write("scores.csv", ["zip,x,score", ...Array.from({ length: 300 }, (_, i) => `${10000 + (i % 7)},${i % 13},${i % 5}`)]);
  const churn = write("churn.csv", ["zip,x,left", ...Array.from({ length: 300 }, (_, i) => `${10000 + (i % 7)},${i % 13},${(i * 7) % 13 > 6 ? "yes" : "no"}`)]);
  // An id per row, a constant, two features, and a target missing in rows 0 and every 40th.
  const visits = write("visits.csv", ["patient_id,clinic,age,dose,outcome", ...Array.from({ length: 300 }, (_, i) => `P${5000 + i},north,${20 + (i % 50)},${(i * 7) % 11},${i % 40 === 0 ? "" : (i % 50) + ((i * 7) % 11) > 30 ? "bad" : "good"}`)]);
  const zeros = write("zeros.csv", ["x,y", ...Array.from({ length: 300 }, (_, i) => `${i % 17},${i % 4 === 0 ? 0 : (i % 17) * 2 + 0.5}`)]);

  it("asks for --task on integer scores, and honours --task and --cat", () => {
    if (!fs.existsSync(cli)) throw new Error("dist/ is missing: npx tsc -p tsconfig.build.json");
    const asked = millrace(["train", scores, "--target", "score", "--json"]);
    expect(asked.code).toBe(1);
    expect(asked.out).toContain("--task multiclass");
    const r = millrace(["train", scores, "--target", "score", "--task", "regression", "--cat", "zip", "-m", "ridge", "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json).toMatchObject({ task: "regression", taskReason: "--task", categorical: ["zip"] });
    expect(millrace(["train", scores, "--target", "score", "--task", "regression", "--cat", "nope"]).out).toContain("--cat nope: not a column");
  });

  it("names the positive class and prints CV next to test in text mode", () => {
    const r = millrace(["train", churn, "--target", "left", "-m", "logistic_regression", "--cv", "3"]);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toContain('binary ("left" has 2 distinct values');
    expect(r.stdout).toContain('positive class (1): "yes"');
    expect(r.stdout).toMatch(/cv mean \(3 folds\)/);
  });

  it("leaves MAPE out when the target is 0 in test rows (it would print ~1e15)", () => {
    const r = millrace(["train", zeros, "--target", "y", "-m", "ridge", "--json"]);
    // Without --cv: the final fit is part of the training, no cvSeconds.
    expect(r.json.trainSeconds).toBeGreaterThanOrEqual(r.json.finalFitSeconds);
    expect(r.json.cvSeconds).toBeUndefined();
    expect(r.code, r.out).toBe(0);
    expect(r.json.metrics.rmse).toBeDefined();
    expect(r.json.metrics.mape).toBeNull();
    expect(r.json.undefinedMetrics.mape).toMatch(/the target is 0 in some test rows/);
  });

  it("--model auto with --time-budget: reports every candidate and the chosen learner; the budget is only for auto", () => {
    const r = millrace(["train", churn, "--target", "left", "-m", "auto", "--time-budget", "30s", "-p", "candidates=logistic_regression,gbdt", "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.model).toBe("auto");
    expect(["logistic_regression", "gbdt"]).toContain(r.json.chosen);
    expect(r.json.candidates.map((c: { label: string }) => c.label)).toEqual(["logistic_regression", "gbdt"]);
    expect(r.json.params.time_budget_s).toBe(30);
    expect(r.json.metrics.roc_auc).toBeGreaterThan(0);
    const text = millrace(["train", churn, "--target", "left", "-m", "auto", "-p", "candidates=logistic_regression,gbdt"]);
    expect(text.stdout).toMatch(/auto tried 2 candidates \(roc_auc, CV on the train rows, budget 60 s\); chose/);
    // A budget too small to refit: text mode says why candidates were skipped and that the model was not refit.
    const tiny = millrace(["train", churn, "--target", "left", "-m", "auto", "--time-budget", "1ms", "-p", "candidates=logistic_regression,gbdt"]);
    expect(tiny.code, tiny.out).toBe(0);
    expect(tiny.stdout).toMatch(/gbdt: \d CV parts and a refit expected to take/);
    expect(tiny.stdout).toMatch(/not refit: budget: .* kept the model fitted on the last CV part's/);
    expect(millrace(["train", churn, "--target", "left", "-m", "gbdt", "--time-budget", "5s"]).out).toContain("--time-budget applies to --model auto");
    // auto is the default learner; --help says so and lists every learner of the registry.
    const byDefault = millrace(["train", churn, "--target", "left", "--time-budget", "20s", "--json"]);
    expect(byDefault.code, byDefault.out).toBe(0);
    expect(byDefault.json.model).toBe("auto");
    expect(typeof byDefault.json.chosen).toBe("string");
    const help = millrace(["train", "--help"]).stdout.replace(/\s+/g, " ");
    expect(help).toContain("default auto");
    for (const m of ["decision_tree", "linear_svm", "bagging", "pca", "gbdt", "random_forest", "logistic_regression"]) expect(help).toContain(m);
    const soon = millrace(["train", churn, "--target", "left", "-m", "auto", "--time-budget", "soon"]);
    expect(soon.code).toBe(2);
    expect(soon.stderr).toContain("option '--time-budget <duration>' argument 'soon' is invalid. expected a duration > 0");
  });

  it("drops identifier and constant columns with a line each (--keep overrides), and leaves out rows without a target", () => {
    const r = millrace(["train", visits, "--target", "outcome", "-m", "logistic_regression", "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.dropped).toEqual([
      { column: "patient_id", reason: "identifier", detail: "233 distinct of 233 rows" },
      { column: "clinic", reason: "constant", detail: 'every row is "north"' },
    ]);
    expect(r.json.features).toBe(2);
    expect(r.json.missingTargetRows).toBe(8);
    expect(r.json.rows).toBe(292);
    const text = millrace(["train", visits, "--target", "outcome", "-m", "logistic_regression"]);
    expect(text.stdout).toContain("dropped patient_id: an identifier (233 distinct of 233 rows) — use --keep patient_id to use it");
    expect(text.stdout).toContain('left out 8 rows without a "outcome" value (data rows 0, 40, 80, 120, 160, …)');
    const kept = millrace(["train", visits, "--target", "outcome", "-m", "logistic_regression", "--keep", "patient_id", "--json"]);
    expect(kept.json.dropped.map((d: { column: string }) => d.column)).toEqual(["clinic"]);
    expect(kept.json.features).toBe(3);
    // --test-rows numbers the file's data rows: row 0 (no target) is left out, 1 and 2 are the test rows.
    const held = write("visits.test", ["0", "1", "2"]);
    const split = millrace(["train", visits, "--target", "outcome", "-m", "logistic_regression", "--test-rows", held, "--json"]);
    expect(split.json).toMatchObject({ testRows: 2, trainRows: 290 });
    // Held-out rows that all lack a target leave nothing to test on: said, not an empty metrics table.
    const blank = millrace(["train", visits, "--target", "outcome", "-m", "logistic_regression", "--test-rows", write("blank.test", ["0", "40"])]);
    expect(blank.code).toBe(1);
    expect(blank.out).toContain('none of the --test-rows has a "outcome" value: nothing to test on');
    const none = write("none.csv", ["x,y", ...Array.from({ length: 30 }, (_, i) => `${i},`)]);
    expect(millrace(["train", none, "--target", "y"]).out).toContain('"y" has no value in any of the 30 rows of none.csv');
  });

  it("checks --drop and --keep columns like --cat: a usage error naming the column, or saying it is the target", () => {
    const nope = millrace(["train", visits, "--target", "outcome", "--drop", "dose,agee"]);
    expect(nope.code).toBe(1);
    expect(nope.out).toContain('--drop agee: not a column; did you mean "age"?');
    expect(millrace(["train", visits, "--target", "outcome", "--drop", "outcome"]).out).toContain('--drop outcome: "outcome" is the target');
    expect(millrace(["train", visits, "--target", "outcome", "--keep", "nope"]).out).toContain("--keep nope: not a column");
    expect(millrace(["train", visits, "--target", "outcome", "--keep", "age", "--drop", "age"]).out).toContain("--keep age and --drop age");
  });

  it("auto with --cv K shares the time budget among the K fold runs and the final one, and prints tidy numbers", () => {
    const r = millrace(["train", churn, "--target", "left", "--time-budget", "12s", "--cv", "3", "-p", "candidates=logistic_regression,gbdt", "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.timeBudget).toEqual({ seconds: 12, perFit: 3, fits: 4 });
    expect(r.json.params.time_budget_s).toBe(3);
    // trainSeconds is all the training (the 3 CV folds and the final fit), as a run's train_seconds; it was the final fit.
    expect(r.json.cvSeconds).toBeGreaterThan(0);
    expect(r.json.finalFitSeconds).toBeGreaterThan(0);
    expect(r.json.trainSeconds).toBeGreaterThanOrEqual(r.json.finalFitSeconds + r.json.cvSeconds);
    const text = millrace(["train", churn, "--target", "left", "--time-budget", "12s", "--cv", "3", "-p", "candidates=logistic_regression,gbdt"]);
    expect(text.stdout).toContain("budget 3 s of 12 s: auto runs in each of 3 CV folds and once on every train row");
    // A budget smaller than a millisecond per run is still a budget (it was rounded to 0 and refused).
    expect(millrace(["train", churn, "--target", "left", "--time-budget", "1ms", "--cv", "5", "-p", "candidates=logistic_regression,gbdt"]).code).toBe(0);
    // The final auto's search (its candidates' CV) is a part of its own, beside the refit it ends with.
    expect(text.stdout).toMatch(/train [\d.]+ s \(of which 3 CV folds [\d.]+ s, search [\d.]+ s, final fit [\d.]+ s\)/);
    // Seconds in tenths ("0.1", not "0.1000"), spreads in fixed digits (never 3.293e-4).
    const rows = text.stdout.split("\n").filter((l) => /^(logistic_regression|gbdt) /.test(l));
    expect(rows).toHaveLength(2);
    for (const l of rows) expect(l).toMatch(/ \d+\.\d  +\S/);
    expect(text.stdout).not.toMatch(/\de-\d/);
  });
});
