// Explanations of averaging ensembles (bagging, voting) and the registry's word on which learners explain.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../errors.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { Frame } from "../../records.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import type { ModelSpec } from "../model-spec.js";
import { explainingLearners, MODEL_SPECS } from "../model-specs.js";
import { modelKind } from "../models.js";
import { Rng } from "../rng.js";
import type { FittedMember } from "./members.js";
import { FittedVoting } from "./voting.js";
import { trainCandidate } from "../train.js";

/** 150 rows of 3 numeric inputs (one with missing values); y from x0 and x1: values, 2 classes or 3. */
function data(nClasses: number, n = 150): TrainingData {
  const rng = new Rng(9);
  const cols = [0, 1, 2].map((j) => ({ name: `x${j}`, kind: "numeric" as const, values: Float64Array.from({ length: n }, (_, i) => (j === 2 && i % 13 === 0 ? NaN : rng.normal())) }));
  const s = Float64Array.from({ length: n }, (_, i) => cols[0].values[i] + 0.5 * cols[1].values[i] + 0.3 * rng.normal());
  const y = Float64Array.from(s, (v) => (nClasses === 0 ? 50 + 10 * v : nClasses === 2 ? Number(v > 0) : v < -0.5 ? 0 : v < 0.5 ? 1 : 2));
  return { X: { nRows: n, columns: cols } as FeatureMatrix, y, nClasses, seed: 3 };
}

/** A member whose explain records how many rows it was asked for. */
function countingMember(name: string, fitted: FittedEstimator): { member: FittedMember; rows: number[] } {
  const rows: number[] = [];
  const explain = fitted.explain!.bind(fitted);
  const counted: FittedEstimator = Object.assign(Object.create(fitted) as FittedEstimator, { explain: (X: FeatureMatrix) => (rows.push(X.nRows), explain(X)) });
  return { member: { name, prep: null, fitted: counted }, rows };
}

function caught(f: () => unknown): ValidationError {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error("no ValidationError");
}

const fit = async (model: string, params: Record<string, unknown>, d: TrainingData): Promise<FittedEstimator> => modelKind(model).create(params).fit(d);

/** Largest |base + Σ contributions − output| over rows: the output is the value (regression) or P(class 1) (binary). */
function additivityGap(m: FittedEstimator, d: TrainingData): number {
  const e = m.explain!(d.X);
  const p = m.predict(d.X);
  const F = e.features.length;
  expect(e.outputs).toBe(1);
  let worst = 0;
  for (let i = 0; i < d.X.nRows; i++) {
    let sum = 0;
    for (let f = 0; f <= F; f++) sum += e.values[i * (F + 1) + f];
    worst = Math.max(worst, Math.abs(sum - (d.nClasses === 0 ? p[i] : p[2 * i + 1])));
  }
  return worst;
}

