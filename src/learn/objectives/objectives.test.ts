// Tests of the objectives: gradients and hessians against finite differences.
import { describe, expect, it } from "vitest";
import { Rng } from "../rng.js";
import { BinaryLogLoss } from "./logloss.js";
import type { Objective } from "./objective.js";
import { objectiveFor } from "./index.js";
import { Huber, Poisson, SquaredError } from "./regression.js";
import { Softmax } from "./softmax.js";

/** Compares gh with central finite differences of n * mean loss (gradient) and of the gradient (hessian). */
function checkByFiniteDifferences(obj: Objective, y: Float64Array, raw: Float64Array, hessFactor = 1, checkHess = true): void {
  const n = y.length;
  const gh = new Float32Array(2 * raw.length);
  obj.gradients(y, raw, undefined, gh);
  const h = 1e-5;
  const total = (r: Float64Array) => obj.loss(y, r, undefined) * n;
  for (let j = 0; j < raw.length; j++) {
    const up = raw.slice();
    const dn = raw.slice();
    up[j] += h;
    dn[j] -= h;
    const g = (total(up) - total(dn)) / (2 * h);
    expect(gh[2 * j]).toBeCloseTo(g, 4);
    if (!checkHess) continue;
    const gu = new Float32Array(2 * raw.length);
    const gd = new Float32Array(2 * raw.length);
    obj.gradients(y, up, undefined, gu);
    obj.gradients(y, dn, undefined, gd);
    const hd = ((gu[2 * j] - gd[2 * j]) / (2 * h)) * hessFactor;
    expect(gh[2 * j + 1]).toBeCloseTo(hd, 2);
  }
}

describe("objective gradients match finite differences", () => {
  const rng = new Rng(5);
  const n = 6;
  const raw = Float64Array.from({ length: n }, () => rng.normal());
  it("binary log loss", () => {
    checkByFiniteDifferences(new BinaryLogLoss(), Float64Array.from([0, 1, 1, 0, 1, 0]), raw);
  });
  it("squared error and Poisson", () => {
    const y = Float64Array.from([0.5, 2, -1, 3, 0, 1]);
    checkByFiniteDifferences(new SquaredError(), y, raw);
    checkByFiniteDifferences(new Poisson(), Float64Array.from([0, 2, 1, 3, 0, 1]), raw);
  });
  it("Huber: exact gradient, unit hessian", () => {
    const y = Float64Array.from([0.1, 5, -4, 0.3, 0, 1]);
    checkByFiniteDifferences(new Huber(1), y, raw, 1, false);
    const gh = new Float32Array(2 * n);
    new Huber(1).gradients(y, raw, undefined, gh);
    for (let i = 0; i < n; i++) expect(gh[2 * i + 1]).toBe(1);
  });
  it("softmax (hessian = k/(k-1) times the exact diagonal)", () => {
    const k = 3;
    const sm = new Softmax(k);
    const y = Float64Array.from([0, 2, 1, 1, 0, 2]);
    const r = Float64Array.from({ length: n * k }, () => rng.normal());
    checkByFiniteDifferences(sm, y, r, k / (k - 1));
  });
});

describe("objective details", () => {
  it("weights scale gradient and hessian", () => {
    const o = new BinaryLogLoss();
    const gh = new Float32Array(2);
    o.gradients(Float64Array.of(1), Float64Array.of(0), Float64Array.of(3), gh);
    expect(gh[0]).toBeCloseTo(-1.5, 6);
    expect(gh[1]).toBeCloseTo(0.75, 6);
  });
  it("init scores: log-odds, mean, log priors", () => {
    expect(new BinaryLogLoss().initScore(Float64Array.from([1, 0, 0, 0]), undefined)[0]).toBeCloseTo(Math.log(1 / 3), 12);
    expect(new SquaredError().initScore(Float64Array.from([1, 2, 6]), undefined)[0]).toBeCloseTo(3, 12);
    const init = new Softmax(3).initScore(Float64Array.from([0, 0, 1, 2]), undefined);
    expect(init[0]).toBeCloseTo(Math.log(0.5), 12);
  });
  it("Huber starts from the median; delta = alpha-quantile of |y - median| unless given", () => {
    const y = Float64Array.from([1, 2, 3, 4, 1000]);
    const derived = new Huber(null);
    expect(derived.initScore(y, undefined)[0]).toBe(3);
    // |y - 3| sorted: 0, 1, 1, 2, 997; the 0.9-quantile sits 0.6 of the way from 2 to 997 (numpy's linear rule).
    expect(derived.delta).toBeCloseTo(2 + 0.6 * 995, 9);
    const given = new Huber(7);
    expect(given.initScore(y, undefined)[0]).toBe(3);
    expect(given.delta).toBe(7);
    expect(() => new Huber(null).delta).toThrow(/initScore/);
    // Weighted: the smallest value whose cumulative weight reaches half the total.
    expect(new Huber(null).initScore(y, Float64Array.from([1, 1, 1, 1, 10]))[0]).toBe(1000);
    // Most targets at the median: the quantile of the nonzero deviations, not 0 (which would stop all learning).
    const zeros = new Huber(null, 0.5);
    zeros.initScore(Float64Array.from([0, 0, 0, 0, 0, 0, 0, 4, 6, 8]), undefined);
    expect(zeros.delta).toBe(6);
  });
  it("extreme scores stay finite", () => {
    const o = new BinaryLogLoss();
    const gh = new Float32Array(4);
    o.gradients(Float64Array.from([1, 0]), Float64Array.from([800, -800]), undefined, gh);
    expect([...gh].every(Number.isFinite)).toBe(true);
    expect(gh[1]).toBeGreaterThan(0);
    expect(Number.isFinite(o.loss(Float64Array.from([0]), Float64Array.from([800]), undefined))).toBe(true);
    const p = new Softmax(2).transform(Float64Array.from([1000, -1000]), 1);
    expect([...p]).toEqual([1, 0]);
  });
  it("lookup by task and refuses an unknown regression loss", () => {
    expect(objectiveFor("multiclass", 4).outputs).toBe(4);
    expect(() => objectiveFor("regression", 0, "nope")).toThrow(/unknown regression objective/);
  });
});
