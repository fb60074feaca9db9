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

  describe("with a leak-free comparison", () => {
    const prod = { version: 1, metrics: {} };
    const comparison = (rows: number, champion: number, challenger: number, lo: number, hi: number) => ({
      rows, testRows: 1400, champion, challenger, interval: { lo, hi, level: 0.95, resamples: 1000 },
    });

    it("judges on the comparison rows, not on the candidate's own test score, and says how many rows and the interval", () => {
      const d = decideGate({ candidate: { version: 2, metrics: { roc_auc: 0.9 } }, production: prod, comparison: comparison(1200, 0.85, 0.84, -0.02, 0.0), policy });
      expect(d.promote).toBe(false);
      expect(d.reason).toContain("0.84 vs production v1 0.85 on 1200 test rows neither model trained on");
      expect(d.reason).toContain("95% CI [-0.02, +0]");
      expect(d.comparison?.rows).toBe(1200);
    });

    it("with significance on, promotes only when the interval's lower end clears min_improvement", () => {
      const sig = { ...policy, significance: true };
      const unsure = decideGate({ candidate: { version: 2, metrics: { roc_auc: 0.86 } }, production: prod, comparison: comparison(1200, 0.85, 0.86, -0.004, 0.024), policy: sig });
      expect(unsure.promote).toBe(false);
      const sure = decideGate({ candidate: { version: 2, metrics: { roc_auc: 0.88 } }, production: prod, comparison: comparison(1200, 0.85, 0.88, 0.01, 0.05), policy: sig });
      expect(sure.promote).toBe(true);
      // Off (the default), the point estimate decides.
      expect(decideGate({ candidate: { version: 2, metrics: { roc_auc: 0.86 } }, production: prod, comparison: comparison(1200, 0.85, 0.86, -0.004, 0.024), policy }).promote).toBe(true);
    });

    it("flips the interval for lower-is-better metrics", () => {
      const p: GatePolicy = { metric: "rmse", higherIsBetter: false, thresholds: {}, mustBeatProduction: true, minImprovement: 0, significance: true };
      // challenger − champion in rmse: [−0.3, −0.1] is a gain of [0.1, 0.3].
      const d = decideGate({ candidate: { version: 2, metrics: { rmse: 9.8 } }, production: prod, comparison: { ...comparison(900, 10, 9.8, -0.3, -0.1) }, policy: p });
      expect(d.promote).toBe(true);
      expect(d.reason).toContain("CI [+0.1, +0.3]");
    });

    it("below min_rows, or with no comparison possible, says so and decides by the thresholds alone", () => {
      const few = decideGate({ candidate: { version: 2, metrics: { roc_auc: 0.81 } }, production: prod, comparison: comparison(40, 0.9, 0.81, -0.2, 0.1), policy: { ...policy, minRows: 100 } });
      expect(few.promote).toBe(true);
      expect(few.reason).toContain("only 40 of 1400 test rows were unseen by production v1 (gate.min_rows 100); decided by the thresholds alone");
      const none = decideGate({
        candidate: { version: 2, metrics: { roc_auc: 0.79 } }, production: prod, policy,
        comparison: { rows: 0, testRows: 1400, champion: NaN, challenger: NaN, interval: null, unavailable: "every test row was a training row of production v1" },
      });
      expect(none.promote).toBe(false); // the threshold still binds
      expect(none.reason).toContain("roc_auc = 0.79, required >= 0.8");
    });
  });
});
