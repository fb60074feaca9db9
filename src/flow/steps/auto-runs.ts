// `auto`'s candidates as child runs of the project candidate's run (MLflow's nested runs): each learner it tried with
// its parameters, CV score, seconds and state ("scored", "skipped: budget", "not better", "failed"), and the chosen one
// as tags on the parent, so `runs`, `runs show` and `runs --all` tell what auto picked and what it passed over. With
// CV (train.cv_folds), auto searches again inside each fold: each fold is a child run of the parent (`<name>/cv-fold-i`,
// tag cv_fold, what that search chose, the fold's held-out metrics) whose children are that search's candidates.
import { randomUUID } from "node:crypto";
import type { AutoSelection } from "../../learn/auto/auto.js";
import { checkSpecParams } from "../../learn/model-spec.js";
import { MODEL_SPECS, modelSpec } from "../../learn/model-specs.js";
import type { Run } from "../../records.js";
import type { MetadataStore } from "../../store/metadata-store.js";
import type { AutoCandidateSummary } from "../outputs.js";

/** What auto chose, on the parent run's tags (`runs --json` shows them; `runs` and `runs show` print `chosen`). */
export function autoTags(selection: AutoSelection): Record<string, string> {
  return {
    chosen: selection.chosen,
    chosen_model: selection.chosenModel,
    auto_metric: selection.metric,
    auto_candidates: String(selection.candidates.length),
    ...(selection.refitOnAllRows !== undefined ? { auto_refit_on_all_rows: String(selection.refitOnAllRows) } : {}),
    // "all_rows", or "last_cv_part" with why (the budget left no time to refit the chosen learner on every train row).
    ...(selection.refit ? { auto_refit: selection.refit } : {}),
    ...(selection.refitReason ? { auto_refit_reason: selection.refitReason.slice(0, 500) } : {}),
    // Candidates compared on fewer CV parts than all (the budget cut the first one's CV short), and why.
    ...(selection.comparison ? { auto_comparison: selection.comparison.slice(0, 500) } : {}),
  };
}

type Parent = { id: string; experiment: string; name: string; datasetId: string | null };

/** The searches auto made inside the CV folds (TrainResult.cvFoldSelections) and each fold's held-out metrics. */
export interface AutoFolds {
  selections?: AutoSelection[];
  metrics?: Record<string, number>[];
}

/**
 * A candidate's hyperparameters as its learner ran them: the portfolio entry's few overrides on top of the learner's
 * defaults (`runs show auto/gbdt` once printed only "model=gbdt"). The blend is no registry learner: its own params.
 */
export function resolvedParams(model: string, params: Record<string, unknown>): Record<string, unknown> {
  if (!Object.prototype.hasOwnProperty.call(MODEL_SPECS, model)) return params;
  try {
    return checkSpecParams(modelSpec(model), params);
  } catch {
    return params; // auto fitted it, so its params were valid then; a spec changed since must not lose the record
  }
}

const searchSeconds = (selection: AutoSelection) => selection.candidates.reduce((a, c) => a + c.seconds, 0);

/**
 * The child runs of one auto selection, laid end to end (auto tries its candidates one after another) so they end
 * at `endedAt`, the end of the fit that made the selection; `tags` are added to each (a fold's number).
 */
export function autoChildRuns(selection: AutoSelection, parent: Parent, endedAt: Date, tags: Record<string, string> = {}): Run[] {
  let at = endedAt.getTime() - searchSeconds(selection) * 1000;
  return selection.candidates.map((c) => {
    const startedAt = new Date(at);
    at += c.seconds * 1000;
    const metrics: Record<string, number> = {};
    if (c.cvMean !== null && Number.isFinite(c.cvMean)) metrics[`cv_${c.metric}_mean`] = c.cvMean;
    if (c.cvStd !== null && Number.isFinite(c.cvStd)) metrics[`cv_${c.metric}_std`] = c.cvStd;
    // Its mean over the CV parts every candidate was scored on, when that is fewer than its own (selection.comparison).
    if (c.comparedMean !== undefined && Number.isFinite(c.comparedMean)) metrics[`cv_${c.metric}_compared_mean`] = c.comparedMean;
    return {
      id: randomUUID(),
      experiment: parent.experiment,
      name: `${parent.name}/${c.label}`,
      status: c.status === "failed" ? "failed" : "finished",
      params: { model: c.model, ...resolvedParams(c.model, c.params) },
      metrics,
      tags: { auto_candidate: c.label, state: c.status, objective: c.metric, selected: String(c.label === selection.chosen), ...tags },
      artifacts: [],
      datasetId: parent.datasetId,
      parentRunId: parent.id,
      startedAt: startedAt.toISOString(),
      endedAt: new Date(at).toISOString(),
      durationMs: Math.round(c.seconds * 1000),
      error: c.error ?? null,
    };
  });
}

/**
 * One run per CV fold's search (a child of the parent, ending where the next fold's search starts), and its candidates
 * as its children: the folds' searches come before the final fit's, which ends at `endedAt`.
 */
export function autoFoldRuns(folds: AutoFolds, final: AutoSelection, parent: Parent, endedAt: Date): Run[] {
  const selections = folds.selections ?? [];
  let at = endedAt.getTime() - (searchSeconds(final) + selections.reduce((a, s) => a + searchSeconds(s), 0)) * 1000;
  return selections.flatMap((selection, i) => {
    const startedAt = new Date(at);
    at += searchSeconds(selection) * 1000;
    const fold: Run = {
      id: randomUUID(),
      experiment: parent.experiment,
      name: `${parent.name}/cv-fold-${i + 1}`,
      status: "finished",
      params: {},
      // The fold's held-out metrics, as the parent's cv_ series holds them at this fold's step.
      metrics: Object.fromEntries(Object.entries(folds.metrics?.[i] ?? {}).filter(([, v]) => Number.isFinite(v)).map(([k, v]) => [`cv_${k}`, v])),
      tags: { cv_fold: String(i + 1), ...autoTags(selection) },
      artifacts: [],
      datasetId: parent.datasetId,
      parentRunId: parent.id,
      startedAt: startedAt.toISOString(),
      endedAt: new Date(at).toISOString(),
      durationMs: Math.round(searchSeconds(selection) * 1000),
      error: null,
    };
    return [fold, ...autoChildRuns(selection, { ...parent, id: fold.id, name: fold.name }, new Date(at), { cv_fold: String(i + 1) })];
  });
}

/**
 * Records the child runs (with CV, each fold's search and its candidates too) and returns each candidate of the final
 * fit's search with its run id.
 */
export async function recordAutoCandidates(meta: Pick<MetadataStore, "createRun">, selection: AutoSelection, parent: Parent, folds: AutoFolds = {}, endedAt = new Date()): Promise<AutoCandidateSummary[]> {
  for (const run of autoFoldRuns(folds, selection, parent, endedAt)) await meta.createRun(run);
  const runs = autoChildRuns(selection, parent, endedAt);
  for (const run of runs) await meta.createRun(run);
  return selection.candidates.map((c, i) => ({ label: c.label, model: c.model, state: c.status, cvMean: c.cvMean, cvStd: c.cvStd, seconds: c.seconds, runId: runs[i].id }));
}
