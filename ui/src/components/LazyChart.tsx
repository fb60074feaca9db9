// The chart as pages use it: ECharts loads with the first chart a page draws, and until then a box of the chart's
// height holds its place, so nothing below it moves when it appears.
import { lazy, Suspense } from "react";
import type { EChartsCoreOption } from "echarts/core";

const Chart = lazy(() => import("./Chart.js").then((m) => ({ default: m.Chart })));

export function LazyChart(props: { option: EChartsCoreOption; height?: number; label: string }) {
  const height = props.height ?? 260;
  return (
    <Suspense fallback={<div className="chart" style={{ height }} aria-busy="true" />}>
      <Chart {...props} height={height} />
    </Suspense>
  );
}
