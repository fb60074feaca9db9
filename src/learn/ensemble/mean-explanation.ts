// The explanation of an ensemble that averages its members' outputs (bagging, voting): the same weighted mean of the
// members' explanations. Exact only where each member explains the very output that is averaged.

import { ValidationError } from "../../errors.js";
import { applyMatrixPrep } from "../../features/matrix-prep.js";
import { takeRows, type FeatureMatrix } from "../../features/matrix.js";
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

/** Scales that are a regression target's value (or its log, poisson): a member explaining any other is a classifier. */
const VALUE_SCALES = new Set(["value", "log of the value"]);

/** What a member explains on, from an explanation of no rows: the scale without explaining a row. */
function scaleOf(m: FittedMember, none: FeatureMatrix): string {
  return m.fitted.explain!(m.prep ? applyMatrixPrep(m.prep, none) : none).scale;
}

/**
 * Refuses, before any member explains a row, members whose explanations are not of the averaged output: it says
 * what they explain, why their mean is not the ensemble's output, and what would explain. Each member is probed on
 * no rows: its scale without a row explained (a forest builds its explainer, which is kept for later explaining).
 */
function checkScales(owner: string, members: readonly FittedMember[], X: FeatureMatrix): void {
  for (const m of members) {
    if (!m.fitted.explain) throw new ValidationError(`${owner} member ${m.name} cannot explain its predictions`, { path: "explain" });
  }
  const none = takeRows(X, new Uint32Array(0));
  const scales = members.map((m) => scaleOf(m, none));
  if (scales.some((s) => !AVERAGEABLE.has(s) || s !== scales[0])) refuse(owner, members, scales);
}

/** The refusal: on regression a member explaining a non-value is a classifier (older builds allowed one there). */
function refuse(owner: string, members: readonly FittedMember[], scales: readonly string[]): never {
  const names = [...new Set(members.map((m) => m.name))];
  const of = `${owner} of ${names.join(" and ")}`;
  const regression = scales.some((s) => VALUE_SCALES.has(s));
  if (regression) {
    const classifier = members.find((_, i) => !VALUE_SCALES.has(scales[i]));
    if (classifier) {
      const s = scales[members.indexOf(classifier)];
      throw new ValidationError(`${of} on regression: member ${classifier.name} is a classifier (it explains ${s}, not a value), which an older version let into a regressor`, {
        path: "explain",
        hint: `retrain the model: ${owner}'s default members on regression are now gbdt,ridge, and a classifier member is refused`,
      });
    }
    const odd = [...new Set(scales.filter((s) => s !== "value"))].join(", ");
    throw new ValidationError(`${of} on regression: members explain ${[...new Set(scales)].join(" and ")}; the mean of ${odd} is not the ensemble's value`, {
      path: "explain",
      hint: `${owner} explains when every member explains the value (not gbdt with objective poisson); explain a member on its own instead`,
    });
  }
  const task = scales.some((s) => s === "margin" || s === "vote share") ? "multiclass" : "binary";
  const distinct = [...new Set(scales)];
  throw new ValidationError(`${of} on ${task}: members explain ${distinct.join(" and ")}, whose mean is not the ensemble's probability`, {
    path: "explain",
    hint:
      task === "binary"
        ? `${owner} of trees (random_forest, extra_trees, decision_tree: they explain P(class 1)) explains on binary; explain a member on its own instead`
        : `${owner} does not explain on multiclass (no member explains the class probabilities); explain a member on its own instead`,
  });
}

/**
 * Σ wₘ · explanationₘ over members (weights summing to 1), base values included: each member's slots add up to its
 * output, so the mean's slots add up to the ensemble's output. Members whose explanations are on another scale than
 * the averaged output are refused before any of them explains a row (checkScales).
 */
export function meanExplanation(owner: string, members: readonly FittedMember[], weights: ArrayLike<number>, X: FeatureMatrix): Explanation {
  checkScales(owner, members, X);
  const parts = members.map((m) => m.fitted.explain!(m.prep ? applyMatrixPrep(m.prep, X) : X));
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
