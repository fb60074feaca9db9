// The learners inside composites (voting, stacking, bagging, pca): defaults that fit the task, the task checked as
// `-m` checks it, and bounds found in the data refused as scikit-learn refuses them.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../errors.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import { candidateProblems } from "../candidate-check.js";
import type { TrainingData } from "../estimator.js";
import { memberKind, modelKind } from "../models.js";
import { AUTO_INNER } from "../param-schemas.js";
import { Rng } from "../rng.js";

/** n rows of 3 numeric inputs; y = 100 + 10·x0 (+ noise), or its sign as 2 classes, or 3 classes by thirds. */
function data(nClasses: number, n = 120): TrainingData {
  const rng = new Rng(5);
  const cols = [0, 1, 2].map((j) => ({ name: `x${j}`, kind: "numeric" as const, values: Float64Array.from({ length: n }, () => rng.normal()) }));
  const x0 = cols[0].values;
  const y = Float64Array.from(x0, (v) => (nClasses === 0 ? 100 + 10 * v + rng.normal() : nClasses === 2 ? Number(v > 0) : v < -0.43 ? 0 : v < 0.43 ? 1 : 2));
  const X: FeatureMatrix = { nRows: n, columns: cols };
  return { X, y, nClasses, seed: 1 };
}

const fit = (model: string, params: Record<string, unknown>, d: TrainingData) => Promise.resolve(modelKind(model).create(params).fit(d));

/** The ValidationError a fit throws (fails the test when it does not throw one). */
async function refusal(model: string, params: Record<string, unknown>, d: TrainingData): Promise<ValidationError> {
  try {
    await fit(model, params, d);
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error(`${model} ${JSON.stringify(params)} was not refused`);
}

const memberNames = (state: Record<string, unknown>) => (state.members as { name: string }[]).map((m) => m.name);

describe("default members follow the task", () => {
  it("voting and stacking on regression use gbdt and ridge; on classes gbdt and logistic regression", async () => {
    for (const model of ["voting", "stacking"]) {
      expect(memberNames((await fit(model, { member_params: '{"gbdt":{"n_estimators":20}}' }, data(0))).state())).toEqual(AUTO_INNER.members.regression.split(","));
      expect(memberNames((await fit(model, { member_params: '{"gbdt":{"n_estimators":20}}' }, data(2))).state())).toEqual(AUTO_INNER.members.classification.split(","));
    }
  });

  it("default voting on regression predicts the target's scale (a classifier member made it gbdt / 2: mean ~50, not ~100)", async () => {
    const d = data(0);
    const p = (await fit("voting", {}, d)).predict(d.X);
    const mean = p.reduce((a, b) => a + b, 0) / p.length;
    expect(Math.abs(mean - 100)).toBeLessThan(3);
  });
});

describe("inner learners are checked against the task, naming the parameter", () => {
  const cases: [string, Record<string, unknown>, number, RegExp, string][] = [
    ["bagging", { base: "ridge" }, 2, /^base of bagging: model "ridge" does not do binary$/, "logistic_regression"],
    ["bagging", { base: "logistic_regression" }, 0, /^base of bagging: model "logistic_regression" does not do regression$/, "ridge"],
    ["stacking", { members: "gbdt,ridge" }, 2, /^members of stacking: model "ridge" does not do binary$/, "logistic_regression"],
    ["stacking", { members: "gbdt,random_forest", final: "ridge" }, 2, /^final of stacking: model "ridge" does not do binary$/, "logistic_regression"],
    ["voting", { members: "gbdt,logistic_regression" }, 0, /^members of voting: model "logistic_regression" does not do regression$/, "ridge"],
    ["voting", { members: "gbdt,naive_bayes" }, 0, /^members of voting: model "naive_bayes" does not do regression$/, "ridge"],
    ["pca", { then: "logistic_regression" }, 0, /^then of pca: model "logistic_regression" does not do regression$/, "ridge"],
    ["pca", { then: "ridge" }, 3, /^then of pca: model "ridge" does not do multiclass$/, "logistic_regression"],
  ];
  for (const [model, params, nClasses, message, fits] of cases) {
    it(`${model} ${JSON.stringify(params)} on ${nClasses} classes`, async () => {
      const e = await refusal(model, params, data(nClasses));
      expect(e.message).toMatch(message);
      expect(e.details.path).toBe(`params.${Object.keys(params).at(-1)}`);
      // The hint lists what fits the task and the slot: never the refused learner, never a composite it cannot hold.
      const listed = e.hint!.split(": ")[1].split(", ");
      expect(listed).toContain(fits);
      expect(listed).not.toContain(String(Object.values(params).at(-1)).split(",").at(-1));
      expect(listed).not.toContain("voting");
      expect(listed).not.toContain(model);
    });
  }

  it("a learner the composite cannot hold is refused before the data, with the same path", () => {
    expect(candidateProblems({ model: "bagging", params: { base: "stacking" } })).toEqual([{ path: ["params", "base"], message: expect.stringMatching(/^base of bagging: bagging cannot hold stacking \(base of bagging can be: .*decision_tree/) }]);
    expect(candidateProblems({ model: "voting", params: { members: "gbdt,nosuch" } })[0].message).toMatch(/^members of voting: unknown model "nosuch"/);
  });

  it("the lookup of the registry lists every kind (the hints read it)", () => {
    expect(memberKind.all!().map((k) => k.name)).toContain("decision_tree");
  });
});

describe("bounds found in the data are refused, naming the parameter and the bound", () => {
  it("knn: n_neighbors above the rows it is fit on", async () => {
    const e = await refusal("knn", { n_neighbors: 500 }, data(2));
    expect(e.message).toBe('parameter "n_neighbors" of knn is 500, more than the 120 rows it is fit on');
    expect(e.details.path).toBe("params.n_neighbors");
    expect(e.hint).toMatch(/n_neighbors <= 120/);
    await expect(fit("knn", { n_neighbors: 120 }, data(2))).resolves.toBeDefined();
  });

  it("pca: more components than numeric inputs or rows; a fractional count", async () => {
    const e = await refusal("pca", { n_components: 100 }, data(2));
    expect(e.message).toBe('parameter "n_components" of pca is 100, more than the 3 numeric input columns allow (at most 3)');
    expect(e.hint).toMatch(/n_components <= 3/);
    const few = await refusal("pca", { n_components: 3 }, data(2, 2));
    expect(few.message).toMatch(/more than the 2 rows it is fit on allow \(at most 2\)/);
    expect(candidateProblems({ model: "pca", params: { n_components: 2.5 } })[0]).toMatchObject({ path: ["params", "n_components"], message: expect.stringMatching(/whole number of components/) });
    await expect(fit("pca", { n_components: 3 }, data(2))).resolves.toBeDefined();
  });

  it("stacking: more CV folds than rows", async () => {
    const e = await refusal("stacking", { members: "decision_tree,knn", cv: 8 }, data(0, 6));
    expect(e.message).toBe('parameter "cv" of stacking is 8, more than the 6 rows it is fit on');
    expect(e.details.path).toBe("params.cv");
  });
});
