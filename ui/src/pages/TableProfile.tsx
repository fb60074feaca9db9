// The column profile of a table version: per column its type, nulls, distinct values, range, mean, quantiles,
// and a histogram (numbers) or the most frequent values (text), drawn with ECharts.
import type { ColumnProfileRow, TableProfileResponse } from "../../../src/ui-api/types.js";
import { LazyChart as Chart } from "../components/LazyChart.js";
import { qs, useApi } from "../api.js";
import { Loaded } from "../components/States.js";
import { fmtInt, fmtNum, fmtPct, fmtTime } from "../format.js";


const short = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

/**
 * Rows per value of an integer column spanning at most ten values, read off its ten-bin histogram: each integer lands
 * in its own bin (floor((v − min) / width) with width < 1), so the counts are exact. Null for anything else.
 */
export function integerValues(c: ColumnProfileRow): { value: number; count: number }[] | null {
  const [lo, hi] = [Number(c.min), Number(c.max)];
  if (!c.histogram || !/INT/i.test(c.type) || !Number.isInteger(lo) || !Number.isInteger(hi) || hi - lo > 9) return null;
  const bins = c.histogram.counts.length;
  const width = hi > lo ? (hi - lo) / bins : 1;
  const out: { value: number; count: number }[] = [];
  for (let v = lo; v <= hi; v++) out.push({ value: v, count: c.histogram.counts[Math.min(bins - 1, Math.floor((v - lo) / width))] });
  return out;
}

function chartOf(c: ColumnProfileRow): Record<string, unknown> | null {
  // Every text value distinct (an id): ten bars of count 1 say nothing.
  if (c.top && c.distinct === c.count && c.count > 1) return null;
  const few = integerValues(c);
  if (few) {
    // An integer column of at most ten values (a 0/1 flag, a count): one bar per value, not bins at both ends.
    return {
      grid: { left: 4, right: 8, top: 8, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: few.map((v) => String(v.value)), axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", axisLabel: { fontSize: 9 } },
      series: [{ type: "bar", data: few.map((v) => v.count), barMaxWidth: 36, name: "rows" }],
    };
  }
  if (c.histogram && c.histogram.counts.some((n) => n > 0)) {
    const e = c.histogram.edges;
    return {
      grid: { left: 4, right: 8, top: 8, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: c.histogram.counts.map((_, i) => `${short(e[i])}–${short(e[i + 1])}`), axisLabel: { fontSize: 9, hideOverlap: true } },
      yAxis: { type: "value", axisLabel: { fontSize: 9 } },
      series: [{ type: "bar", data: c.histogram.counts, barCategoryGap: "8%", name: "rows" }],
    };
  }
  if (c.top && c.top.length) {
    const top = [...c.top].reverse();
    return {
      grid: { left: 4, right: 24, top: 4, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", axisLabel: { fontSize: 9 } },
      yAxis: { type: "category", data: top.map((t) => (t.value === null ? "(null)" : t.value.length > 18 ? `${t.value.slice(0, 17)}…` : t.value)), axisLabel: { fontSize: 10 } },
      series: [{ type: "bar", data: top.map((t) => t.count), name: "rows", barMaxWidth: 14 }],
    };
  }
  return null;
}

function ColumnCard({ c, rows }: { c: ColumnProfileRow; rows: number }) {
  const option = chartOf(c);
  const facts: [string, string][] = [
    ["nulls", `${fmtInt(c.nulls)} (${fmtPct(c.nullPct)})`],
    ["distinct", `${fmtInt(c.distinct)}${c.distinct === c.count && rows > 1 ? " (unique)" : ""}`],
  ];
  if (c.mean !== undefined) facts.push(["mean ± std", `${fmtNum(c.mean ?? null, 3)} ± ${fmtNum(c.std ?? null, 3)}`]);
  if (c.min !== undefined) facts.push(["min … max", `${typeof c.min === "number" ? fmtNum(c.min, 3) : (c.min ?? "–")} … ${typeof c.max === "number" ? fmtNum(c.max, 3) : (c.max ?? "–")}`]);
  if (c.quantiles) facts.push(["p5 · p50 · p95", [c.quantiles.p5, c.quantiles.p50, c.quantiles.p95].map((q) => fmtNum(q ?? null, 3)).join(" · ")]);
  return (
    <div className="column-card" data-column={c.name}>
      <div className="column-head">
        <span className="mono">{c.name}</span>
        <span className="muted small">{c.type}</span>
      </div>
      <dl className="facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {option ? (
          <Chart option={option} height={c.top ? Math.max(90, c.top.length * 17) : 120} label={`${c.name} distribution`} />
      ) : (
        <div className="muted small">{c.distinct === c.count && c.count > 1 ? "every value is distinct" : "no values to chart"}</div>
      )}
    </div>
  );
}

export function Profile({ table, version }: { table: string; version: number }) {
  const state = useApi<TableProfileResponse>(`/tables/${table}/profile${qs({ version })}`);
  return (
    <Loaded state={state} what="profiling (the first time a version is profiled it reads every row)">
      {(p) => (
        <>
          <div className="muted small">
            v{p.version}: {fmtInt(p.rowCount)} rows, {p.columns.length} columns · profiled {fmtTime(p.computedAt)} UTC
          </div>
          <div className="column-grid">
            {p.columns.map((c) => (
              <ColumnCard key={c.name} c={c} rows={p.rowCount} />
            ))}
          </div>
        </>
      )}
    </Loaded>
  );
}
