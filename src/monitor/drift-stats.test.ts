// Drift statistics against values computed by hand and by scipy (1.17; Debian's 1.10 in /usr/bin/python3 agrees) on small samples.
import { describe, expect, it } from "vitest";
import {
  chiSquareTest,
  jensenShannonDistance,
  ksExactPValue,
  ksTest,
  normalizedWasserstein,
  proportionZTest,
  psiBand,
  psiFromCounts,
  psiNumeric,
  wassersteinDistance,
} from "./drift-stats.js";
import { sortedFinite } from "./sort.js";
import { chiSquareSf, kolmogorovSf, lnGamma, normalSf } from "./special.js";

const f = (xs: number[]) => sortedFinite(Float64Array.from(xs));
const a = f([1.2, 3.4, 2.2, 5.1, 0.3, 2.2, 4.4, 3.3, 1.9, 2.8]);
const b = f([2.5, 4.1, 3.9, 6.0, 2.2, 5.5, 4.8, 3.1, 2.9, 4.4, 5.0, 3.7]);
const seq = (n: number, step: number, pow = 1) => Float64Array.from({ length: n }, (_, i) => ((i * step) % 1) ** pow);

describe("special functions", () => {
  it("match scipy", () => {
    // stats.chi2.sf(3.7,2), chi2.sf(25,7), chi2.sf(0.5,1); norm.sf(1.96), norm.sf(6); kstwobign.sf(.5/1/1.5)
    expect(chiSquareSf(3.7, 2)).toBeCloseTo(0.1572371663136276, 12);
    expect(chiSquareSf(25, 7) / 0.0007588002556582502).toBeCloseTo(1, 10);
    expect(chiSquareSf(0.5, 1)).toBeCloseTo(0.47950012218695337, 12);
    expect(normalSf(1.96)).toBeCloseTo(0.024997895148220435, 14);
    expect(normalSf(6) / 9.865876450376946e-10).toBeCloseTo(1, 9);
    expect(kolmogorovSf(0.5)).toBeCloseTo(0.9639452436648751, 12);
    expect(kolmogorovSf(1.0)).toBeCloseTo(0.26999967167735456, 12);
    expect(kolmogorovSf(1.5)).toBeCloseTo(0.022217962616525127, 12);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });
});

describe("Kolmogorov–Smirnov", () => {
  it("statistic and exact p-value equal scipy's ks_2samp(method='exact')", () => {
    const r = ksTest(a, b);
    expect(r.statistic).toBeCloseTo(0.4666666666666667, 14);
    expect(r.pValue).toBeCloseTo(0.13424346551281538, 12);
    // ks_2samp([(i*0.618034)%1 for i in range(300)], [((i*0.41421356)%1)**1.3 for i in range(400)], method='exact')
    const r2 = ksTest(sortedFinite(seq(300, 0.618034)), sortedFinite(seq(400, 0.41421356, 1.3)));
    expect(r2.statistic).toBeCloseTo(0.1025, 12);
    expect(r2.pValue).toBeCloseTo(0.05128738714042753, 9);
  });

  it("exact p-value by hand: m = n = 2, D = 1 happens on 2 of the 6 paths", () => {
    expect(ksExactPValue(1, 2, 2)).toBeCloseTo(2 / 6, 14);
    expect(ksExactPValue(0, 5, 7)).toBe(1);
  });

  it("asymptotic p-value is close to scipy's (kstwo) for large samples", () => {
    // ks_2samp(x (12000), y (15000), method='asymp') → D 0.035183333333333344, p 1.3205755313228407e-07
    const r = ksTest(sortedFinite(seq(12000, 0.618034)), sortedFinite(seq(15000, 0.41421356, 1.1)));
    expect(r.statistic).toBeCloseTo(0.035183333333333344, 12);
    expect(r.pValue / 1.3205755313228407e-7).toBeGreaterThan(0.9);
    expect(r.pValue / 1.3205755313228407e-7).toBeLessThan(1.1);
  });

  it("handles ties and identical samples", () => {
    const t = ksTest(f([1, 1, 1, 2]), f([1, 1, 1, 2]));
    expect(t.statistic).toBe(0);
    expect(t.pValue).toBe(1);
    expect(Number.isNaN(ksTest(f([]), f([1])).pValue)).toBe(true);
  });
});

