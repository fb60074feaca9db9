// Recommendation training inside `millrace run`: each candidate trained on the dataset's train interactions as a
// tracked run (params, CV folds on the train rows, held-out metrics, the model artifact; with candidate.search, its
// trials as child runs scored by CV on the train rows), the best by CV (else held-out) registered, and the gate
// deciding on held-out interactions neither it nor production trained on (paired bootstrap over held-out users).

import { describeError } from "../errors.js";
import { failpoint } from "../flow/failpoint.js";
import { trainingMetrics, trainingSeconds, type TrainingSeconds } from "../flow/training-seconds.js";
import { higherIsBetter } from "../learn/metric-registry.js";
import { Rng } from "../learn/rng.js";
import type { SearchSpace } from "../learn/search/space.js";
import type { Project } from "../project/load-project.js";
import type { CandidateConfig, RecommendationDatasetConfig } from "../project/config.js";
import { ids, type ModelVersion } from "../records.js";
import { decideGate, type GateComparison, type GateDecision } from "../registry/gate.js";
import { gatePolicy } from "../registry/gate-policy.js";
import type { Registry } from "../registry/registry.js";
import type { MetadataStore } from "../store/metadata-store.js";
import type { Tracker } from "../track/tracker.js";
import { gateComparison } from "./compare.js";
import { relevanceRule, type Relevance } from "./evaluate.js";
import { loadRecommender, type RecommenderModel } from "./model.js";
import { heldOut, subTable, type InteractionData } from "./pipeline-data.js";
import { RecommenderPredictor } from "./predictor.js";
import { foldSummary, searchRecommender } from "./search.js";
import { trainRecommender, type RecTrainResult } from "./train.js";

export { foldSummary } from "./search.js";

export interface RecCandidateOutput {
  candidate: CandidateConfig;
  runId: string;
  result: RecTrainResult;
  /** Mean and std of each metric over the CV folds of the train rows (`<metric>_mean`, `<metric>_std`). */
  cv: Record<string, number>;
  bytes: Uint8Array;
  /** What its training took (train_seconds and its parts; result.trainSeconds is the final fit alone). */
  seconds: TrainingSeconds;
}

export interface RecPromotion {
  version: ModelVersion;
  candidate: string;
  alias: string;
  decision: GateDecision;
  /** True when this run finished the gate of a version an interrupted run registered. */
  resumed?: boolean;
}

type Stores = { project: Project; tracker: Tracker; meta: MetadataStore; registry: Registry };

/** The metric candidates are ranked and gated by: train.metric, else NDCG@K (dataset.k, default 10). */
export const recommendationMetric = (p: Project): string => p.config.train.metric ?? `ndcg_at_${datasetOf(p).k}`;

function datasetOf(p: Project): RecommendationDatasetConfig {
  const ds = p.config.dataset;
  if (ds.task !== "recommendation") throw new Error("recommendation training on a tabular project");
  return ds;
}

/**
 * Per fold, the rows of the train sub-table it holds out (CV on train rows only; folds follow pair identity). With
 * CV off, a search still needs one: a seeded fifth of the train rows.
 */
function trainFolds(data: InteractionData, nFolds: number, seed: number, forSearch: boolean): Uint32Array[] {
  if (nFolds < 2) {
    if (!forSearch) return [];
    const order = new Rng(seed ^ 0xf01d).shuffle(Int32Array.from(data.train.keys()));
    return [Uint32Array.from(order.subarray(0, Math.max(1, Math.round(order.length / 5)))).sort()];
  }
  const out: Uint32Array[] = [];
  for (let f = 0; f < nFolds; f++) {
    const rows = Uint32Array.from(data.train.keys()).filter((x) => data.foldOf[data.train[x]] === f);
    if (rows.length > 0 && rows.length < data.train.length) out.push(rows);
  }
  return out;
}

