// `pca`: principal components of the (imputed, scaled) numeric inputs, then a learner on them — scikit-learn's
// make_pipeline(StandardScaler(), PCA(n), LogisticRegression()) as one registry model. The fitted transform is also
// usable alone (transform()).

import { PCA_PARAMS } from "../param-schemas.js";
import { ValidationError } from "../../errors.js";
import { applyMatrixPrep, fitMatrixPrep, type MatrixPrepState } from "../../features/matrix-prep.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import { applyPca, fitPca, type PcaState } from "../../features/pca.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { ParamHolder } from "../params.js";
import { checkSpecParams, type SpecLookup } from "../model-spec.js";
import type { KindLookup } from "./members.js";

function finalLearner(params: Record<string, unknown>, nClasses: number | null, lookup: SpecLookup): { name: string; params: Record<string, unknown> } {
  const name = params.then === "auto" ? (nClasses === 0 ? "ridge" : "logistic_regression") : (params.then as string);
  if (["pca", "auto", "voting", "stacking", "bagging"].includes(name)) throw new ValidationError(`pca cannot be followed by ${name}`, { path: "params.then", hint: "a single learner, e.g. logistic_regression" });
  let p: Record<string, unknown> = {};
  if (params.then_params) {
    try {
      p = JSON.parse(params.then_params as string);
    } catch {
      throw new ValidationError("then_params of pca is not valid JSON", { path: "params.then_params", hint: '{"C": 0.5}' });
    }
  }
  if (params.then !== "auto" || nClasses !== null) checkSpecParams(lookup(name), p);
  return { name, params: p };
}

/** Checks `then` and `then_params` without data (millrace.yaml's load-time check). */
export function checkPca(params: Record<string, unknown>, lookup: SpecLookup): void {
  finalLearner(params, null, lookup);
}

export class PcaThen extends ParamHolder<PcaThen> {
  constructor(
    params: Record<string, unknown>,
    private readonly lookup: KindLookup,
  ) {
    super("pca", PCA_PARAMS, params);
  }

  clone(): PcaThen {
    return new PcaThen(this.getParams(), this.lookup);
  }

  async fit(data: TrainingData): Promise<FittedPcaThen> {
    const last = finalLearner(this.params, data.nClasses, this.lookup);
    const prep = fitMatrixPrep(data.X);
    const pca = fitPca(applyMatrixPrep(prep, data.X), this.num("n_components"), this.params.whiten as boolean);
    const Z = applyPca(pca, applyMatrixPrep(prep, data.X));
    const fitted = await this.lookup(last.name).create(last.params).fit({ ...data, X: Z, valid: undefined });
    return new FittedPcaThen(this.lookup, prep, pca, last.name, fitted);
  }
}

export class FittedPcaThen implements FittedEstimator {
  readonly name = "pca";

  constructor(
    private readonly lookup: KindLookup,
    readonly prep: MatrixPrepState,
    readonly pca: PcaState,
    readonly finalName: string,
    readonly final: FittedEstimator,
  ) {}

  static restore(lookup: KindLookup, s: { prep: MatrixPrepState; pca: PcaState; finalName: string; final: Record<string, unknown> }): FittedPcaThen {
    return new FittedPcaThen(lookup, s.prep, s.pca, s.finalName, lookup(s.finalName).restore(s.final));
  }

  /** The components (pc1..pck) and the categorical columns: the transform on its own. */
  transform(X: FeatureMatrix): FeatureMatrix {
    return applyPca(this.pca, applyMatrixPrep(this.prep, X));
  }

  predict(X: FeatureMatrix): Float64Array {
    return this.final.predict(this.transform(X));
  }

  state(): Record<string, unknown> {
    return { prep: this.prep, pca: this.pca, finalName: this.finalName, final: this.final.state() };
  }

  /** Variance share per component (pc1, pc2, …): what a user reads to choose n_components. */
  importance(): Record<string, number> {
    return Object.fromEntries(Array.from(this.pca.explainedRatio, (v, c) => [`pc${c + 1}`, v]));
  }
}
