// Which way a metric is better, as the metric registry says (GET /api/metric-definitions), not guessed from its
// name: cv_log_loss_mean → log_loss → lower is better. Timings (_seconds) and CV spreads (_std) are smaller-better.
import { useCallback } from "react";
import type { MetricDefinitionsResponse } from "../../src/ui-api/types.js";
import { useApi } from "./api.js";
import { baseMetric } from "./format.js";

/** "lower" / "higher" for a metric key, or null when neither the registry nor its suffix says. */
export function directionOf(key: string, defs: MetricDefinitionsResponse | undefined): "lower" | "higher" | null {
  if (/_std$|_seconds$/.test(key)) return "lower";
  const def = defs?.metrics.find((m) => m.name === baseMetric(key));
  return def ? (def.higherIsBetter ? "higher" : "lower") : null;
}

/** lowerIsBetter(key) from the registry (loaded once per tab; false until it answers). */
export function useMetricDirections(): { lowerIsBetter: (key: string) => boolean; known: (key: string) => boolean } {
  const defs = useApi<MetricDefinitionsResponse>("/metric-definitions").data;
  const lowerIsBetter = useCallback((key: string) => directionOf(key, defs) === "lower", [defs]);
  const known = useCallback((key: string) => directionOf(key, defs) !== null, [defs]);
  return { lowerIsBetter, known };
}
