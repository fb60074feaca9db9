// driftReport: Evidently's default test choice, verdicts on shifted and unshifted data, and the errors for bad frames.
import { describe, expect, it } from "vitest";
import type { Frame } from "../records.js";
import { ValidationError } from "../errors.js";
import { DRIFT_METHODS, driftReport, driftRule, type DriftMethod } from "./drift-report.js";
import { ksTest } from "./drift-stats.js";
import { sortedFinite } from "./sort.js";
import { rng } from "../serve/test-helpers/rng.js";

function frame(n: number, seed: number, shift = 0, planShare = 0.3): Frame {
  const r = rng(seed);
  const tenure = new Float64Array(n);
  const charges = new Float64Array(n);
  const plan: (string | null)[] = [];
  const paperless: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    tenure[i] = Math.floor(r() * 72) + shift * 20;
    charges[i] = 20 + r() * 100 + shift * 30;
    plan.push(r() < planShare ? "Month-to-month" : r() < 0.5 ? "One year" : "Two year");
    paperless.push(r() < 0.6 + shift * 0.2 ? "yes" : "no");
  }
  return {
    rowCount: n,
    columns: [
      { name: "tenure", kind: "numeric", values: tenure },
      { name: "charges", kind: "numeric", values: charges },
      { name: "plan", kind: "categorical", values: plan },
      { name: "paperless", kind: "categorical", values: paperless },
    ],
  };
}

describe("driftReport", () => {
  it("uses KS / chi-square / z-test on a small reference and finds no drift between samples of one distribution", () => {
    const rep = driftReport(frame(800, 1), frame(800, 2));
    expect(rep.columns.map((c) => c.method)).toEqual(["ks", "ks", "chisquare", "z"]);
    expect(rep.columns.every((c) => c.threshold === 0.05)).toBe(true);
    expect(rep.datasetDrift).toBe(false);
    const t = rep.columns[0];
    const direct = ksTest(sortedFinite((frame(800, 1).columns[0] as { values: Float64Array }).values), sortedFinite((frame(800, 2).columns[0] as { values: Float64Array }).values));
    expect(t.pValue).toBeCloseTo(direct.pValue, 12);
    expect(t.psiBand).toBe("stable");
  });

  it("flags shifted columns and dataset drift at ≥ 50% of columns", () => {
    const rep = driftReport(frame(800, 1), frame(800, 3, 1, 0.8));
    expect(rep.columns.filter((c) => c.drifted).map((c) => c.column)).toEqual(["tenure", "charges", "plan", "paperless"]);
    expect(rep.datasetDrift).toBe(true);
    expect(rep.columns[1].psiBand).toBe("significant");
  });

  it("uses normalized Wasserstein / Jensen–Shannon with threshold 0.1 on a large reference", () => {
    const rep = driftReport(frame(5000, 1), frame(3000, 4));
    expect(rep.columns.map((c) => c.method)).toEqual(["wasserstein", "wasserstein", "jensenshannon", "jensenshannon"]);
    expect(rep.columns.every((c) => c.threshold === 0.1 && !c.drifted)).toBe(true);
    const shifted = driftReport(frame(5000, 1), frame(3000, 4, 1, 0.8));
    expect(shifted.columns.every((c) => c.drifted)).toBe(true);
  });

  it("honours forced methods, thresholds and the dataset share", () => {
    const rep = driftReport(frame(800, 1), frame(800, 3, 1, 0.8), {
      method: { tenure: "psi", plan: "jensenshannon" },
      thresholds: { psi: 100 },
      columns: ["tenure", "plan"],
      datasetShare: 1,
    });
    expect(rep.columns.map((c) => [c.method, c.drifted])).toEqual([
      ["psi", false],
      ["jensenshannon", true],
    ]);
    expect(rep.datasetDrift).toBe(false);
  });

  it("treats a numeric column with ≤ 5 values as categories, and counts missing values apart", () => {
    const ref: Frame = { rowCount: 6, columns: [{ name: "k", kind: "numeric", values: Float64Array.from([1, 2, 3, 1, 2, NaN]) }] };
    const cur: Frame = { rowCount: 4, columns: [{ name: "k", kind: "numeric", values: Float64Array.from([1, 1, NaN, NaN]) }] };
    const c = driftReport(ref, cur).columns[0];
    expect(c.method).toBe("chisquare");
    expect(c.referenceMissing).toBe(1);
    expect(c.currentMissing).toBe(2);
    // Expected counts 2·(2/5, 2/5, 1/5) = (0.8, 0.8, 0.4) vs observed (2, 0, 0): χ² = 1.8 + 0.8 + 0.4 = 3.0, dof 2 → p = e^(-1.5)
    expect(c.statistic).toBeCloseTo(3.0, 12);
    expect(c.pValue).toBeCloseTo(Math.exp(-1.5), 12);
  });

  it("reports an all-missing column as not drifted with a note, never NaN", () => {
    const ref: Frame = { rowCount: 3, columns: [{ name: "x", kind: "categorical", values: ["a", "b", "a"] }] };
    const cur: Frame = { rowCount: 2, columns: [{ name: "x", kind: "categorical", values: [null, null] }] };
    const c = driftReport(ref, cur).columns[0];
    expect(c.drifted).toBe(false);
    expect(c.statistic).toBeNull();
    expect(c.note).toMatch(/current/);
    expect(JSON.stringify(c)).not.toContain("NaN");
  });

  it("names the column when it is missing or of another kind", () => {
    const ref = frame(10, 1);
    const cur: Frame = { rowCount: 10, columns: ref.columns.filter((c) => c.name !== "plan") };
    expect(() => driftReport(ref, cur)).toThrow(ValidationError);
    expect(() => driftReport(ref, cur)).toThrow(/plan/);
    const wrongKind: Frame = { rowCount: 10, columns: [{ name: "tenure", kind: "categorical", values: Array(10).fill("x") }] };
    expect(() => driftReport(ref, wrongKind, { columns: ["tenure"] })).toThrow(/tenure is numeric in the reference but categorical/);
  });
});

describe("drift method registry", () => {
  it("every column of a report says whether its score is a p-value or a distance, as the registry does", () => {
    const frame = (shift: number): Frame => ({
      rowCount: 300,
      columns: [
        { name: "x", kind: "numeric", values: Float64Array.from({ length: 300 }, (_, i) => (i % 50) + shift) },
        { name: "c", kind: "categorical", values: Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? "a" : "b")) },
      ],
    });
    for (const method of Object.keys(DRIFT_METHODS) as DriftMethod[]) {
      const cols = method === "chisquare" || method === "z" ? ["c"] : method === "ks" || method === "wasserstein" ? ["x"] : ["x", "c"];
      const r = driftReport(frame(0), frame(5), { columns: cols, method });
      for (const c of r.columns) {
        expect(c.scoreIs, `${method} ${c.column}`).toBe(DRIFT_METHODS[method].scoreIs);
        expect(driftRule(c)).toBe(`${c.scoreIs === "p_value" ? "p <" : "≥"} ${c.threshold}`);
        if (c.score !== null) expect(c.drifted).toBe(c.scoreIs === "p_value" ? c.score < c.threshold : c.score >= c.threshold);
      }
    }
  });
});

