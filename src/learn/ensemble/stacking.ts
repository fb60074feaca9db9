// Stacking: a final learner trained on the members' out-of-fold predictions (so it learns how far to trust
// each member on rows that member did not see), then the members refit on every row.

import { STACKING_PARAMS } from "../param-schemas.js";
import { takeRows, type FeatureColumn, type FeatureMatrix } from "../../features/matrix.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { ParamHolder } from "../params.js";
import { kFold, stratifiedKFold } from "../split.js";
import { ValidationError } from "../../errors.js";
import { fitMember, memberState, parseMembers, stackingFinal, predictMember, restoreMember, type FittedMember, type KindLookup, type MemberState } from "./members.js";

/** Meta features of one member's output: P(class 1) for binary, every probability for multiclass, the value for regression. */
function metaColumns(name: string, out: Float64Array, n: number, nClasses: number): FeatureColumn[] {
  if (nClasses === 0) return [{ name, kind: "numeric", values: out }];
  if (nClasses === 2) return [{ name, kind: "numeric", values: Float64Array.from({ length: n }, (_, i) => out[2 * i + 1]) }];
  return Array.from({ length: nClasses }, (_, c) => ({ name: `${name}_${c}`, kind: "numeric" as const, values: Float64Array.from({ length: n }, (_, i) => out[i * nClasses + c]) }));
}

export class StackingEnsemble extends ParamHolder<StackingEnsemble> {
  constructor(
    params: Record<string, unknown>,
    private readonly lookup: KindLookup,
  ) {
    super("stacking", STACKING_PARAMS, params);
  }

  clone(): StackingEnsemble {
    return new StackingEnsemble(this.getParams(), this.lookup);
  }

  async fit(data: TrainingData): Promise<FittedStacking> {
    const { X, y, nClasses } = data;
    const n = X.nRows;
    const members = parseMembers(this.params.members as string, this.params.member_params as string, this.lookup, "stacking", nClasses);
    const finalName = stackingFinal(this.params.final as string, this.lookup, nClasses);
    const finalKind = this.lookup(finalName);
    const all = Uint32Array.from({ length: n }, (_, i) => i);
    const k = this.num("cv");
    // scikit-learn's KFold refuses more folds than rows too (this clamped to n before, silently).
    if (k > n) throw new ValidationError(`parameter "cv" of stacking is ${k}, more than the ${n} rows it is fit on`, { path: "params.cv", hint: `use cv <= ${n}, or more rows` });
    const folds = nClasses > 0 ? stratifiedKFold(all, Int32Array.from(y), k, data.seed) : kFold(all, k, data.seed);
    const oof = members.map(() => new Float64Array(n * Math.max(nClasses, 1)));
    for (const fold of folds) {
      const sub = { ...data, X: takeRows(X, fold.train), y: Float64Array.from(fold.train, (r) => y[r]), weights: data.weights && Float64Array.from(fold.train, (r) => data.weights![r]) };
      const held = takeRows(X, fold.test);
      for (const [m, spec] of members.entries()) {
        const p = predictMember(await fitMember(this.lookup, spec.name, spec.params, sub), held);
        const width = Math.max(nClasses, 1);
        fold.test.forEach((r, j) => oof[m].set(p.subarray(j * width, (j + 1) * width), r * width));
      }
    }
    const meta: FeatureMatrix = { nRows: n, columns: members.flatMap((m, i) => metaColumns(`${m.name}#${i}`, oof[i], n, nClasses)) };
    const final = await finalKind.create({}).fit({ ...data, X: meta, valid: undefined, onProgress: undefined });
    const fitted: FittedMember[] = [];
    for (const m of members) fitted.push(await fitMember(this.lookup, m.name, m.params, data));
    return new FittedStacking(this.lookup, fitted, finalName, final, nClasses);
  }
}

export class FittedStacking implements FittedEstimator {
  readonly name = "stacking";

  constructor(
    private readonly lookup: KindLookup,
    private readonly members: FittedMember[],
    private readonly finalName: string,
    private readonly final: FittedEstimator,
    private readonly nClasses: number,
  ) {}

  static restore(lookup: KindLookup, s: { members: MemberState[]; finalName: string; final: Record<string, unknown>; nClasses: number }): FittedStacking {
    return new FittedStacking(lookup, s.members.map((m) => restoreMember(lookup, m)), s.finalName, lookup(s.finalName).restore(s.final), s.nClasses);
  }

  predict(X: FeatureMatrix): Float64Array {
    const meta: FeatureMatrix = {
      nRows: X.nRows,
      columns: this.members.flatMap((m, i) => metaColumns(`${m.name}#${i}`, predictMember(m, X), X.nRows, this.nClasses)),
    };
    return this.final.predict(meta);
  }

  state(): Record<string, unknown> {
    return { members: this.members.map(memberState), finalName: this.finalName, final: this.final.state(), nClasses: this.nClasses };
  }
}
