// The promotion gate: a candidate is promoted only if it meets every threshold and beats the current
// production version measured on the same test rows. Pure: it decides from numbers, it moves nothing.

export interface GatePolicy {
  /** The metric candidates are ranked and compared by, e.g. roc_auc or rmse. */
  metric: string;
  /** Lower is better for errors and losses (rmse, mae, log_loss); higher for scores. */
  higherIsBetter: boolean;
  /** Absolute bounds, e.g. { roc_auc: { min: 0.8 }, log_loss: { max: 0.5 } }. */
  thresholds: Record<string, { min?: number; max?: number }>;
  /** When true, a candidate must beat the production version on the same data to replace it. */
  mustBeatProduction: boolean;
  /** How much better than production it must be (in the metric's units). */
  minImprovement: number;
}

export interface GateInput {
  candidate: { version: number; metrics: Record<string, number> };
  /** The current production version scored on the candidate's test rows, or null when there is none. */
  production: { version: number; metrics: Record<string, number> } | null;
  policy: GatePolicy;
}

export interface GateCheck {
  name: string;
  passed: boolean;
  detail: string;
}

export interface GateDecision {
  promote: boolean;
  checks: GateCheck[];
  /** One sentence for the run summary. */
  reason: string;
}

const LOWER_IS_BETTER = new Set(["rmse", "mae", "mape", "log_loss", "brier", "mse"]);

export function higherIsBetter(metric: string): boolean {
  return !LOWER_IS_BETTER.has(metric);
}

const fmt = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(4)).toString() : String(v));

export function decideGate({ candidate, production, policy }: GateInput): GateDecision {
  const checks: GateCheck[] = [];
  for (const [metric, bound] of Object.entries(policy.thresholds)) {
    const value = candidate.metrics[metric];
    if (value === undefined || !Number.isFinite(value)) {
      checks.push({ name: `${metric} threshold`, passed: false, detail: `${metric} was not measured` });
      continue;
    }
    if (bound.min !== undefined) {
      checks.push({ name: `${metric} >= ${bound.min}`, passed: value >= bound.min, detail: `${metric} = ${fmt(value)}, required >= ${bound.min}` });
    }
    if (bound.max !== undefined) {
      checks.push({ name: `${metric} <= ${bound.max}`, passed: value <= bound.max, detail: `${metric} = ${fmt(value)}, required <= ${bound.max}` });
    }
  }
  if (policy.mustBeatProduction && production) {
    const ours = candidate.metrics[policy.metric];
    const theirs = production.metrics[policy.metric];
    const gain = policy.higherIsBetter ? ours - theirs : theirs - ours;
    const passed = Number.isFinite(ours) && (!Number.isFinite(theirs) || gain > policy.minImprovement || (gain === 0 && policy.minImprovement < 0));
    checks.push({
      name: `beats production v${production.version}`,
      passed,
      detail: `${policy.metric} ${fmt(ours)} vs production v${production.version} ${fmt(theirs)} on the same test rows (${gain >= 0 ? "+" : ""}${fmt(gain)}, required > ${policy.minImprovement})`,
    });
  } else if (!production) {
    checks.push({ name: "no production version", passed: true, detail: "no model holds the production alias yet" });
  }
  const failed = checks.filter((c) => !c.passed);
  const promote = failed.length === 0;
  const reason = promote
    ? `promoted v${candidate.version}: ${checks.map((c) => c.detail).join("; ")}`
    : `not promoted: ${failed.map((c) => c.detail).join("; ")}`;
  return { promote, checks, reason };
}
