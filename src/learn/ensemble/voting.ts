// Voting ensemble: the (weighted) mean of its members' probabilities (soft voting) or values.

import { VOTING_PARAMS } from "../param-schemas.js";
import { ValidationError } from "../../errors.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import type { Explanation } from "../explain/tree-shap.js";
import { ParamHolder } from "../params.js";
import { meanExplanation, membersExplain, membersExplainNanos } from "./mean-explanation.js";
import { fitMember, memberState, parseMembers, predictMember, restoreMember, type FittedMember, type KindLookup, type MemberState } from "./members.js";

export class VotingEnsemble extends ParamHolder<VotingEnsemble> {
  constructor(
    params: Record<string, unknown>,
    private readonly lookup: KindLookup,
  ) {
    super("voting", VOTING_PARAMS, params);
  }

  clone(): VotingEnsemble {
    return new VotingEnsemble(this.getParams(), this.lookup);
  }

  async fit(data: TrainingData): Promise<FittedVoting> {
    const members = parseMembers(this.params.members as string, this.params.member_params as string, this.lookup, "voting", data.nClasses);
    const w = (this.params.weights as string) ? (this.params.weights as string).split(",").map(Number) : members.map(() => 1);
    if (w.length !== members.length || w.some((x) => !(x >= 0)) || w.every((x) => x === 0)) {
      throw new ValidationError(`voting weights "${this.params.weights}" do not match ${members.length} members`, { path: "params.weights", hint: "one non-negative number per member" });
    }
    const fitted: FittedMember[] = [];
    for (const [i, m] of members.entries()) {
      fitted.push(await fitMember(this.lookup, m.name, m.params, data));
      data.onProgress?.(i + 1, members.length);
    }
    return new FittedVoting(this.lookup, fitted, Float64Array.from(w));
  }
}

export class FittedVoting implements FittedEstimator {
  readonly name = "voting";
  /**
   * The weighted mean of the members' explanations, present when every member explains: exact on regression (the
   * prediction is that mean of values) and for binary trees (they explain P(class 1), the averaged output); soft voting
   * averages probabilities, which the log-odds of gbdt or logistic members do not add up to, so those are refused.
   */
  readonly explain?: (X: FeatureMatrix) => Explanation;
  readonly explainNanosPerRow?: () => number;

  constructor(
    private readonly lookup: KindLookup,
    private readonly members: FittedMember[],
    private readonly weights: Float64Array,
  ) {
    if (membersExplain(members)) {
      const total = weights.reduce((a, b) => a + b, 0);
      const w = weights.map((x) => x / total);
      this.explain = (X) => meanExplanation("voting", members, w, X);
      this.explainNanosPerRow = () => membersExplainNanos(members);
    }
  }

  static restore(lookup: KindLookup, s: { members: MemberState[]; weights: Float64Array }): FittedVoting {
    return new FittedVoting(lookup, s.members.map((m) => restoreMember(lookup, m)), s.weights);
  }

  predict(X: FeatureMatrix): Float64Array {
    const total = this.weights.reduce((a, b) => a + b, 0);
    let out: Float64Array | null = null;
    this.members.forEach((m, i) => {
      const p = predictMember(m, X);
      if (!out) out = new Float64Array(p.length);
      for (let j = 0; j < p.length; j++) out[j] += (this.weights[i] / total) * p[j];
    });
    return out!;
  }

  state(): Record<string, unknown> {
    return { members: this.members.map(memberState), weights: this.weights };
  }
}
