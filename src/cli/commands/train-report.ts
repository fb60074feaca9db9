// What every `millrace train` report ends with (tabular and recommendation alike): the fitted parameters, the
// timings and where the model was saved, under the same keys, so scripts read both the same way; and how its
// numbers are printed.
import type { PipelineState } from "../../features/pipeline.js";
import { trainingFields, type TrainingSeconds } from "../../flow/training-seconds.js";

export interface TrainTimings {
  timings: TrainingSeconds;
  predictSeconds: number;
}

/**
 * trainSeconds is all the training (CV folds and the final fit, as a run's train_seconds), finalFitSeconds the final
 * fit alone, cvSeconds the CV folds (with --cv); trainSeconds was the final fit alone before finalFitSeconds existed.
 */
export function reportTail(params: Record<string, unknown>, loadSeconds: number, t: TrainTimings, savedTo?: string) {
  return { params, loadSeconds, ...trainingFields(t.timings), predictSeconds: t.predictSeconds, ...(savedTo ? { savedTo } : {}) };
}

/** "60 s", "1.7 s": a budget as a person would say it. */
export function seconds(s: number): string {
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/**
 * A spread (a CV std) in fixed digits beside the value it spreads: as many decimals as the value is printed with
 * (4 under 100, else 1), so 0.0003 sits under 0.8512, not 3.293e-4.
 */
export function fixed(v: number | null | undefined, beside?: number | null): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "";
  return v.toFixed(beside !== null && beside !== undefined && Math.abs(beside) >= 100 ? 1 : 4);
}

/**
 * The columns the learner is given, as the feature pipeline makes them from the input columns: a date becomes its parts,
 * a target-encoded text column one column per class, interactions add products. `features` in the report counts input
 * columns; this counts what mean |SHAP| lists, with the inputs that became more than one column said.
 */
export function modelColumns(state: PipelineState): { count: number; expanded: string[] } {
  let count = state.interactions?.pairs.length ?? 0;
  const expanded: string[] = [];
  for (const c of state.columns) {
    const made = c.kind === "datetime" ? c.parts.length : c.kind === "target" ? c.post.length : 1;
    count += made;
    if (c.kind === "datetime") expanded.push(`${c.name} → ${made} date parts`);
    else if (made > 1) expanded.push(`${c.name} → ${made} target-encoded columns`);
  }
  if (state.interactions?.pairs.length) expanded.push(`${state.interactions.pairs.length} products of numeric pairs`);
  return { count, expanded };
}
