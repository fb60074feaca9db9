// Sample weights for classifiers: given weights times optional "balanced" class weights.

import { TrainingError } from "../errors.js";

export const CLASS_WEIGHT_CHOICES = ["none", "balanced"] as const;

/**
 * "balanced" weighs class c by n / (k * n_c), as scikit-learn does, so each class carries equal total weight.
 * Returns undefined when no weighting is needed (the fast path of every learner).
 */
export function sampleWeights(
  y: Float64Array,
  nClasses: number,
  mode: string,
  given: Float64Array | undefined,
): Float64Array | undefined {
  if (given) {
    for (let i = 0; i < given.length; i++) {
      if (!(given[i] >= 0) || !Number.isFinite(given[i])) {
        throw new TrainingError(`sample weight at row ${i} is ${given[i]}`, { hint: "weights must be finite and >= 0" });
      }
    }
  }
  if (mode !== "balanced" || nClasses === 0) return given;
  const counts = new Float64Array(nClasses);
  for (let i = 0; i < y.length; i++) counts[y[i]] += 1;
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = (y.length / (nClasses * counts[y[i]])) * (given ? given[i] : 1);
  return out;
}
