// `auto`'s candidates as child runs of the project candidate's run (MLflow's nested runs): each learner it tried with
// its parameters, CV score, seconds and state ("scored", "skipped: budget", "not better", "failed"), and the chosen one
// as tags on the parent, so `runs`, `runs show` and `runs --all` tell what auto picked and what it passed over.
import { randomUUID } from "node:crypto";
import type { AutoSelection } from "../../learn/auto/auto.js";
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
  };
}

/**
 * The child runs of one auto selection, laid end to end (auto tries its candidates one after another) so they end
 * at `endedAt`, the end of the fit that made the selection.
 */
export function autoChildRuns(selection: AutoSelection, parent: { id: string; experiment: string; name: string; datasetId: string | null }, endedAt: Date): Run[] {
  let at = endedAt.getTime() - selection.candidates.reduce((a, c) => a + c.seconds * 1000, 0);
  return selection.candidates.map((c) => {
    const startedAt = new Date(at);
    at += c.seconds * 1000;
    const metrics: Record<string, number> = {};
    if (c.cvMean !== null && Number.isFinite(c.cvMean)) metrics[`cv_${c.metric}_mean`] = c.cvMean;
    if (c.cvStd !== null && Number.isFinite(c.cvStd)) metrics[`cv_${c.metric}_std`] = c.cvStd;
    return {
      id: randomUUID(),
      experiment: parent.experiment,
      name: `${parent.name}/${c.label}`,
      status: c.status === "failed" ? "failed" : "finished",
      params: { model: c.model, ...c.params },
      metrics,
      tags: { auto_candidate: c.label, state: c.status, objective: c.metric, selected: String(c.label === selection.chosen) },
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

/** Records the child runs and returns each candidate's summary line (with its run id). */
export async function recordAutoCandidates(
  meta: Pick<MetadataStore, "createRun">, selection: AutoSelection, parent: { id: string; experiment: string; name: string; datasetId: string | null }, endedAt = new Date(),
): Promise<AutoCandidateSummary[]> {
  const runs = autoChildRuns(selection, parent, endedAt);
  for (const run of runs) await meta.createRun(run);
  return selection.candidates.map((c, i) => ({ label: c.label, model: c.model, state: c.status, cvMean: c.cvMean, cvStd: c.cvStd, seconds: c.seconds, runId: runs[i].id }));
}
