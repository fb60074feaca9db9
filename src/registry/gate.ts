// The promotion gate: a candidate is promoted only if it meets every threshold and beats the current
// production version measured on rows neither model trained on. Pure: it decides from numbers, it moves nothing.

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
  /** Require the lower end of the bootstrap interval of the gain to be above minImprovement. */
  significance?: boolean;
  /** Below this many comparison rows the comparison is reported but the thresholds alone decide. */
  minRows?: number;
}

/** Champion and challenger scored on the same rows that neither trained on, with a paired-bootstrap interval. */
export interface GateComparison {
  /** Test rows of the new dataset that the champion did not train on either. */
  rows: number;
  /** The new dataset's test rows, before taking out those the champion trained on. */
  testRows: number;
  champion: number;
  challenger: number;
  /** Interval of challenger − champion in the metric's units (null when it could not be computed). */
  interval: { lo: number; hi: number; level: number; resamples: number } | null;
  /** Why there is no leak-free comparison, when there is none. */
  unavailable?: string;
}

export interface GateInput {
  candidate: { version: number; metrics: Record<string, number> };
  /** The current production version scored on the candidate's test rows, or null when there is none. */
  production: { version: number; metrics: Record<string, number> } | null;
  /** The leak-free comparison; without it the production metrics are taken as measured on the same rows. */
  comparison?: GateComparison;
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
  comparison?: GateComparison;
}

// A metric's direction lives with the metric (learn/metric-registry.ts); re-exported for the gate's callers.
export { higherIsBetter } from "../learn/metric-registry.js";

const fmt = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(4)).toString() : String(v));

export function decideGate({ candidate, production, comparison, policy }: GateInput): GateDecision {
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
  if (policy.mustBeatProduction && production) checks.push(beatsProduction(candidate, production, comparison, policy));
  else if (!production) {
    checks.push({ name: "no production version", passed: true, detail: "no model holds the production alias yet" });
  }
  const failed = checks.filter((c) => !c.passed);
  const promote = failed.length === 0;
  const reason = promote
    ? `promoted v${candidate.version}: ${checks.map((c) => c.detail).join("; ")}`
    : `not promoted: ${failed.map((c) => c.detail).join("; ")}`;
  return { promote, checks, reason, ...(comparison ? { comparison } : {}) };
}

const signed = (v: number) => `${v >= 0 ? "+" : ""}${fmt(v)}`;

function beatsProduction(
  candidate: GateInput["candidate"], production: NonNullable<GateInput["production"]>, comparison: GateComparison | undefined, policy: GatePolicy,
): GateCheck {
  const name = `beats production v${production.version}`;
  const minRows = policy.minRows ?? 1;
  if (comparison && (comparison.unavailable || comparison.rows < minRows)) {
    const why = comparison.unavailable ?? `only ${comparison.rows} of ${comparison.testRows} test rows were unseen by production v${production.version} (gate.min_rows ${minRows})`;
    return { name, passed: true, detail: `no leak-free comparison: ${why}; decided by the thresholds alone` };
  }
  const ours = comparison ? comparison.challenger : candidate.metrics[policy.metric];
  const theirs = comparison ? comparison.champion : production.metrics[policy.metric];
  const gain = policy.higherIsBetter ? ours - theirs : theirs - ours;
  let passed = Number.isFinite(ours) && (!Number.isFinite(theirs) || gain > policy.minImprovement || (gain === 0 && policy.minImprovement < 0));
  const where = comparison ? `on ${comparison.rows} test rows neither model trained on` : "on the same test rows";
  let ci = "";
  const iv = comparison?.interval;
  if (iv && Number.isFinite(iv.lo) && Number.isFinite(iv.hi)) {
    // The interval is of challenger − champion; as a gain it flips for lower-is-better metrics.
    const [lo, hi] = policy.higherIsBetter ? [iv.lo, iv.hi] : [-iv.hi, -iv.lo];
    ci = `, ${Math.round(iv.level * 100)}% CI [${signed(lo)}, ${signed(hi)}]`;
    if (policy.significance) passed = passed && lo > policy.minImprovement;
  } else if (policy.significance) {
    passed = false;
    ci = ", no interval";
  }
  const required = policy.significance ? `interval above ${policy.minImprovement}` : `> ${policy.minImprovement}`;
  return { name, passed, detail: `${policy.metric} ${fmt(ours)} vs production v${production.version} ${fmt(theirs)} ${where} (${signed(gain)}${ci}, required ${required})` };
}
