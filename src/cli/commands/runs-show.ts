// `millrace runs show <run-id>`: one run in full — params, metrics, the learning curves (metric history: a key with
// more than one step) and the global mean |SHAP| importance per column; --json prints the same as one document.
import { Workspace } from "../../app/workspace.js";
import { trainingMetricMeaning } from "../../flow/training-seconds.js";
import { AUTO_PARAMS } from "../../learn/param-schemas.js";
import { loadProject } from "../../project/load-project.js";
import type { Run } from "../../records.js";
import { SHAP_PREFIX, shapImportanceOf } from "../../track/tracker.js";
import { color, fmtMs, fmtNumber, printJson, table } from "../output.js";
import { findRun } from "./runs-find.js";

type Series = Record<string, { step: number; value: number }[]>;

export async function runShowCommand(id: string, opts: { project: string; json?: boolean; top?: number }): Promise<number> {
  const project = loadProject(opts.project);
  const top = opts.top ?? 15;
  const { run, history } = await Workspace.useStores(project, async (r) => {
    const run = await findRun(r.meta, id);
    return { run, history: await r.tracker.metricHistory(run.id) };
  });
  const importance = shapImportanceOf(run.metrics);
  const curves = Object.fromEntries(Object.entries(history).filter(([k, pts]) => pts.length > 1 && !k.startsWith("cv_")));
  const folds = Object.fromEntries(Object.entries(history).filter(([k, pts]) => pts.length > 1 && k.startsWith("cv_")));
  if (opts.json) {
    printJson({ run, metricHistory: history, shapImportance: Object.fromEntries(importance) });
    return 0;
  }
  console.log(runText(run, importance.slice(0, top), curves, folds));
  return 0;
}

const BARS = "▁▂▃▄▅▆▇█";

/** A series as a line of block characters (at most `width`, each the mean of its steps), low to high. */
export function sparkline(values: number[], width = 40): string {
  if (values.length === 0) return "";
  const per = Math.max(1, Math.ceil(values.length / width));
  const pts: number[] = [];
  for (let i = 0; i < values.length; i += per) {
    const chunk = values.slice(i, i + per);
    pts.push(chunk.reduce((a, b) => a + b, 0) / chunk.length);
  }
  const lo = Math.min(...pts);
  const span = Math.max(...pts) - lo;
  return pts.map((v) => BARS[span > 0 ? Math.round(((v - lo) / span) * (BARS.length - 1)) : 0]).join("");
}

/**
 * The CV metrics of a run as one row per metric: mean and std over the folds (cv_<m>_mean, cv_<m>_std) and each fold's
 * held-out value (the series cv_<m>, a fold a step, whose latest value the run's metrics also list as cv_<m>: the last
 * fold's, not a mean). Returns the rows and the metric keys they stand for, which the plain table leaves out.
 */
export function cvRows(metrics: Record<string, number>, folds: Series): { rows: (string | number | undefined)[][]; keys: Set<string>; nFolds: number } {
  const names = Object.keys(metrics).filter((k) => /^cv_.+_mean$/.test(k) && !k.endsWith("_compared_mean")).map((k) => k.slice(3, -5)).sort();
  const nFolds = Math.max(0, ...names.map((m) => folds[`cv_${m}`]?.length ?? 0));
  const keys = new Set<string>();
  const rows = names.map((m) => {
    for (const k of [`cv_${m}_mean`, `cv_${m}_std`, `cv_${m}`]) keys.add(k);
    const pts = folds[`cv_${m}`] ?? [];
    return [m, metrics[`cv_${m}_mean`], metrics[`cv_${m}_std`], ...Array.from({ length: nFolds }, (_, i) => pts[i]?.value)];
  });
  return { rows, keys, nFolds };
}

/** auto's own `cv` parameter is its inner CV, not the project's folds: "cv=0" read as "no CV" (U3 23). */
function autoCvNote(run: Run, nFolds: number): string | null {
  if (run.params.model !== "auto" || run.params.cv === undefined) return null;
  const project = nFolds ? `; the project's CV (train.cv_folds) ran ${nFolds} folds: the table below, runs ${run.name}/cv-fold-1…${nFolds}` : "";
  return `cv=${String(run.params.cv)} is auto's own CV inside each search (${AUTO_PARAMS.shape.cv.description ?? ""})${project}`;
}

