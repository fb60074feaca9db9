// Label joins, live metrics by hand, decay against training metrics, and alert rules with real webhook delivery.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { Prediction } from "../records.js";
import { AlertManager, evaluateRule, type Alert } from "./alerts.js";
import type { DriftReport } from "./drift-report.js";
import { FeedbackJoiner, liveMetrics, parseFeedback, rocAuc } from "./feedback.js";

const pred = (id: string, pYes: number, version = 1, alias: string | null = "production"): Prediction => ({
  id,
  model: "churn",
  version,
  alias,
  inputs: {},
  output: { label: pYes >= 0.5 ? "Yes" : "No", probabilities: { No: 1 - pYes, Yes: pYes } },
  latencyMs: 1,
  at: "2024-01-01T00:00:00.000Z",
});

describe("FeedbackJoiner", () => {
  it("joins labels to predictions and computes accuracy, log loss and AUC by hand", () => {
    const registry = new Registry();
    const j = new FeedbackJoiner({ registry, reference: () => ({ metrics: { accuracy: 0.9, log_loss: 0.3, roc_auc: 0.95 }, positive: "Yes" }) });
    j.log(pred("a", 0.9));
    j.log(pred("b", 0.2));
    j.log(pred("c", 0.6));
    j.log(pred("d", 0.4));
    j.log(pred("s", 0.9, 1, "shadow")); // shadow answers are never joined
    const r = j.handle({ feedback: [{ id: "a", label: "Yes" }, { id: "b", label: "No" }, { id: "c", label: "No" }, { id: "d", label: "Yes" }, { id: "s", label: "Yes" }, { id: "zz", label: "No" }] });
    expect(r).toEqual({ joined: 4, unknown: ["s", "zz"] });
    const s = j.status("churn", 1);
    expect(s.labelled).toBe(4);
    expect(s.live.accuracy).toBe(0.5);
    // −(ln .9 + ln .8 + ln .4 + ln .4)/4
    expect(s.live.log_loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.4)) / 4, 12);
    // Positives score .9 and .4, negatives .2 and .6: pairs won 3 of 4.
    expect(s.live.roc_auc).toBeCloseTo(0.75, 12);
    expect(s.decay.accuracy).toBeCloseTo(0.4, 12);
    expect(s.decay.roc_auc).toBeCloseTo(0.2, 12);
    expect(s.decay.log_loss).toBeCloseTo(s.live.log_loss - 0.3, 12);
    // A second label for a joined id is unknown now (one label per prediction).
    expect(j.handle({ feedback: [{ id: "a", label: "No" }] }).unknown).toEqual(["a"]);
  });

  it("forgets the oldest predictions beyond capacity and keeps a bounded window", () => {
    const j = new FeedbackJoiner({ capacity: 2, window: 3 });
    j.log(pred("a", 0.9));
    j.log(pred("b", 0.9));
    j.log(pred("c", 0.9));
    expect(j.handle({ feedback: [{ id: "a", label: "Yes" }] }).unknown).toEqual(["a"]);
    for (let i = 0; i < 5; i++) {
      j.log(pred(`x${i}`, 0.9));
      j.handle({ feedback: [{ id: `x${i}`, label: i < 2 ? "No" : "Yes" }] });
    }
    expect(j.status("churn", 1)).toMatchObject({ labelled: 3, live: { accuracy: 1 } });
  });

  it("computes regression metrics", () => {
    const m = liveMetrics([
      { output: { value: 3 }, value: 1 },
      { output: { value: 0 }, value: 1 },
    ]);
    expect(m).toEqual({ mae: 1.5, rmse: Math.sqrt(2.5) });
  });

  it("ranks ties at their mean rank in ROC-AUC", () => {
    expect(rocAuc(Float64Array.from([0.5, 0.5]), Uint8Array.from([1, 0]))).toBe(0.5);
    expect(Number.isNaN(rocAuc(Float64Array.from([0.5]), Uint8Array.from([1])))).toBe(true);
  });

  it("names the bad entry of a feedback body", () => {
    expect(() => parseFeedback({})).toThrow(/feedback must be a non-empty array/);
    expect(() => parseFeedback({ feedback: [{ id: "a", label: "x" }, { id: 3 }] })).toThrow(/feedback\[1\]\.id/);
    expect(() => parseFeedback({ feedback: [{ id: "a" }] })).toThrow(/needs a label/);
    expect(() => parseFeedback({ feedback: [{ id: "a", value: "3" }] })).toThrow(/feedback\[0\]\.value/);
  });

  it("checks labels against the served model's classes: 'Maybe' and 42 for a two-class model are refused, naming the entry", () => {
    const binary = [{ task: "binary" as const, classes: ["No", "Yes"], positive: "Yes" }];
    const err = (body: unknown, targets: Parameters<typeof parseFeedback>[1]) => {
      try {
        parseFeedback(body, targets);
      } catch (e) {
        return e as { path?: string; message: string; hint?: string; details: Record<string, unknown> };
      }
      return null;
    };
    const maybe = err({ feedback: [{ id: "a", label: "Yes" }, { id: "b", label: "Maybe" }] }, binary);
    expect(maybe?.details.path).toBe("feedback[1].label");
    expect(maybe?.message).toMatch(/"Maybe" is not a class of the served model/);
    expect(maybe?.hint).toBe('one of "No", "Yes"');
    expect(err({ feedback: [{ id: "a", label: 42 }] }, binary)?.details.path).toBe("feedback[0].label");
    expect(err({ feedback: [{ id: "a", value: 0.3 }] }, binary)?.message).toMatch(/feedback\[0\]\.value: the served model is a classifier/);
    expect(parseFeedback({ feedback: [{ id: "a", label: "No" }] }, binary)).toEqual([{ id: "a", label: "No", value: undefined }]);
    // A number or boolean that spells a class is that class.
    expect(parseFeedback({ feedback: [{ id: "a", label: 1 }] }, [{ task: "binary", classes: ["0", "1"] }])[0].label).toBe("1");
    const regression = [{ task: "regression" as const }];
    expect(err({ feedback: [{ id: "a", label: "Yes" }] }, regression)?.details.path).toBe("feedback[0].label");
    expect(parseFeedback({ feedback: [{ id: "a", value: 12.5 }] }, regression)[0].value).toBe(12.5);
  });

  it("refuses a wrong label before joining anything, so live accuracy never sees it", () => {
    const j = new FeedbackJoiner({ registry: new Registry(), targets: () => [{ task: "binary", classes: ["No", "Yes"], positive: "Yes" }] });
    j.log(pred("p1", 0.9));
    j.log(pred("p2", 0.1));
    expect(() => j.handle({ feedback: [{ id: "p1", label: "Yes" }, { id: "p2", label: "Maybe" }] })).toThrow(/feedback\[1\]\.label/);
    expect(j.status("churn", 1).labelled).toBe(0);
    expect(j.handle({ feedback: [{ id: "p1", label: "Yes" }, { id: "p2", label: "No" }] })).toEqual({ joined: 2, unknown: [] });
    expect(j.status("churn", 1).live.accuracy).toBe(1);
  });
});