describe("Wasserstein", () => {
  it("equals scipy's wasserstein_distance and its ratio to np.std(reference)", () => {
    expect(wassersteinDistance(a, b)).toBeCloseTo(1.3283333333333334, 12);
    expect(normalizedWasserstein(a, b)).toBeCloseTo(0.9725183497665957, 12);
    expect(normalizedWasserstein(sortedFinite(seq(12000, 0.618034)), sortedFinite(seq(15000, 0.41421356, 1.1)))).toBeCloseTo(0.08243609207995381, 10);
  });
  it("by hand: shifting every value by 2 moves the distribution by exactly 2", () => {
    expect(wassersteinDistance(f([0, 1, 5]), f([2, 3, 7]))).toBeCloseTo(2, 14);
    expect(normalizedWasserstein(f([3, 3, 3]), f([3, 3, 4]))).toBeCloseTo(1 / 3 / 0.001, 8); // std 0 → floor 0.001
  });
});

describe("chi-square, Jensen–Shannon, z-test, PSI", () => {
  it("chi-square equals scipy.stats.chisquare([30,50,20], f_exp scaled from [40,60,20])", () => {
    const r = chiSquareTest(Float64Array.from([40, 60, 20]), Float64Array.from([30, 50, 20]));
    expect(r.statistic).toBeCloseTo(1.0, 12);
    expect(r.pValue).toBeCloseTo(0.6065306597126334, 12);
  });
  it("chi-square: a category never seen in the reference is certain drift", () => {
    const r = chiSquareTest(Float64Array.from([10, 10, 0]), Float64Array.from([10, 10, 1]));
    expect(r.statistic).toBe(Infinity);
    expect(r.pValue).toBe(0);
  });
  it("Jensen–Shannon distance equals scipy.spatial.distance.jensenshannon, empty bins floored at 1e-4", () => {
    expect(jensenShannonDistance(Float64Array.from([40, 60, 20]), Float64Array.from([30, 50, 20]))).toBeCloseTo(0.03460378480243243, 12);
    // jensenshannon([0.5,0.5,0.0001]/1.0001, [0.3,0.3,0.4])
    expect(jensenShannonDistance(Float64Array.from([5, 5, 0]), Float64Array.from([3, 3, 4]))).toBeCloseTo(0.4042962051995034, 10);
    expect(jensenShannonDistance(Float64Array.from([1, 2]), Float64Array.from([2, 4]))).toBeCloseTo(0, 7);
  });
  it("proportion z-test equals the pooled formula computed with scipy.stats.norm", () => {
    const r = proportionZTest(80, 200, 150, 300);
    expect(r.statistic).toBeCloseTo(-2.1979349113192894, 12);
    expect(r.pValue).toBeCloseTo(0.02795374461359157, 12);
    expect(proportionZTest(10, 10, 5, 5).pValue).toBe(1);
  });
  it("PSI by hand over two bins and over reference deciles", () => {
    // (0.5-0.25)·ln(0.5/0.25) + (0.5-0.75)·ln(0.5/0.75) = 0.25·(ln 2 + ln 1.5)
    expect(psiFromCounts(Float64Array.from([50, 50]), Float64Array.from([25, 75]))).toBeCloseTo(0.25 * (Math.log(2) + Math.log(1.5)), 14);
    const ref = sortedFinite(Float64Array.from({ length: 1000 }, (_, i) => i));
    expect(psiNumeric(ref, ref)).toBeCloseTo(0, 14);
    // Current = the top half of the reference: 5 deciles empty (floored at 1e-4), 5 at 0.2.
    const cur = sortedFinite(Float64Array.from({ length: 500 }, (_, i) => 500 + i));
    const expected = 5 * (0.1 - 1e-4) * Math.log(0.1 / 1e-4) + 5 * (0.1 - 0.2) * Math.log(0.1 / 0.2);
    expect(psiNumeric(ref, cur)).toBeCloseTo(expected, 12);
    expect(psiBand(0.05)).toBe("stable");
    expect(psiBand(0.2)).toBe("moderate");
    expect(psiBand(0.3)).toBe("significant");
  });
});
