// Training a candidate as a tracked run (params, CV fold series, test metrics, artifact; search trials as child
// runs). The same function runs in process and on a `millrace worker`.
import { randomUUID } from "node:crypto";
import { defaultMetric } from "../../learn/metric-registry.js";
import { shareAutoBudget } from "../../learn/auto/budget.js";
import { searchCandidates, type Trial } from "../../learn/search/search.js";
import type { SearchSpace } from "../../learn/search/space.js";
import { trainCandidate, type TrainResult } from "../../learn/train.js";
import { ids } from "../../records.js";
import type { CandidateConfig } from "../../project/config.js";
import type { Needs } from "../needs.js";
import type { CandidateOutput, DatasetOutput } from "../outputs.js";
import { autoFitParts, trainingMetrics, trainingSeconds } from "../training-seconds.js";
import { autoTags, recordAutoCandidates } from "./auto-runs.js";

export type { CandidateOutput };
type TrainNeeds = Needs<"tracker" | "meta">;

/** The metric candidates are ranked and gated by when train.metric is unset (the registry's per-task default). */
export { defaultMetric };

export async function trainOne(
  r: TrainNeeds,
  candidate: CandidateConfig,
  ds: DatasetOutput,
  progress: (done: number, total: number, note?: string) => void,
  note: (s: string) => void,
  tags: Record<string, string> = {},
  onRunStarted?: (runId: string) => Promise<void>,
  signal?: AbortSignal,
): Promise<CandidateOutput> {
  // A cancelled or timed-out task stops at the learner's next progress report (each fold, round or trial): the
  // report throws the abort reason, which unwinds the learner and fails the tracked run.
  const report = progress;
  progress = (done, total, stage) => {
    signal?.throwIfAborted();
    report(done, total, stage);
    // The report itself may abort (the timeout is checked there): stop now, not one round later.
    signal?.throwIfAborted();
  };
  signal?.throwIfAborted();
  const cfg = r.project.config;
  const metric = cfg.train.metric ?? defaultMetric(cfg.dataset.task);
  const budget = autoBudget(candidate, cfg.train.cv_folds);
  return r.tracker.withRun(
    {
      experiment: cfg.train.experiment ?? cfg.name,
      name: candidate.name,
      params: { model: candidate.model, ...candidate.params },
      tags: { project: cfg.name, candidate: candidate.name, dataset_hash: ds.dataset.contentHash, ...tags },
      datasetId: ds.dataset.id,
    },
    async (run) => {
      await onRunStarted?.(run.id);
      await r.meta.addLineage([{ from: ids.dataset(ds.dataset.id), to: ids.run(run.id), kind: "trained_on" }]);
      const t0 = performance.now();
      const request = {
        frame: ds.frame,
        target: ds.dataset.target,
        features: ds.dataset.features,
        task: ds.dataset.task,
        ...(ds.dataset.positive !== undefined ? { positive: ds.dataset.positive } : {}),
        testRows: ds.test,
        cvFolds: cfg.train.cv_folds,
        ...(ds.foldOf.length ? { foldOf: ds.foldOf } : {}),
        seed: cfg.dataset.split.seed,
        candidate: { name: candidate.name, model: candidate.model, params: budget ? { ...candidate.params, time_budget_s: budget.perFit } : candidate.params },
        onProgress: (p: { stage: string; done: number; total: number }) => progress(p.done, p.total, p.stage),
        learningCurve: true,
      };
      const search = candidate.search;
      // The search's trials end when the last is recorded; the refit of the best parameters follows.
      let trialsEnd = t0;
      const searched = search
        ? await searchCandidates({
            ...request,
            space: search.space as SearchSpace,
            method: search.method,
            trials: search.trials,
            prune: search.prune,
            parallel: search.parallel,
            metric,
            onTrial: async (trial) => {
              await recordTrial(r, run.id, run.experiment, candidate.name, ds.dataset.id, trial, metric);
              trialsEnd = performance.now();
            },
          })
        : null;
      const result: TrainResult = searched ?? (await trainCandidate(request));
      // Everything training did (CV fits or search trials, the final fit with its feature coding and SHAP), not the
      // test scoring: the final fit alone was once reported as training time (auto with cv_folds 5: 10.71 s of 76 s).
      // auto's search runs inside its fit: split out as search_seconds, so final_fit_seconds is the chosen one's refit.
      const fit = autoFitParts(result.trainSeconds, searched ? undefined : result.selection);
      const seconds = trainingSeconds((performance.now() - t0) / 1000, {
        ...fit,
        predict: result.predictSeconds,
        ...(searched ? { search: (trialsEnd - t0) / 1000 } : { cv: result.cvSeconds ?? 0 }),
      });
      if (searched && search) {
        const pruned = searched.trials.filter((t) => t.state === "pruned").length;
        await run.setTags({ search_method: search.method, search_trials: String(searched.trials.length), search_pruned: String(pruned), best_trial: String(searched.bestTrial.number), search_workers: String(searched.workers) });
      }
      await run.logParams({ model: candidate.model, ...result.params, ...(budget ? { time_budget_s: budget.total, time_budget_per_fit_s: budget.perFit } : {}) });
      const auto = result.selection
        ? { chosen: result.selection.chosen, chosenModel: result.selection.chosenModel, metric: result.selection.metric, candidates: await recordAutoCandidates(r.meta, result.selection, { id: run.id, experiment: run.experiment, name: candidate.name, datasetId: ds.dataset.id }, { selections: result.cvFoldSelections, metrics: result.cvFoldMetrics }) }
        : undefined;
      if (result.selection) await run.setTags(autoTags(result.selection));
      for (const [i, fold] of result.cvFoldMetrics.entries()) {
        await run.logMetrics(Object.fromEntries(Object.entries(fold).map(([k, v]) => [`cv_${k}`, v])), i);
      }
      await run.logMetrics({
        ...result.testMetrics,
        ...Object.fromEntries(Object.entries(result.cvMetrics).map(([k, v]) => [`cv_${k}`, v])),
        ...trainingMetrics(seconds),
        predict_seconds: result.predictSeconds,
      });
      // Loss per boosting round (metric history) and mean |SHAP| per column (metrics shap/<column>): issue 11.
      if (result.learningCurve) await run.logSeries(result.learningCurve);
      if (result.shapImportance) await run.logImportance(result.shapImportance);
      if (result.shapNote) await run.setTags({ shap_note: result.shapNote });
      signal?.throwIfAborted();
      const bytes = result.model.toBytes();
      const artifactUri = await run.logArtifact("model.bin", bytes);
      const cv = result.cvMetrics[`${metric}_mean`];
      note(`${metric} test ${fmt(result.testMetrics[metric])}${cv !== undefined ? `, cv ${fmt(cv)}` : ""}${auto ? `, chose ${auto.chosen}` : ""}, ${seconds.train.toFixed(2)}s`);
      return { candidate, runId: run.id, result, bytes, artifactUri, seconds, ...(auto ? { auto } : {}) };
    },
  );
}

