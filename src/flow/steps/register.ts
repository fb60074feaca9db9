// Registering the winner: the best candidate by CV becomes a model version, is scored against production on test
// rows neither trained on, and takes the alias only if the gate says so; a version left ungated by a killed run is
// gated by the next run on the same dataset.
import { describeError } from "../../errors.js";
import { pairedBootstrap } from "../../learn/bootstrap.js";
import type { Model } from "../../learn/model.js";
import { loadModel } from "../../learn/train.js";
import { decideGate, higherIsBetter, type GateComparison, type GateDecision } from "../../registry/gate.js";
import { gatePolicy } from "../../registry/gate-policy.js";
import type { ModelVersion } from "../../records.js";
import { failpoint } from "../failpoint.js";
import type { Needs } from "../needs.js";
import type { CandidateOutput, DatasetOutput, PromotionOutput } from "../outputs.js";
import { trainedIdentities } from "./dataset.js";
import { defaultMetric } from "./train.js";
import { TRAIN_CONFIG_TAG, trainConfigRecord } from "./train-config.js";

export type { PromotionOutput };
type GateNeeds = Needs<"lake" | "meta" | "registry">;

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

/** The run tag that marks a version's gate as decided; a version without it was registered by a run that died. */
const GATE_TAG = "gate";

export async function registerAndGate(r: GateNeeds, ds: DatasetOutput, outputs: CandidateOutput[], note: (s: string) => void): Promise<PromotionOutput | null> {
  const cfg = r.project.config;
  if (outputs.length === 0) {
    if (ds.alreadyTrainedBy) return resumeGate(r, ds, ds.alreadyTrainedBy.version, note);
    note("nothing trained, nothing registered");
    return null;
  }
  const metric = cfg.train.metric ?? defaultMetric(cfg.dataset.task);
  const best = pickBest(outputs, metric);
  // Before the version exists, so a version never lacks the config the next run compares against (train-config.ts).
  await r.meta.mergeTags(best.runId, { [TRAIN_CONFIG_TAG]: JSON.stringify(trainConfigRecord(cfg)) });
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
  failpoint("register:after-version");
  return gateVersion(r, ds, version, loadModel(best.bytes), best.result.testMetrics, best.candidate.name, note);
}

/** A rerun on the same dataset: a version registered by a run killed before its gate gets the gate now. */
async function resumeGate(r: GateNeeds, ds: DatasetOutput, versionNumber: number, note: (s: string) => void): Promise<PromotionOutput | null> {
  const cfg = r.project.config;
  const version = await r.registry.get(cfg.registry.model, versionNumber);
  const run = await r.meta.getRun(version.runId);
  if (run?.tags[GATE_TAG]) {
    note(`nothing trained: v${version.version} already gated (${run.tags[GATE_TAG]})`);
    return null;
  }
  note(`v${version.version} was registered by an interrupted run and never gated: gating it now`);
  const testMetrics = Object.fromEntries(Object.entries(version.metrics).filter(([k]) => !k.startsWith("cv_")));
  const model = loadModel(await r.registry.loadArtifact(version));
  const out = await gateVersion(r, ds, version, model, testMetrics, run?.name ?? `v${version.version}`, note);
  return { ...out, resumed: true };
}

