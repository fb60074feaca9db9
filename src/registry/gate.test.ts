import { describe, expect, it } from "vitest";
import { decideGate, higherIsBetter, type GatePolicy } from "./gate.js";

const policy: GatePolicy = { metric: "roc_auc", higherIsBetter: true, thresholds: { roc_auc: { min: 0.8 } }, mustBeatProduction: true, minImprovement: 0 };

describe("decideGate", () => {
  it("promotes the first model that meets the thresholds", () => {
    const d = decideGate({ candidate: { version: 1, metrics: { roc_auc: 0.84 } }, production: null, policy });
    expect(d.promote).toBe(true);
    expect(d.reason).toContain("no model holds the production alias");
  });

  it("refuses a model under the threshold and names the metric and bound", () => {
    const d = decideGate({ candidate: { version: 1, metrics: { roc_auc: 0.79 } }, production: null, policy });
    expect(d.promote).toBe(false);
    expect(d.reason).toBe("not promoted: roc_auc = 0.79, required >= 0.8");
  });

  it("refuses a model that does not beat production on the same rows, and a tie", () => {
    const worse = decideGate({ candidate: { version: 2, metrics: { roc_auc: 0.83 } }, production: { version: 1, metrics: { roc_auc: 0.84 } }, policy });
    expect(worse.promote).toBe(false);
    expect(worse.reason).toContain("production v1 0.84");
    const tie = decideGate({ candidate: { version: 2, metrics: { roc_auc: 0.84 } }, production: { version: 1, metrics: { roc_auc: 0.84 } }, policy });
    expect(tie.promote).toBe(false);
    const better = decideGate({ candidate: { version: 2, metrics: { roc_auc: 0.85 } }, production: { version: 1, metrics: { roc_auc: 0.84 } }, policy });
    expect(better.promote).toBe(true);
  });

  it("treats lower as better for error metrics and fails on an unmeasured threshold metric", () => {
    expect(higherIsBetter("rmse")).toBe(false);
    expect(higherIsBetter("roc_auc")).toBe(true);
    const p: GatePolicy = { metric: "rmse", higherIsBetter: false, thresholds: { r2: { min: 0.5 } }, mustBeatProduction: true, minImprovement: 0 };
    const d = decideGate({ candidate: { version: 2, metrics: { rmse: 9 } }, production: { version: 1, metrics: { rmse: 10 } }, policy: p });
    expect(d.promote).toBe(false);
    expect(d.reason).toContain("r2 was not measured");
    const ok = decideGate({ candidate: { version: 2, metrics: { rmse: 9, r2: 0.6 } }, production: { version: 1, metrics: { rmse: 10 } }, policy: p });
    expect(ok.promote).toBe(true);
  });
});