/**
 * auto's time_budget_s bounds the candidate's wall time: with cv_folds >= 2 the candidate is fit cv_folds + 1 times
 * (each CV part, then every train row), so each fit gets an even share. Not for a searched auto (its trials set it).
 */
export function autoBudget(candidate: CandidateConfig, cvFolds: number): { total: number; perFit: number } | null {
  if (candidate.model !== "auto" || candidate.search) return null;
  const { total, perFit } = shareAutoBudget(candidate.params.time_budget_s, cvFolds);
  return { total, perFit };
}

/** A search trial as a child run of the candidate's run: its parameters, CV metrics, state and duration. */
async function recordTrial(r: TrainNeeds, parentRunId: string, experiment: string, candidate: string, datasetId: string, trial: Trial, metric: string): Promise<void> {
  const endedAt = new Date();
  const startedAt = new Date(endedAt.getTime() - trial.seconds * 1000);
  await r.meta.createRun({
    id: randomUUID(),
    experiment,
    name: `${candidate}-trial-${trial.number}`,
    status: trial.state === "failed" ? "failed" : "finished",
    params: trial.params,
    metrics: Object.fromEntries(Object.entries(trial.metrics).filter(([, v]) => Number.isFinite(v)).map(([k, v]) => [`cv_${k}`, v])),
    tags: { trial: String(trial.number), state: trial.state, objective: metric },
    artifacts: [],
    datasetId,
    parentRunId,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: Math.round(trial.seconds * 1000),
    error: trial.error ?? null,
  });
}

const fmt = (v: number | undefined) => (v === undefined ? "n/a" : v.toFixed(4));