async function gateVersion(
  r: GateNeeds, ds: DatasetOutput, version: ModelVersion, challenger: Model, testMetrics: Record<string, number>, candidate: string, note: (s: string) => void,
): Promise<PromotionOutput> {
  const cfg = r.project.config;
  const gate = cfg.registry.gate;
  const metric = cfg.train.metric ?? defaultMetric(cfg.dataset.task);
  const alias = cfg.registry.alias;
  const production = await r.registry.aliasVersion(cfg.registry.model, alias);
  const policy = gatePolicy(gate, metric);
  let decision: GateDecision;
  if (production && production.version === version.version) {
    // A run killed after moving the alias and before recording the gate: the move stands.
    decision = { promote: true, checks: [{ name: `holds ${alias}`, passed: true, detail: `v${version.version} already holds ${alias}` }], reason: `v${version.version} already holds ${alias}` };
  } else {
    let comparison: GateComparison | undefined;
    let productionError: string | null = null;
    if (production) {
      try {
        comparison = await compareWithProduction(r, ds, production, challenger, metric);
      } catch (e) {
        productionError = describeError(e);
      }
    }
    decision = decideGate({
      candidate: { version: version.version, metrics: testMetrics },
      production: production ? { version: production.version, metrics: {} } : null,
      ...(comparison ? { comparison } : {}),
      policy,
    });
    if (productionError && gate.must_beat_production) {
      const check = { name: `beats production v${production!.version}`, passed: false, detail: `production v${production!.version} could not score the new test rows (${productionError}); promote by hand if intended: millrace models promote ${cfg.registry.model} ${version.version}` };
      decision = { promote: false, checks: [...decision.checks.filter((c) => c.name !== check.name), check], reason: `not promoted: ${check.detail}` };
    }
    if (decision.promote) await r.registry.setAlias(cfg.registry.model, alias, version.version, { actor: "pipeline", reason: decision.reason });
  }
  failpoint("register:after-alias");
  await r.meta.mergeTags(version.runId, { [GATE_TAG]: decision.promote ? "promoted" : "rejected", gate_version: String(version.version), gate_reason: decision.reason.slice(0, 2000) });
  const c = decision.comparison;
  note(
    `${cfg.registry.model} v${version.version} (${candidate}) ${decision.promote ? `→ ${alias}` : "registered, not promoted"}` +
      (c && !c.unavailable ? `; vs v${production!.version} on ${c.rows} unseen rows: ${fmtNum(c.challenger)} vs ${fmtNum(c.champion)}` : ""),
  );
  const latest = await r.registry.get(cfg.registry.model, version.version);
  return { version: latest, candidate, alias, decision };
}

/**
 * Scores champion and challenger on the new dataset's test rows that the champion did not train on either (by row
 * identity), with a paired bootstrap interval of the difference. Rows the champion trained on would flatter it.
 */
async function compareWithProduction(r: GateNeeds, ds: DatasetOutput, production: ModelVersion, challenger: Model, metric: string): Promise<GateComparison> {
  const cfg = r.project.config;
  const identity = ds.dataset.split.identity ?? { kind: "content" as const, columns: [...ds.dataset.features, ds.dataset.target].sort() };
  const base = { testRows: ds.test.length, champion: NaN, challenger: NaN, interval: null };
  let trained: Set<number>;
  try {
    trained = await trainedIdentities(r, production.datasetId, identity);
  } catch (e) {
    return { ...base, rows: 0, unavailable: `the rows production v${production.version} trained on cannot be told (${describeError(e)})` };
  }
  const kept: number[] = [];
  for (const row of ds.test) if (!trained.has(ds.identities[row])) kept.push(row);
  const rows = Uint32Array.from(kept);
  if (rows.length === 0) return { ...base, rows: 0, unavailable: `every test row was a training row of production v${production.version}` };
  const champion = loadModel(await r.registry.loadArtifact(production));
  const { target, positive } = ds.dataset;
  const boot = pairedBootstrap(
    ds.dataset.task, metric,
    champion.scored(ds.frame, rows, target, positive),
    challenger.scored(ds.frame, rows, target, positive),
    { resamples: cfg.registry.gate.bootstrap, seed: ds.dataset.split.seed },
  );
  return {
    rows: rows.length, testRows: ds.test.length, champion: boot.a, challenger: boot.b,
    interval: Number.isFinite(boot.lo) ? { lo: boot.lo, hi: boot.hi, level: boot.level, resamples: boot.resamples } : null,
  };
}

const fmtNum = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));
