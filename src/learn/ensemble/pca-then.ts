// `pca`: principal components of the (imputed, scaled) numeric inputs, then a learner on them — scikit-learn's
// make_pipeline(StandardScaler(), PCA(n), LogisticRegression()) as one registry model. The fitted transform is also
// usable alone (transform()).

import { autoInner, PCA_PARAMS } from "../param-schemas.js";
import { ValidationError } from "../../errors.js";
import { applyMatrixPrep, fitMatrixPrep, type MatrixPrepState } from "../../features/matrix-prep.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import { applyPca, fitPca, type PcaState } from "../../features/pca.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { ParamHolder } from "../params.js";
import { checkSpecParams, type SpecLookup } from "../model-spec.js";
import { innerLearner, taskOfClasses, type KindLookup } from "./members.js";

const THEN_SLOT = { owner: "pca", param: "then", refused: ["auto", "voting", "stacking", "bagging"] } as const;

function finalLearner(params: Record<string, unknown>, nClasses: number | null, lookup: SpecLookup): { name: string; params: Record<string, unknown> } {
  const name = params.then === "auto" ? autoInner("single", nClasses ?? 2) : (params.then as string);
  innerLearner(lookup, THEN_SLOT, name, nClasses === null ? null : taskOfClasses(nClasses));
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

/** Checks `then`, `then_params` and the form of `n_components` without data (millrace.yaml's load-time check). */
export function checkPca(params: Record<string, unknown>, lookup: SpecLookup): void {
  const k = params.n_components as number;
  if (k >= 1 && !Number.isInteger(k)) {
    throw new ValidationError(`parameter "n_components" of pca must be a whole number of components when >= 1, got ${k}`, { path: "params.n_components", hint: "a count (e.g. 5) or a share of the variance below 1 (e.g. 0.95, the default)" });
  }
  finalLearner(params, null, lookup);
}

/**
 * A count of components must not exceed what the data has: min(rows, numeric inputs), as scikit-learn's PCA refuses
 * (100 components of 30 inputs were accepted, 30 given).
 */
function checkComponents(k: number, X: FeatureMatrix): void {
  if (k < 1) return;
  const inputs = X.columns.filter((c) => c.kind === "numeric").length;
  const most = Math.min(X.nRows, inputs);
  if (k <= most) return;
  const bound = X.nRows < inputs ? `the ${X.nRows} rows it is fit on` : `the ${inputs} numeric input columns`;
  throw new ValidationError(`parameter "n_components" of pca is ${k}, more than ${bound} allow (at most ${most})`, {
    path: "params.n_components",
    hint: `use n_components <= ${most}, or a share of the variance below 1 (e.g. 0.95, the default)`,
  });
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
    checkPca(this.params, this.lookup);
    const last = finalLearner(this.params, data.nClasses, this.lookup);
    checkComponents(this.num("n_components"), data.X);
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
