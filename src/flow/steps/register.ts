// Registering the winner: the best candidate by CV becomes a model version, is scored against production on the
// same test rows, and takes the alias only if the gate says so.
import { describeError } from "../../errors.js";
import { loadModel } from "../../learn/train.js";
import { decideGate, higherIsBetter, type GateDecision } from "../../registry/gate.js";
import type { ModelVersion } from "../../records.js";
import type { Resources } from "../resources.js";
import type { DatasetOutput } from "./dataset.js";
import { defaultMetric, type CandidateOutput } from "./train.js";

/** Picks the winner by cross-validated score (falls back to test when CV is off), so test rows stay a fair check. */
export function pickBest(outputs: CandidateOutput[], metric: string): CandidateOutput {
  const better = higherIsBetter(metric);
  const score = (o: CandidateOutput) => o.result.cvMetrics[`${metric}_mean`] ?? o.result.testMetrics[metric] ?? Number.NaN;
  let best = outputs[0];
  for (const o of outputs.slice(1)) {
    const a = score(o);
    const b = score(best);
    if (Number.isNaN(b) || (better ? a > b : a < b)) best = o;
  }
  return best;
}

/** The first training row's features, as a client would send them. */
export function inputExample(ds: DatasetOutput): Record<string, unknown> {
  const row = ds.train[0] ?? 0;
  const out: Record<string, unknown> = {};
  for (const name of ds.dataset.features) {
    const c = ds.frame.columns.find((col) => col.name === name);
    if (!c) continue;
    const v = c.values[row];
    out[name] = c.kind === "numeric" ? (Number.isNaN(v as number) ? null : v) : v;
  }
  return out;
}

export interface PromotionOutput {
  version: ModelVersion;
  candidate: string;
  alias: string;
  decision: GateDecision;
}

export async function registerAndGate(r: Resources, ds: DatasetOutput, outputs: CandidateOutput[], note: (s: string) => void): Promise<PromotionOutput | null> {
  if (outputs.length === 0) {
    note("nothing trained, nothing registered");
    return null;
  }
  const cfg = r.project.config;
  const metric = cfg.train.metric ?? defaultMetric(cfg.dataset.task);
  const best = pickBest(outputs, metric);
  const metrics = { ...best.result.testMetrics, ...Object.fromEntries(Object.entries(best.result.cvMetrics).map(([k, v]) => [`cv_${k}`, v])) };
  const version = await r.registry.register({
    name: cfg.registry.model,
    runId: best.runId,
    datasetId: ds.dataset.id,
    datasetHash: ds.dataset.contentHash,
    artifact: best.bytes,
    signature: best.result.model.signature,
    metrics,
    description: `${best.candidate.name} (${best.candidate.model}) trained on ${ds.dataset.table.table}@${ds.dataset.table.version}`,
    inputExample: inputExample(ds),
  });

  const alias = cfg.registry.alias;
  const production = await r.registry.aliasVersion(cfg.registry.model, alias);
  let productionScore: { version: number; metrics: Record<string, number> } | null = null;
  let productionError: string | null = null;
  if (production) {
    try {
      const champion = loadModel(await r.registry.loadArtifact(production));
      productionScore = { version: production.version, metrics: champion.evaluate(ds.frame, ds.test, ds.dataset.target, ds.dataset.positive) };
    } catch (e) {
      productionError = describeError(e);
    }
  }
  const gate = cfg.registry.gate;
  const thresholds: Record<string, { min?: number; max?: number }> = {};
  for (const [m, v] of Object.entries(gate.min)) thresholds[m] = { ...thresholds[m], min: v };
  for (const [m, v] of Object.entries(gate.max)) thresholds[m] = { ...thresholds[m], max: v };
  let decision = decideGate({
    candidate: { version: version.version, metrics: best.result.testMetrics },
    production: productionScore,
    policy: { metric, higherIsBetter: higherIsBetter(metric), thresholds, mustBeatProduction: gate.must_beat_production, minImprovement: gate.min_improvement },
  });
  if (productionError && gate.must_beat_production) {
    const check = { name: `beats production v${production!.version}`, passed: false, detail: `production v${production!.version} could not score the new test rows (${productionError}); promote by hand if intended: millrace models promote ${cfg.registry.model} ${version.version}` };
    decision = { promote: false, checks: [...decision.checks, check], reason: `not promoted: ${check.detail}` };
  }
  if (decision.promote) {
    await r.registry.setAlias(cfg.registry.model, alias, version.version, { actor: "pipeline", reason: decision.reason });
  }
  note(`${cfg.registry.model} v${version.version} (${best.candidate.name}) ${decision.promote ? `→ ${alias}` : "registered, not promoted"}`);
  const latest = await r.registry.get(cfg.registry.model, version.version);
  return { version: latest, candidate: best.candidate.name, alias, decision };
}
