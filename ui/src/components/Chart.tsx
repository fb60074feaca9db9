// One ECharts chart (canvas), with only the chart kinds and parts the dashboard uses registered, so the bundle
// carries bars, lines, scatter and parallel coordinates, not all of ECharts. Resizes with its box; colours follow the page's palette.
import { BarChart, LineChart, ParallelChart, ScatterChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, ParallelComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { init, use, type EChartsCoreOption, type EChartsType } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef, useState } from "react";

use([BarChart, LineChart, ScatterChart, ParallelChart, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, ParallelComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export const PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0ea5e9", "#ec4899", "#84cc16", "#64748b", "#14b8a6"];

export function Chart({ option, height = 260, label }: { option: EChartsCoreOption; height?: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  // A page of many charts (a table's 20+ column profiles) draws each one as it scrolls into view.
  const [visible, setVisible] = useState(false);

  useEffect(() => {
    const el = box.current!;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setVisible(true), { rootMargin: "300px" });
    io.observe(el);
    return () => io.disconnect();
  }, []);

  useEffect(() => {
    if (!visible) return;
    const el = box.current!;
    const c = init(el, null, { renderer: "canvas" });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [visible]);

  useEffect(() => {
    chart.current?.setOption(
      {
        color: PALETTE,
        animationDuration: 300,
        textStyle: { fontFamily: "inherit" },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        ...option,
      },
      { notMerge: true },
    );
  }, [option, visible]);

  return <div ref={box} className="chart" style={{ height }} role="img" aria-label={label} data-chart={label} />;
}
