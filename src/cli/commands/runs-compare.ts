// `millrace runs compare ID ID [ID…]`: runs side by side, as the dashboard's /compare page shows them (one app
// function, app/run-compare.ts): params with the differing ones marked, metrics with the best value of each marked.
import { compareRuns, type RunComparison } from "../../app/run-compare.js";
import { Workspace } from "../../app/workspace.js";
import { loadProjectCached } from "../cached-project.js";
import { color, fmtNumber, printJson, table } from "../output.js";
import { findRun } from "./runs-find.js";

const DIFFERS = "≠";
const BEST = "★";

export async function runsCompareCommand(ids: string[], opts: { project: string; json?: boolean; all?: boolean }): Promise<number> {
  const project = await loadProjectCached(opts.project);
  const c = await Workspace.useStores(project, (r) => compareRuns(r.meta, ids, (id) => findRun(r.meta, id)));
  if (opts.json) {
    printJson(c);
    return 0;
  }
  console.log(compareText(c, opts.all === true));
  return 0;
}

/** The comparison as two tables; mean |SHAP| per column (shap/…) is left out unless `all`. */
export function compareText(c: RunComparison, all = false): string {
  const heads = c.runs.map((r) => `${r.id.slice(0, 8)} ${r.name}`);
  const datasets = new Set(c.runs.map((r) => r.datasetId ?? ""));
  const paramKeys = [...new Set(c.runs.flatMap((r) => Object.keys(r.params)))].sort();
  const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : typeof v === "number" ? fmtNumber(v) : JSON.stringify(v));
  const params = paramKeys.map((k) => [c.differingParams.includes(k) ? `${DIFFERS} ${k}` : `  ${k}`, ...c.runs.map((r) => show(r.params[k]))]);
  // A per-fold series' latest value (cv_<m>: the last fold's) beside its mean reads as a second score: the folds are
  // in the --json series; the table keeps cv_<m>_mean and _std.
  const isFoldSeries = (k: string) => c.runs.every((r) => r.metrics[k] === undefined || c.series[r.id]?.[k] !== undefined);
  const metricKeys = c.metricKeys.filter((k) => (all || !k.startsWith("shap/")) && !isFoldSeries(k));
  const metrics = metricKeys.map((k) => [
    k,
    ...c.runs.map((r) => (r.metrics[k] === undefined ? "" : `${fmtNumber(r.metrics[k])}${c.best[k]?.includes(r.id) ? ` ${BEST}` : ""}`)),
  ]);
  const out = [
    table(["param", ...heads], [["  status", ...c.runs.map((r) => r.status)], [datasets.size > 1 ? `${DIFFERS} dataset` : "  dataset", ...c.runs.map((r) => r.datasetId ?? "")], ...params]),
    "",
    metrics.length ? table(["metric", ...heads], metrics) : "no metrics recorded",
    "",
    color.dim(`${DIFFERS} the runs differ in this param; ${BEST} the best value of the metric (as the metric registry says which way is better)` +
      `${datasets.size > 1 ? "; the runs trained on different datasets: their test metrics are on different rows" : ""}` +
      `${!all && c.metricKeys.some((k) => k.startsWith("shap/")) ? "; --all adds mean |SHAP| per column" : ""}` +
      `${c.metricKeys.some(isFoldSeries) ? "; each CV fold's value: runs show, or --json (series)" : ""}`),
  ];
  return out.join("\n");
}
