// Search trials as people read them: finished trials ranked by their CV score, pruned ones (scored on some folds
// only) after them and never among them, failed ones last; and a parallel-coordinates plot of the trials' params
// against the objective, pruned trials drawn apart in grey.
import { useMemo } from "react";
import type { Run } from "../../../src/ui-api/types.js";
import { fmtNum } from "../format.js";
import { LazyChart } from "./LazyChart.js";

/** A trial's state from its tags (complete | pruned | failed); a top-level run's is its status. */
export const trialState = (r: Run): string => r.tags.state ?? (r.status === "failed" ? "failed" : r.status === "finished" ? "complete" : r.status);

const STATE_RANK: Record<string, number> = { complete: 0, pruned: 1, failed: 2 };

/** The objective a trial was scored by: cv_<objective>_mean (the objective tag), else the first CV mean. */
export function objectiveKey(trials: Run[]): string | undefined {
  const tagged = trials.find((t) => t.tags.objective)?.tags.objective;
  if (tagged) return `cv_${tagged}_mean`;
  return ["cv_roc_auc_mean", "cv_r2_mean", "cv_rmse_mean", "cv_accuracy_mean"].find((k) => trials.some((t) => t.metrics[k] !== undefined));
}

/**
 * Trials in display order: grouped by state (complete, pruned, failed), each group in the order given (the server's
 * sort) — a pruned trial's partial CV never ranks it above a finished one.
 */
export function orderTrials<T extends Run>(trials: T[]): T[] {
  return trials.map((t, i) => ({ t, i })).sort((a, b) => (STATE_RANK[trialState(a.t)] ?? 3) - (STATE_RANK[trialState(b.t)] ?? 3) || a.i - b.i).map((x) => x.t);
}

/** Params whose value differs between the runs (the ones worth a column or an axis). */
export function varyingParams(runs: Run[]): string[] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  return keys.filter((k) => new Set(runs.map((r) => JSON.stringify(r.params[k] ?? null))).size > 1);
}

export function ParallelTrials({ trials, label, lowerIsBetter }: { trials: Run[]; label: string; lowerIsBetter: (metric: string) => boolean }) {
  const option = useMemo(() => {
    const objective = objectiveKey(trials);
    const params = varyingParams(trials);
    const numeric = (k: string) => trials.every((t) => t.params[k] === undefined || typeof t.params[k] === "number");
    const axes = params.map((k, dim) => {
      if (!numeric(k)) return { dim, name: k, type: "category", data: [...new Set(trials.map((t) => String(t.params[k] ?? "–")))] };
      const values = trials.map((t) => t.params[k]).filter((v): v is number => typeof v === "number");
      // A range over two orders of magnitude (learning rates) reads on a log axis.
      const log = values.every((v) => v > 0) && Math.max(...values) / Math.min(...values) > 100;
      return { dim, name: k, type: log ? "log" : "value", scale: true };
    });
    const dims = [...axes, ...(objective ? [{ dim: axes.length, name: objective, type: "value", scale: true, inverse: lowerIsBetter(objective.replace(/^cv_|_mean$/g, "")) }] : [])];
    const row = (t: Run) => [...params.map((k) => (numeric(k) ? (t.params[k] as number | undefined) ?? null : String(t.params[k] ?? "–"))), ...(objective ? [t.metrics[objective] ?? null] : [])];
    const of = (state: string) => trials.filter((t) => trialState(t) === state);
    return {
      grid: undefined,
      legend: { top: 0, data: ["complete", "pruned"] },
      tooltip: { trigger: "item", formatter: (p: { seriesName: string; dataIndex: number }) => {
        const t = of(p.seriesName)[p.dataIndex];
        return t ? `${t.name} (${p.seriesName})${objective ? `: ${objective} ${fmtNum(t.metrics[objective])}` : ""}` : "";
      } },
      parallel: { left: 48, right: 72, top: 48, bottom: 24, parallelAxisDefault: { nameLocation: "end", nameGap: 12, nameTextStyle: { fontSize: 11 } } },
      parallelAxis: dims,
      series: [
        { name: "complete", type: "parallel", lineStyle: { width: 2, opacity: 0.8 }, data: of("complete").map(row) },
        { name: "pruned", type: "parallel", lineStyle: { width: 1, type: "dashed", opacity: 0.6, color: "#94a3b8" }, itemStyle: { color: "#94a3b8" }, data: of("pruned").map(row) },
      ],
    };
  }, [trials, lowerIsBetter]);
  return (
    <div data-parallel={trials.length}>
      <LazyChart option={option} label={label} height={300} />
      <div className="muted small">one line per trial across its parameters to its cross-validated objective (the better end of that axis is at the top); pruned trials, scored on some folds only, are dashed grey and not ranked</div>
    </div>
  );
}
