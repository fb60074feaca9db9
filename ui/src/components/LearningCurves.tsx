// A run's learning curves: each metric it logged per boosting round or epoch (the training sample's loss, and the
// held-out rows' loss when early stopping kept some) as a line over the rounds, so over- and under-fitting show.
import { useMemo } from "react";
import { fmtNum } from "../format.js";
import { LazyChart } from "./LazyChart.js";

export function LearningCurves({ curves }: { curves: Record<string, { step: number; value: number }[]> }) {
  const keys = Object.keys(curves).sort((a, b) => (a.startsWith("train") ? -1 : 0) - (b.startsWith("train") ? -1 : 0) || a.localeCompare(b));
  const option = useMemo(() => ({
    tooltip: { trigger: "axis", valueFormatter: (v: number) => fmtNum(v) },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 24, containLabel: true },
    xAxis: { type: "value", name: "round", nameLocation: "middle", nameGap: 22, min: "dataMin", max: "dataMax" },
    // Losses fall from well above their floor: a zero-based axis would flatten the part that matters.
    yAxis: { type: "value", scale: true },
    series: keys.map((k) => ({ name: k, type: "line", showSymbol: curves[k].length < 30, data: curves[k].map((p) => [p.step, p.value]) })),
  }), [curves, keys]);
  const last = (k: string) => curves[k][curves[k].length - 1];
  return (
    <div data-learning-curve={keys.join(",")}>
      <LazyChart option={option} label="learning curve per round" height={280} />
      <div className="small muted">
        {keys.map((k) => (
          <span key={k} className="sep">{k}: {fmtNum(curves[k][0].value)} at round {curves[k][0].step} → {fmtNum(last(k).value)} at round {last(k).step}</span>
        ))}
      </div>
    </div>
  );
}