export async function trainRecommenderCandidate(
  r: Omit<Stores, "registry">, candidate: CandidateConfig, data: InteractionData,
  progress: (done: number, total: number, note?: string) => void, note: (s: string) => void, signal?: AbortSignal,
): Promise<RecCandidateOutput> {
  const cfg = r.project.config;
  const ds = datasetOf(r.project);
  const metric = recommendationMetric(r.project);
  const onProgress = (done: number, total: number) => {
    signal?.throwIfAborted();
    progress(done, total);
  };
  return r.tracker.withRun(
    {
      experiment: cfg.train.experiment ?? cfg.name,
      name: candidate.name,
      params: { model: candidate.model, ...candidate.params },
      tags: { project: cfg.name, candidate: candidate.name, task: "recommendation", dataset_hash: data.table.contentHash },
      datasetId: data.id,
    },
    async (run) => {
      await r.meta.addLineage([{ from: ids.table(data.table), to: ids.run(run.id), kind: "trained_on" }]);
      const relevant = ds.relevant !== undefined ? { relevant: ds.relevant } : {};
      const search = candidate.search;
      const foldRows = trainFolds(data, cfg.train.cv_folds, ds.split.seed, search !== undefined);
      const train = foldRows.length ? subTable(data.interactions, data.train) : null;
      let params = candidate.params;
      let folds: Record<string, number>[] = [];
      const t0 = performance.now();
      if (search && train) {
        // Trials scored by CV on the train rows only; the best parameters are then fitted once on all train rows.
        const s = await searchRecommender({
          table: train, folds: foldRows, model: candidate.model, fixed: candidate.params, space: search.space as SearchSpace, method: search.method,
          trials: search.trials, prune: search.prune, metric, seed: ds.split.seed, k: ds.k, ...relevant, onProgress,
          // Each trial a child run of the candidate's run: its parameters, CV metrics, state and duration.
          startTrial: async (number, trialParams) => {
            const child = await r.tracker.startRun({ experiment: run.experiment, name: `${candidate.name}-trial-${number}`, params: trialParams, datasetId: data.id, parentRunId: run.id });
            return async (t) => {
              await child.setTags({ trial: String(t.number), state: t.state, objective: metric });
              await child.logMetrics(Object.fromEntries(Object.entries(t.metrics).map(([k, v]) => [`cv_${k}`, v])));
              await child.finish(t.state === "failed" ? "failed" : "finished", t.error);
            };
          },
        });
        params = s.best.params;
        folds = s.best.foldMetrics;
        await run.setTags({ search_method: search.method, search_trials: String(s.trials.length), search_pruned: String(s.trials.filter((t) => t.state === "pruned").length), best_trial: String(s.best.number) });
        note(`search: ${s.trials.length} trials, best #${s.best.number} ${metric} cv ${fmt(s.best.score)}`);
      } else if (train) {
        // CV on the train rows only: fold f's interactions are held out from a model fitted on the other folds.
        for (const rows of foldRows) folds.push(trainRecommender({ model: candidate.model, params, seed: ds.split.seed, k: ds.k, ...relevant, table: train, testRows: rows, onProgress }).metrics);
      }
      // The CV folds or the search's trials, before the final fit.
      const before = (performance.now() - t0) / 1000;
      for (const [f, m] of folds.entries()) await run.logMetrics(Object.fromEntries(Object.entries(m).map(([k, v]) => [`cv_${k}`, v])), f);
      const t1 = performance.now();
      const result = trainRecommender({ model: candidate.model, params, seed: ds.split.seed, k: ds.k, ...relevant, table: data.interactions, testRows: data.test, onProgress });
      // Everything training did (CV folds or search trials, the final fit), not the held-out scoring: the fit alone
      // was once logged as train_seconds, even after CV folds that took several times longer.
      const seconds = trainingSeconds(before + (performance.now() - t1) / 1000, {
        finalFit: result.trainSeconds,
        predict: result.predictSeconds,
        ...(search && train ? { search: before } : { cv: train ? before : 0 }),
      });
      const cv = foldSummary(folds);
      await run.logParams({ model: candidate.model, ...result.params });
      await run.logMetrics({
        ...result.metrics,
        ...Object.fromEntries(Object.entries(cv).map(([k, v]) => [`cv_${k}`, v])),
        ...trainingMetrics(seconds),
        predict_seconds: result.predictSeconds,
      });
      await run.setTags({ relevance: result.relevance.rule.slice(0, 200) });
      signal?.throwIfAborted();
      const bytes = result.model.toBytes();
      await run.logArtifact("model.bin", bytes);
      const cvScore = cv[`${metric}_mean`];
      note(`${metric} held-out ${fmt(result.metrics[metric])}${cvScore !== undefined ? `, cv ${fmt(cvScore)}` : ""}, ${seconds.train.toFixed(2)}s`);
      return { candidate, runId: run.id, result, cv, bytes, seconds };
    },
  );
}

/** The winner by CV mean of the metric (held-out when CV is off), in the metric registry's direction. */
export function pickBestRecommender(outputs: readonly RecCandidateOutput[], metric: string): RecCandidateOutput {
  const sign = higherIsBetter(metric) ? 1 : -1;
  const score = (o: RecCandidateOutput) => sign * (o.cv[`${metric}_mean`] ?? o.result.metrics[metric] ?? Number.NaN);
  return outputs.reduce((best, o) => (Number.isNaN(score(best)) || score(o) > score(best) ? o : best));
}

const GATE_TAG = "gate";

/**
 * `alreadyTrainedBy`: the version an earlier run registered on these interactions; when that run died before its
 * gate (no gate tag on its run), the gate decides now, as the tabular register step does.
 */
