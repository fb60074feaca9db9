// The metric registry is the one source of a metric's tasks and direction: reports, the gate and decay agree with it.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import type { Task } from "../records.js";
import { higherIsBetter as gateHigherIsBetter } from "../registry/gate.js";
import { FeedbackJoiner } from "../monitor/feedback.js";
import { defaultMetric, metricDecay, metricDef, metricsOfTask, metricSign, METRICS } from "./metric-registry.js";
import { taskMetrics } from "./task-metrics.js";

const LOSSES = ["log_loss", "brier", "rmse", "mse", "mae", "mape"];

describe("metric registry", () => {
  it("each task reports exactly its registered metrics, in registry order", () => {
    const cases: [Task, number[], number[], number][] = [
      ["binary", [0, 1, 1, 0], [0.9, 0.1, 0.3, 0.7, 0.4, 0.6, 0.2, 0.8], 2],
      ["multiclass", [0, 1, 2], [0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8], 3],
      ["regression", [1, 2, 4], [1.5, 2, 3], 1],
    ];
    for (const [task, y, out, k] of cases) expect(Object.keys(taskMetrics(task, y, out, k))).toEqual(metricsOfTask(task));
    expect(taskMetrics("regression", [1, 2, 4], [1.5, 2, 3], 1).mse).toBeCloseTo((0.25 + 0 + 1) / 3, 12);
  });

  it("losses and errors are lower-is-better everywhere: registry, gate, decay", () => {
    for (const def of METRICS.values()) {
      const lower = LOSSES.includes(def.name);
      expect(def.higherIsBetter, def.name).toBe(!lower);
      expect(gateHigherIsBetter(def.name), def.name).toBe(!lower);
      expect(metricSign(def.name)).toBe(lower ? -1 : 1);
      // Getting worse is a positive decay whatever the direction.
      expect(metricDecay(def.name, 0.5, lower ? 0.6 : 0.4), def.name).toBeCloseTo(0.1, 12);
    }
    expect(defaultMetric("regression")).toBe("rmse");
    expect(defaultMetric("binary")).toBe("roc_auc");
  });

  it("an unknown metric is a ValidationError naming the field and listing the known metrics", () => {
    const e = (() => {
      try {
        metricDef("rmsee", "train.metric");
      } catch (err) {
        return err as ValidationError;
      }
    })();
    expect(e).toBeInstanceOf(ValidationError);
    expect(e!.details.path).toBe("train.metric");
    expect(e!.hint).toMatch(/rmse, mse, mae/);
  });

  it("serving decay follows the registry: a live loss above training is decay, a live score above training is not", () => {
    const j = new FeedbackJoiner({ reference: () => ({ metrics: { mae: 1, rmse: 1 } }) });
    j.log({ id: "a", model: "m", version: 1, alias: "production", inputs: {}, output: { value: 3 }, latencyMs: 1, at: "2024-01-01T00:00:00.000Z" });
    j.handle({ feedback: [{ id: "a", value: 1 }] });
    const s = j.status("m", 1);
    expect(s.decay).toEqual({ mae: 1, rmse: 1 });
  });
});
