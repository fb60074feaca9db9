// Bagging of any base learner: each member fit on a bootstrap sample (or a subsample) of the rows, predictions
// averaged (probabilities for classifiers, values for regressors).

import { BAGGING_PARAMS } from "../param-schemas.js";
import { ValidationError } from "../../errors.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { ParamHolder } from "../params.js";
import { checkSpecParams, type SpecLookup } from "../model-spec.js";
import type { Explanation } from "../explain/tree-shap.js";
import { Rng } from "../rng.js";
import { meanExplanation, membersExplain, membersExplainNanos } from "./mean-explanation.js";
import { fitMember, innerLearner, memberState, subsetData, taskOfClasses, predictMember, restoreMember, type FittedMember, type KindLookup, type MemberState } from "./members.js";

const BASE_SLOT = { owner: "bagging", param: "base", refused: ["voting", "stacking", "auto"] } as const;

/**
 * The base learner's name and parameters, checked (for millrace.yaml's load-time check too, nClasses null; at fit
 * against the data's task).
 */
export function baggingBase(params: Record<string, unknown>, lookup: SpecLookup, nClasses: number | null = null): { name: string; params: Record<string, unknown> } {
  const name = params.base as string;
  const kind = innerLearner(lookup, BASE_SLOT, name, nClasses === null ? null : taskOfClasses(nClasses));
  let p: Record<string, unknown> = {};
  if (params.base_params) {
    try {
      p = JSON.parse(params.base_params as string);
    } catch {
      throw new ValidationError("base_params of bagging is not valid JSON", { path: "params.base_params", hint: '{"max_depth": 8}' });
    }
  }
  checkSpecParams(kind, p);
  return { name, params: p };
}

export class BaggingEnsemble extends ParamHolder<BaggingEnsemble> {
  constructor(
    params: Record<string, unknown>,
    private readonly lookup: KindLookup,
  ) {
    super("bagging", BAGGING_PARAMS, params);
  }

  clone(): BaggingEnsemble {
    return new BaggingEnsemble(this.getParams(), this.lookup);
  }

  async fit(data: TrainingData): Promise<FittedBagging> {
    const base = baggingBase(this.params, this.lookup, data.nClasses);
    const n = data.X.nRows;
    const m = Math.max(1, Math.round(n * this.num("max_samples")));
    const rng = new Rng(data.seed ^ 0x6a9);
    const members: FittedMember[] = [];
    const rounds = this.num("n_estimators");
    for (let b = 0; b < rounds; b++) {
      const rows = this.params.bootstrap ? Uint32Array.from({ length: m }, () => rng.int(n)) : rng.shuffle(Uint32Array.from({ length: n }, (_, i) => i)).slice(0, m);
      members.push(await fitMember(this.lookup, base.name, base.params, subsetData(data, rows, data.seed + b)));
      data.onProgress?.(b + 1, rounds);
    }
    return new FittedBagging(members);
  }
}

export class FittedBagging implements FittedEstimator {
  readonly name = "bagging";
  /**
   * The mean of the members' explanations (TreeSHAP of bagged trees is the mean of each tree's), present when every
   * member explains; it answers on regression and on binary tree members, whose explanations are of the averaged output.
   */
  readonly explain?: (X: FeatureMatrix) => Explanation;
  readonly explainNanosPerRow?: () => number;

  constructor(private readonly members: FittedMember[]) {
    if (membersExplain(members)) {
      const w = new Float64Array(members.length).fill(1 / members.length);
      this.explain = (X) => meanExplanation("bagging", members, w, X);
      this.explainNanosPerRow = () => membersExplainNanos(members);
    }
  }

  static restore(lookup: KindLookup, s: { members: MemberState[] }): FittedBagging {
    return new FittedBagging(s.members.map((m) => restoreMember(lookup, m)));
  }

  /** The members' mean output; a class a member never saw in its sample adds probability 0 for that member. */
  predict(X: FeatureMatrix): Float64Array {
    let out: Float64Array | null = null;
    for (const m of this.members) {
      const p = predictMember(m, X);
      if (!out) out = new Float64Array(p.length);
      for (let j = 0; j < p.length; j++) out[j] += p[j] / this.members.length;
    }
    return out!;
  }

  state(): Record<string, unknown> {
    return { members: this.members.map(memberState) };
  }
}
