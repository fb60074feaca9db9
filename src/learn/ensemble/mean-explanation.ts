// The explanation of an ensemble that averages its members' outputs (bagging, voting): the same weighted mean of the
// members' explanations. Exact only where each member explains the very output that is averaged.

import { ValidationError } from "../../errors.js";
import { applyMatrixPrep } from "../../features/matrix-prep.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { Explanation } from "../explain/tree-shap.js";
import type { FittedMember } from "./members.js";

/**
 * Scales an averaged output can be explained on: a value (regression) or P(class 1) (binary forests and trees). A
 * mean of probabilities is not the sigmoid of the members' mean log-odds, nor multiclass forests' normalised shares
 * of their unnormalised vote shares, so members explaining "log-odds", "margin" or "vote share" cannot be averaged.
 */
const AVERAGEABLE = new Set(["value", "probability"]);

/** Whether every member has an explanation (necessary; the scales are checked when one is asked for). */
export function membersExplain(members: readonly FittedMember[]): boolean {
  return members.length > 0 && members.every((m) => m.fitted.explain !== undefined);
}

/**
 * Σ wₘ · explanationₘ over members (weights summing to 1), base values included: each member's slots add up to its
 * output, so the mean's slots add up to the ensemble's output. Refuses members whose explanations are on another
 * scale than the averaged output, saying why.
 */
export function meanExplanation(owner: string, members: readonly FittedMember[], weights: ArrayLike<number>, X: FeatureMatrix): Explanation {
  const parts = members.map((m) => {
    if (!m.fitted.explain) throw new ValidationError(`${owner} member ${m.name} cannot explain its predictions`, { path: "explain" });
    return m.fitted.explain(m.prep ? applyMatrixPrep(m.prep, X) : X);
  });
  const bad = parts.findIndex((p) => !AVERAGEABLE.has(p.scale) || p.scale !== parts[0].scale);
  if (bad >= 0) {
    const scales = [...new Set(parts.map((p, m) => `${members[m].name}: ${p.scale}`))].join(", ");
    throw new ValidationError(`a ${owner} model averages its members' predictions (values or class probabilities), but its members explain ${scales}, whose mean is not that average`, {
      path: "explain",
      hint: `${owner} explains on regression, or on binary data with tree members (they explain P(class 1)); explain a member on its own instead`,
    });
  }
  if (parts.some((p) => p.features.length !== parts[0].features.length || p.outputs !== parts[0].outputs)) {
    throw new ValidationError(`${owner} members explain different features`, { path: "explain" });
  }
  const values = new Float64Array(parts[0].values.length);
  for (const [m, p] of parts.entries()) {
    const w = weights[m];
    for (let i = 0; i < values.length; i++) values[i] += w * p.values[i];
  }
  return { ...parts[0], values };
}

/** What explaining a row costs: every member explains it. */
export function membersExplainNanos(members: readonly FittedMember[]): number {
  return members.reduce((a, m) => a + (m.fitted.explainNanosPerRow?.() ?? 0), 0);
}
