// `millrace runs show <run-id>`: one run in full — params, metrics, the learning curves (metric history: a key with
// more than one step) and the global mean |SHAP| importance per column; --json prints the same as one document.
import { Workspace } from "../../app/workspace.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { TRAINING_SECONDS_METRICS } from "../../flow/training-seconds.js";
import { loadProject } from "../../project/load-project.js";
import type { Run } from "../../records.js";
import { SHAP_PREFIX, shapImportanceOf } from "../../track/tracker.js";
import { color, fmtMs, fmtNumber, printJson, table } from "../output.js";

type Series = Record<string, { step: number; value: number }[]>;

export async function runShowCommand(id: string, opts: { project: string; json?: boolean; top?: number }): Promise<number> {
  const project = loadProject(opts.project);
  const top = opts.top ?? 15;
  const { run, history } = await Workspace.useStores(project, async (r) => {
    const exact = await r.meta.getRun(id);
    const hits = exact ? [exact] : (await r.meta.listRuns({ limit: 1_000_000 })).filter((x) => x.id.startsWith(id));
    if (hits.length === 0) throw new NotFoundError(`no run ${id}`, { hint: "list runs with: millrace runs --all" });
    if (hits.length > 1) throw new ValidationError(`run id "${id}" matches ${hits.length} runs`, { hint: "give more characters of the id" });
    return { run: hits[0], history: await r.tracker.metricHistory(hits[0].id) };
  });
  const importance = shapImportanceOf(run.metrics);
  const curves = Object.fromEntries(Object.entries(history).filter(([k, pts]) => pts.length > 1 && !k.startsWith("cv_")));
  if (opts.json) {
    printJson({ run, metricHistory: history, shapImportance: Object.fromEntries(importance) });
    return 0;
  }
  console.log(runText(run, importance.slice(0, top), curves));
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

export function runText(run: Run, importance: [string, number][], curves: Series): string {
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
  const plain = Object.entries(run.metrics).filter(([k]) => !k.startsWith(SHAP_PREFIX) && !(k in curves));
  if (plain.length) out.push("", table(["metric", "value"], plain.sort(([a], [b]) => a.localeCompare(b))));
  // What each timing measures: train_seconds is the whole training, the others parts of it (or not, predict_seconds).
  for (const [k] of plain) if (TRAINING_SECONDS_METRICS[k]) out.push(color.dim(`${k}: ${TRAINING_SECONDS_METRICS[k]}`));
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