export function runText(run: Run, importance: [string, number][], curves: Series, folds: Series = {}): string {
  const out = [
    `${color.bold(`run ${run.id.slice(0, 8)}`)}  ${run.name}  ${run.status}  ${run.durationMs !== null ? fmtMs(run.durationMs) : ""}  experiment ${run.experiment}  started ${run.startedAt}`,
  ];
  if (run.error) out.push(color.red(`error: ${run.error}`));
  // auto: the learner it chose (its candidates are child runs); a child run: its own state and what it was part of.
  if (run.tags.chosen !== undefined) {
    const n = run.tags.auto_candidates ? `${run.tags.auto_candidates} candidates` : "candidates";
    out.push(`chosen: ${color.bold(run.tags.chosen)}${run.tags.chosen_model && run.tags.chosen_model !== run.tags.chosen ? ` (${run.tags.chosen_model})` : ""} by auto; ${n} by cv ${run.tags.auto_metric ?? ""}: millrace runs --parent ${run.id.slice(0, 8)}`);
    if (run.tags.auto_refit === "last_cv_part") out.push(color.yellow(`not refit: ${run.tags.auto_refit_reason ?? "the budget left no time to refit on every train row"}`));
  }
  if (run.parentRunId) out.push(`child of run ${run.parentRunId.slice(0, 8)}${run.tags.state ? `  state: ${run.tags.state}` : ""}${run.tags.selected === "true" ? "  (chosen)" : ""}`);
  const params = Object.entries(run.params);
  if (params.length) out.push(`params: ${params.map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")}`);
  const cv = cvRows(run.metrics, folds);
  const cvNote = autoCvNote(run, cv.nFolds);
  if (cvNote) out.push(color.dim(cvNote));
  const plain = Object.entries(run.metrics).filter(([k]) => !k.startsWith(SHAP_PREFIX) && !(k in curves) && !cv.keys.has(k));
  if (plain.length) out.push("", table(["metric", "value"], plain.sort(([a], [b]) => a.localeCompare(b))));
  if (cv.rows.length) {
    const title = cv.nFolds ? `cross-validation (${cv.nFolds} folds): mean and std over the folds (cv_<metric>_mean, _std), then each fold's held-out value (cv_<metric> by step)` : "cross-validation: mean and std over the folds (cv_<metric>_mean, _std)";
    out.push("", color.bold(title), table(["metric", "mean", "std", ...Array.from({ length: cv.nFolds }, (_, i) => `fold ${i + 1}`)], cv.rows));
  }
  // What each timing measures: train_seconds is the whole training, the others parts of it (or not, predict_seconds).
  for (const [k] of plain) {
    const meaning = trainingMetricMeaning(k, run.metrics);
    if (meaning) out.push(color.dim(`${k}: ${meaning}`));
  }
  if (importance.length) {
    const max = importance[0][1] || 1;
    out.push("", color.bold("importance (mean |SHAP| over training rows, the raw score's scale)"));
    out.push(table(["column", "mean |SHAP|", ""], importance.map(([k, v]) => [k, v, "█".repeat(Math.max(1, Math.round((v / max) * 30)))])));
  }
  const keys = Object.keys(curves).sort();
  if (keys.length) {
    out.push("", color.bold("learning curves (one step a boosting round)"));
    out.push(
      table(
        ["metric", "steps", "first", "last", "best", "at step", "curve"],
        keys.map((k) => {
          const pts = curves[k];
          const best = pts.reduce((a, b) => (b.value < a.value ? b : a));
          return [k, pts.length, fmtNumber(pts[0].value), fmtNumber(pts[pts.length - 1].value), fmtNumber(best.value), best.step, sparkline(pts.map((p) => p.value))];
        }),
      ),
    );
  }
  return out.join("\n");
}
