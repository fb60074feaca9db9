// The gate policy of a project (registry.gate of millrace.yaml) for a metric: thresholds by metric, the metric's
// direction from the metric registry. The tabular and the recommendation registration steps both read it here.
import { higherIsBetter } from "../learn/metric-registry.js";
import type { ProjectConfig } from "../project/config.js";
import type { GatePolicy } from "./gate.js";

export function gatePolicy(gate: ProjectConfig["registry"]["gate"], metric: string): GatePolicy {
  const thresholds: Record<string, { min?: number; max?: number }> = {};
  for (const [m, v] of Object.entries(gate.min)) thresholds[m] = { ...thresholds[m], min: v };
  for (const [m, v] of Object.entries(gate.max)) thresholds[m] = { ...thresholds[m], max: v };
  return {
    metric, higherIsBetter: higherIsBetter(metric), thresholds, mustBeatProduction: gate.must_beat_production, minImprovement: gate.min_improvement,
    significance: gate.significance, minRows: gate.min_rows,
  };
}