export async function registerRecommender(
  r: Stores, data: InteractionData, outputs: readonly RecCandidateOutput[], note: (s: string) => void, alreadyTrainedBy: { version: number } | null = null,
): Promise<RecPromotion | null> {
  const cfg = r.project.config;
  if (outputs.length === 0) {
    if (!alreadyTrainedBy) {
      note("nothing trained, nothing registered");
      return null;
    }
    const version = await r.registry.get(cfg.registry.model, alreadyTrainedBy.version);
    const run = await r.meta.getRun(version.runId);
    if (run?.tags[GATE_TAG]) {
      note(`nothing trained: v${version.version} already gated (${run.tags[GATE_TAG]})`);
      return null;
    }
    note(`v${version.version} was registered by an interrupted run and never gated: gating it now`);
    const model = loadRecommender(await r.registry.loadArtifact(version));
    const ds = datasetOf(r.project);
    const trainRatings = data.interactions.ratings ? Float64Array.from(data.train, (x) => data.interactions.ratings![x]) : null;
    const metrics = Object.fromEntries(Object.entries(version.metrics).filter(([k]) => !k.startsWith("cv_")));
    const out = await gateRecommender(r, data, version, model, metrics, relevanceRule(trainRatings, ds.relevant), run?.name ?? `v${version.version}`, note);
    return { ...out, resumed: true };
  }
  const metric = recommendationMetric(r.project);
  const best = pickBestRecommender(outputs, metric);
  const model = best.result.model;
  const { user, item } = model.info.columns;
  const version = await r.registry.register({
    name: cfg.registry.model,
    runId: best.runId,
    datasetId: data.id,
    datasetHash: data.table.contentHash,
    artifact: best.bytes,
    signature: new RecommenderPredictor(model).signature,
    metrics: { ...best.result.metrics, ...Object.fromEntries(Object.entries(best.cv).map(([k, v]) => [`cv_${k}`, v])) },
    description: `${best.candidate.name} (${best.candidate.model}) trained on ${data.table.table}@${data.table.version}`,
    inputExample: { [user]: model.userIds[0], [item]: model.itemIds[0] },
  });
  await r.meta.addLineage([{ from: ids.table(data.table), to: ids.dataset(data.id), kind: "derived_from" }]);
  failpoint("recommend:after-version");
  return gateRecommender(r, data, version, model, best.result.metrics, best.result.relevance, best.candidate.name, note);
}

async function gateRecommender(
  r: Stores, data: InteractionData, version: ModelVersion, model: RecommenderModel, testMetrics: Record<string, number>, relevance: Relevance, candidate: string,
  note: (s: string) => void,
): Promise<RecPromotion> {
  const cfg = r.project.config;
  const metric = recommendationMetric(r.project);
  const gate = cfg.registry.gate;
  const alias = cfg.registry.alias;
  const policy = gatePolicy(gate, metric);
  const production = await r.registry.aliasVersion(cfg.registry.model, alias);
  let comparison: GateComparison | undefined;
  let productionError: string | null = null;
  if (production) {
    try {
      // Both scored on this dataset's held-out interactions, minus the pairs either trained on (same K, same relevance).
      const champion = loadRecommender(await r.registry.loadArtifact(production));
      const ds = datasetOf(r.project);
      comparison = gateComparison(champion, model, heldOut(data.interactions, data.test), ds.k, relevance, metric, { resamples: gate.bootstrap, seed: ds.split.seed });
    } catch (e) {
      productionError = describeError(e);
    }
  }
  let decision = decideGate({
    candidate: { version: version.version, metrics: testMetrics },
    production: production ? { version: production.version, metrics: {} } : null,
    ...(comparison ? { comparison } : {}),
    policy,
  });
  if (productionError && gate.must_beat_production) {
    const check = { name: `beats production v${production!.version}`, passed: false, detail: `production v${production!.version} could not be compared (${productionError}); promote by hand if intended: millrace models promote ${cfg.registry.model} ${version.version}` };
    decision = { promote: false, checks: [...decision.checks.filter((c) => c.name !== check.name), check], reason: `not promoted: ${check.detail}` };
  }
  if (decision.promote) await r.registry.setAlias(cfg.registry.model, alias, version.version, { actor: "pipeline", reason: decision.reason });
  await r.meta.mergeTags(version.runId, { [GATE_TAG]: decision.promote ? "promoted" : "rejected", gate_version: String(version.version), gate_reason: decision.reason.slice(0, 2000) });
  const c = decision.comparison;
  note(
    `${cfg.registry.model} v${version.version} (${candidate}) ${decision.promote ? `→ ${alias}` : "registered, not promoted"}` +
      (c && !c.unavailable ? `; vs v${production!.version} on ${c.rows} held-out interactions: ${metric} ${fmt(c.challenger)} vs ${fmt(c.champion)}` : ""),
  );
  return { version: await r.registry.get(cfg.registry.model, version.version), candidate, alias, decision };
}

const fmt = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(4) : String(v));