describe("averaging ensembles explain as the mean of their members' explanations", () => {
  const cases: [string, Record<string, unknown>, number][] = [
    ["bagging", { n_estimators: 5 }, 0], // decision trees, the default base
    ["bagging", { n_estimators: 5 }, 2], // binary trees explain P(class 1), the averaged output
    ["bagging", { base: "gbdt", base_params: '{"n_estimators":20}', n_estimators: 3 }, 0],
    ["bagging", { base: "ridge", n_estimators: 4 }, 0], // a linear base on its imputed, scaled matrix
    ["voting", {}, 0], // gbdt and ridge
    ["voting", { members: "gbdt,random_forest,ridge", weights: "1,2,0.5", member_params: '{"random_forest":{"n_estimators":10}}' }, 0],
    ["voting", { members: "random_forest,decision_tree", member_params: '{"random_forest":{"n_estimators":10}}' }, 2],
  ];
  for (const [model, params, nClasses] of cases) {
    it(`${model} ${JSON.stringify(params)} on ${nClasses || "regression"}${nClasses ? " classes" : ""}: base + contributions = output within 1e-6`, async () => {
      const d = data(nClasses);
      const m = await fit(model, params, d);
      expect(m.explain).toBeDefined();
      expect(additivityGap(m, d)).toBeLessThan(1e-6);
      expect(m.explainNanosPerRow!()).toBeGreaterThanOrEqual(0);
    });
  }

  it("refuses where the members' explanations are not of the averaged output, saying why", async () => {
    const refused: [string, Record<string, unknown>, number][] = [
      ["voting", {}, 2], // soft voting averages probabilities; gbdt and logistic regression explain log-odds
      ["bagging", { base: "logistic_regression", n_estimators: 3 }, 2],
      ["bagging", { n_estimators: 3 }, 3], // multiclass trees explain unnormalised vote shares
    ];
    for (const [model, params, nClasses] of refused) {
      const d = data(nClasses);
      const m = await fit(model, params, d);
      expect(() => m.explain!(d.X)).toThrow(ValidationError);
      expect(() => m.explain!(d.X)).toThrow(/^(voting|bagging) of [a-z_ ]+ on (binary|multiclass): members explain .*, whose mean is not the ensemble's probability$/);
    }
  });

  it("refuses before any member explains a row, saying why and what explains", async () => {
    const d = data(2);
    const members = await Promise.all(["gbdt", "logistic_regression"].map(async (name) => countingMember(name, await fit(name, name === "gbdt" ? { n_estimators: 5 } : {}, d))));
    const err = caught(() => new FittedVoting(modelKind, members.map((m) => m.member), Float64Array.of(1, 1)).explain!(d.X));
    expect(err.message).toBe("voting of gbdt and logistic_regression on binary: members explain log-odds, whose mean is not the ensemble's probability");
    expect(err.hint).toMatch(/^voting of trees \(random_forest, extra_trees, decision_tree: they explain P\(class 1\)\) explains on binary/);
    expect(members.flatMap((m) => m.rows)).toEqual(members.flatMap((m) => m.rows.map(() => 0))); // only probes of no rows
  });

  it("a regressor holding a classifier member (older builds' default voting) says which member and to retrain", async () => {
    const reg = data(0);
    const gbdt = await fit("gbdt", { n_estimators: 5 }, reg);
    const logistic = await fit("logistic_regression", {}, { ...reg, y: Float64Array.from(reg.y, (v) => Number(v > 50)), nClasses: 2 });
    const voting = new FittedVoting(modelKind, [gbdt, logistic].map((fitted) => ({ name: fitted.name, prep: null, fitted })), Float64Array.of(1, 1));
    const err = caught(() => voting.explain!(reg.X));
    expect(err.message).toBe("voting of gbdt and logistic_regression on regression: member logistic_regression is a classifier (it explains log-odds, not a value), which an older version let into a regressor");
    expect(err.hint).toMatch(/^retrain the model: voting's default members on regression are now gbdt,ridge/);
  });

  it("has no explanation when a member has none (knn)", async () => {
    expect((await fit("bagging", { base: "knn", n_estimators: 2 }, data(0))).explain).toBeUndefined();
    expect((await fit("voting", { members: "gbdt,knn" }, data(0))).explain).toBeUndefined();
  });
});

describe("which learners explain is the registry's word", () => {
  it("a learner the registry says explains has an explanation on every task; one it says nothing of has none", async () => {
    for (const spec of Object.values(MODEL_SPECS) as ModelSpec[]) {
      if (typeof spec.explains === "string") continue; // conditional: tested above and in auto's tests
      const small = spec.name === "stacking" ? { members: "decision_tree,knn", cv: 2 } : ["random_forest", "extra_trees", "gbdt"].includes(spec.name) ? { n_estimators: 5 } : {};
      for (const task of spec.tasks) {
        const m = await fit(spec.name, small, data(task === "regression" ? 0 : task === "binary" ? 2 : 3));
        expect(m.explain !== undefined, `${spec.name} on ${task}`).toBe(spec.explains === true);
      }
    }
  });

  it("the --explain hint lists exactly those learners (decision_tree too), then the conditional ones", () => {
    const always = (Object.values(MODEL_SPECS) as ModelSpec[]).filter((s) => s.explains === true).map((s) => s.name);
    expect(always).toContain("decision_tree");
    const hint = explainingLearners();
    expect(hint.startsWith(`learners that explain: ${always.join(", ")}; `)).toBe(true);
    expect(hint).toMatch(/; bagging of a base that explains/);
    expect(hint).not.toMatch(/knn|naive_bayes|stacking|pca/);
  });

  it("a model that cannot explain says so with that hint", async () => {
    const d = data(2);
    const frame: Frame = { rowCount: 150, columns: [...d.X.columns.map((c) => ({ name: c.name, kind: "numeric" as const, values: (c as { values: Float64Array }).values })), { name: "y", kind: "categorical", values: Array.from(d.y, (v) => (v ? "a" : "b")) }] };
    const r = await trainCandidate({ frame, target: "y", features: ["x0", "x1", "x2"], task: "binary", positive: "a", testRows: new Uint32Array(0), cvFolds: 0, seed: 1, candidate: { name: "knn", model: "knn" } });
    const e = (() => {
      try {
        (r.model as unknown as { explainFrame(f: Frame): unknown }).explainFrame(frame);
      } catch (err) {
        return err as ValidationError;
      }
      throw new Error("knn explained");
    })();
    expect(e.hint).toBe(explainingLearners());
  });
});

describe("a model without explanations gets a note, not silence", () => {
  it("the note names the learner, says there is no importance, and lists the learners that explain", async () => {
    const { noImportanceNote } = await import("../importance.js");
    const note = noImportanceNote("knn");
    expect(note).toMatch(/^no importance for knn: it cannot explain its predictions/);
    expect(note).toContain(explainingLearners());
    expect(note).toMatch(/permutation importance on test rows/);
  });
});
