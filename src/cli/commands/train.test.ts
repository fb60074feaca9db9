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
    expect(r.code, r.out).toBe(0);
    expect(r.json.metrics.rmse).toBeDefined();
    expect(r.json.metrics.mape).toBeUndefined();
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
});