const report = (share: number, drifted: string[]): DriftReport => ({
  referenceRows: 100,
  currentRows: 100,
  columns: ["a", "b"].map((c) => ({
    column: c, kind: "numeric" as const, method: "ks" as const, statistic: 0.3, pValue: drifted.includes(c) ? 0.001 : 0.5, threshold: 0.05, score: drifted.includes(c) ? 0.001 : 0.5, scoreIs: "p_value" as const,
    drifted: drifted.includes(c), psi: 0.2, psiBand: "moderate" as const, referenceRows: 100, currentRows: 100, referenceMissing: 0, currentMissing: 0,
  })),
  driftedColumns: drifted.length,
  driftShare: share,
  datasetShare: 0.5,
  datasetDrift: share >= 0.5,
});

describe("alerts", () => {
  it("evaluates each kind of rule", () => {
    expect(evaluateRule({ name: "d", on: "drift", actions: [] }, { kind: "drift", model: "m", version: 1, report: report(0.5, ["a"]) })?.message).toMatch(/1\/2 columns drifted \(a\)/);
    expect(evaluateRule({ name: "d", on: "drift", actions: [] }, { kind: "drift", model: "m", version: 1, report: report(0, []) })).toBeNull();
    expect(evaluateRule({ name: "c", on: "drift", column: "b", actions: [] }, { kind: "drift", model: "m", version: 1, report: report(0.5, ["a"]) })).toBeNull();
    expect(evaluateRule({ name: "k", on: "decay", metric: "roc_auc", threshold: 0.03, actions: [] }, { kind: "decay", model: "m", version: 1, decay: { roc_auc: 0.04, accuracy: 0.5 } })?.value).toBe(0.04);
    expect(evaluateRule({ name: "e", on: "error_rate", threshold: 0.01, actions: [] }, { kind: "error_rate", model: "m", version: 1, value: 0.005 })).toBeNull();
    expect(evaluateRule({ name: "l", on: "latency", threshold: 5, actions: [] }, { kind: "latency", model: "m", version: 1, p99Ms: 7 })?.message).toMatch(/p99 latency 7.00 ms > 5 ms/);
    expect(evaluateRule({ name: "x", on: "latency", actions: [] }, { kind: "drift", model: "m", version: 1, report: report(1, ["a", "b"]) })).toBeNull();
  });

  it("posts JSON to a real webhook, counts the metric, logs, triggers retraining, then respects the cooldown", async () => {
    const received: unknown[] = [];
    const hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => (received.push(JSON.parse(body)), res.end("ok")));
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alert`;
    const registry = new Registry();
    const logged: Alert[] = [];
    const retrains: Alert[] = [];
    let now = 1_000_000;
    const mgr = new AlertManager({
      rules: [{ name: "drift", on: "drift", actions: ["webhook", "metric", "log", "retrain"], webhook: url, cooldownMs: 60_000 }],
      registry,
      log: (a) => void logged.push(a),
      onRetrain: (a) => void retrains.push(a),
      now: () => now,
    });
    const sig = { kind: "drift" as const, model: "churn", version: 2, report: report(1, ["a", "b"]) };
    expect(await mgr.evaluate(sig)).toHaveLength(1);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ source: "millrace", alert: { rule: "drift", model: "churn", version: 2, kind: "drift" } });
    expect(logged).toHaveLength(1);
    expect(retrains).toHaveLength(1);
    expect(await registry.metrics()).toMatch(/millrace_alerts_total\{rule="drift",kind="drift",model="churn"\} 1/);
    now += 30_000;
    expect(await mgr.evaluate(sig)).toHaveLength(0);
    now += 31_000;
    expect(await mgr.evaluate(sig)).toHaveLength(1);
    await new Promise<void>((r) => hook.close(() => r()));
    // Webhook down: counted and logged, the other actions still run.
    now += 61_000;
    expect(await mgr.evaluate(sig)).toHaveLength(1);
    expect(retrains).toHaveLength(3);
    expect(await registry.metrics()).toMatch(/millrace_alert_webhook_failures_total\{rule="drift"\} 1/);
    expect(logged.some((a) => /webhook failed/.test(a.message))).toBe(true);
  });

  it("refuses a webhook rule without a URL and a retrain rule without a pipeline", () => {
    expect(() => new AlertManager({ rules: [{ name: "w", on: "drift", actions: ["webhook"] }] })).toThrow(/no webhook URL/);
    expect(() => new AlertManager({ rules: [{ name: "r", on: "drift", actions: ["retrain"] }] })).toThrow(/no retrain pipeline/);
  });
});
