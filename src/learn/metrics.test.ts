// Tests of every metric against hand-computed values.
import { describe, expect, it } from "vitest";
import {
  accuracy, balancedAccuracy, f1, f1Macro, logLoss, mae, mape, multiLogLoss, precision, r2, recall, rmse, rocAuc,
  rocAucOvrMacro,
} from "./metrics.js";
import { summarizeFolds, taskMetrics } from "./task-metrics.js";

describe("classification metrics against hand-computed values", () => {
  // tp = 2, fp = 1, fn = 1, tn = 1
  const y = [1, 0, 1, 1, 0];
  const p = [1, 0, 0, 1, 1];
  it("accuracy, precision, recall, f1", () => {
    expect(accuracy(y, p)).toBeCloseTo(0.6, 12);
    expect(precision(y, p)).toBeCloseTo(2 / 3, 12);
    expect(recall(y, p)).toBeCloseTo(2 / 3, 12);
    expect(f1(y, p)).toBeCloseTo(2 / 3, 12);
  });
  it("no predicted positives gives precision 0, not NaN", () => {
    expect(precision([1, 0], [0, 0])).toBe(0);
    expect(f1([0, 0], [0, 0])).toBe(0);
  });
  it("macro F1 and balanced accuracy", () => {
    // class 0: f1 1; class 1: f1 0; class 2: tp 2, fp 1 -> 0.8
    expect(f1Macro([0, 1, 2, 2], [0, 2, 2, 2], 3)).toBeCloseTo(0.6, 12);
    expect(balancedAccuracy([0, 1, 2, 2], [0, 2, 2, 2], 3)).toBeCloseTo((1 + 0 + 1) / 3, 12);
  });
  it("ROC-AUC, with ties counted as one half", () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBeCloseTo(0.875, 12);
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
  });
  it("log loss, binary and multiclass, clipped", () => {
    expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-15), 6);
    const proba = [0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.2, 0.6];
    expect(multiLogLoss([0, 1, 2], proba, 3)).toBeCloseTo(-(Math.log(0.7) + Math.log(0.8) + Math.log(0.6)) / 3, 12);
    expect(rocAucOvrMacro([0, 1, 2], proba, 3)).toBeCloseTo(1, 12);
  });
});

describe("regression metrics against hand-computed values", () => {
  it("rmse, mae, r2, mape", () => {
    expect(rmse([1, 2, 3], [1, 2, 5])).toBeCloseTo(Math.sqrt(4 / 3), 12);
    expect(mae([1, 2, 3], [1, 2, 5])).toBeCloseTo(2 / 3, 12);
    expect(r2([1, 2, 3], [1, 2, 5])).toBeCloseTo(-1, 12);
    expect(r2([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(r2([2, 2], [2, 2])).toBe(1);
    expect(r2([2, 2], [1, 2])).toBe(0);
    // One row has no spread: undefined (NaN), as scikit-learn, not the 0 a constant target gets.
    expect(r2([5], [3])).toBeNaN();
    expect(r2([5], [5])).toBeNaN();
    expect(mape([2, 4], [1, 5])).toBeCloseTo((0.5 + 0.25) / 2, 12);
  });
});

describe("taskMetrics", () => {
  it("binary: names and threshold 0.5 on the positive column", () => {
    const m = taskMetrics("binary", [0, 1, 1], [0.9, 0.1, 0.4, 0.6, 0.6, 0.4], 2);
    expect(Object.keys(m).sort()).toEqual(["accuracy", "balanced_accuracy", "brier", "f1", "log_loss", "pr_auc", "precision", "recall", "roc_auc"]);
    expect(m.accuracy).toBeCloseTo(2 / 3, 12);
    expect(m.roc_auc).toBeCloseTo(1, 12);
  });
  it("leaves ROC-AUC out when the rows hold one class", () => {
    const m = taskMetrics("binary", [1, 1], [0.2, 0.8, 0.4, 0.6], 2);
    expect("roc_auc" in m).toBe(false);
    expect(m.accuracy).toBe(1);
  });
  it("multiclass and regression names", () => {
    expect(Object.keys(taskMetrics("multiclass", [0, 1, 2], [1, 0, 0, 0, 1, 0, 0, 0, 1], 3)).sort()).toEqual([
      "accuracy", "balanced_accuracy", "f1_macro", "log_loss", "roc_auc",
    ]);
    expect(Object.keys(taskMetrics("regression", [1, 2], [1, 2], 0)).sort()).toEqual(["mae", "mape", "mse", "r2", "rmse"]);
  });
  it("summarizes folds as mean and population std", () => {
    const s = summarizeFolds([{ a: 1 }, { a: 3 }]);
    expect(s).toEqual({ a_mean: 2, a_std: 1 });
  });
});
