// Monitoring of one served version over time: drift per column per window of its logged traffic (PSI lines with
// the stable/moderate/significant bands, and a heat grid of columns × windows marking the drifted ones), and
// prediction drift — the model's output per window against its output on the held-out rows (PSI and mean, and the
// latest window's distribution beside the reference) — with the version's live serving numbers from /metrics.
import { useMemo } from "react";
import type { DriftHistoryResponse, DriftWindow, MonitoringResponse } from "../../../src/ui-api/types.js";
import { useApi } from "../api.js";
import { Badge } from "../components/Badges.js";
import { LazyChart } from "../components/LazyChart.js";
import { Card, Empty, Loaded, PageHeader } from "../components/States.js";
import { fmtInt, fmtNum, fmtTime } from "../format.js";
import { Link } from "../router.js";

const BAND_COLOR = ["#d1fae5", "#fde68a", "#fca5a5"];
const at = (w: DriftWindow) => Date.parse(w.to);
const bandOf = (psi: number | null, bands: [number, number]) => (psi === null ? -1 : psi < bands[0] ? 0 : psi < bands[1] ? 1 : 2);

function bandLines(bands: [number, number]) {
  return { symbol: "none", silent: true, lineStyle: { type: "dashed", color: "#94a3b8" }, data: [{ yAxis: bands[0], name: "moderate" }, { yAxis: bands[1], name: "significant" }], label: { formatter: "{b}", position: "insideEndTop", fontSize: 10 } };
}

function ColumnPsiChart({ h }: { h: DriftHistoryResponse }) {
  const option = useMemo(() => ({
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: "time" },
    yAxis: { type: "value", name: "PSI", min: 0 },
    series: h.columns.map((col, i) => ({
      name: col,
      type: "line",
      showSymbol: h.windows.length < 30,
      data: h.windows.map((w) => [at(w), w.columns[col]?.psi ?? null]),
      ...(i === 0 ? { markLine: bandLines(h.psiBands) } : {}),
    })),
  }), [h]);
  return <LazyChart option={option} label="PSI per column per window" height={300} />;
}

/** Columns × windows, each cell coloured by its PSI band and marked when the column's test says drift. */
function DriftHeat({ h }: { h: DriftHistoryResponse }) {
  return (
    <div className="grid-scroll">
      <table className="run-grid drift-heat" data-drift-heat={`${h.columns.length}x${h.windows.length}`}>
        <thead>
          <tr>
            <th />
            {h.windows.map((w, i) => (
              <th key={i} title={`${fmtTime(w.from)} – ${fmtTime(w.to)} UTC, ${fmtInt(w.rows)} rows`} className="small">{i + 1}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {h.columns.map((col) => (
            <tr key={col}>
              <th scope="row" title={col}>{col}</th>
              {h.windows.map((w, i) => {
                const c = w.columns[col];
                const band = bandOf(c?.psi ?? null, h.psiBands);
                const drifted = Boolean(c?.drifted && w.enoughRows);
                return (
                  <td key={i}>
                    <span
                      className={`heat-cell${drifted ? " drifted" : ""}`}
                      data-drift-cell={drifted ? "drift" : "stable"}
                      style={{ background: band < 0 ? "#f1f5f9" : BAND_COLOR[band] }}
                      title={`${col}, window ${i + 1}: PSI ${fmtNum(c?.psi ?? null, 3)}; ${c?.method} ${fmtNum(c?.score ?? null, 3)}${w.enoughRows ? (c?.drifted ? " → drift" : " → stable") : " (too few rows to judge)"}`}
                    >
                      {drifted ? "●" : ""}
                    </span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PredictionOverTime({ h }: { h: DriftHistoryResponse }) {
  const p = h.prediction!;
  const option = useMemo(() => ({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: "time" },
    yAxis: [{ type: "value", name: "PSI", min: 0 }, ...(p.referenceMean !== null ? [{ type: "value", name: "mean", scale: true, splitLine: { show: false } }] : [])],
    series: [
      { name: "PSI vs held-out rows", type: "line", data: h.windows.map((w) => [at(w), w.prediction?.psi ?? null]), markLine: bandLines(h.psiBands) },
      ...(p.referenceMean !== null
        ? [{
            name: p.kind === "probability" ? "mean probability" : "mean prediction",
            type: "line",
            yAxisIndex: 1,
            data: h.windows.map((w) => [at(w), w.prediction?.mean ?? null]),
            markLine: { symbol: "none", silent: true, data: [{ yAxis: p.referenceMean, name: "held-out" }], label: { formatter: `held-out ${fmtNum(p.referenceMean, 3)}`, position: "insideStartTop", fontSize: 10 } },
          }]
        : []),
    ],
  }), [h, p]);
  return <LazyChart option={option} label="prediction drift per window" height={260} />;
}

function PredictionShares({ h }: { h: DriftHistoryResponse }) {
  const p = h.prediction!;
  const last = [...h.windows].reverse().find((w) => w.prediction);
  const option = useMemo(() => ({
    tooltip: { trigger: "axis", valueFormatter: (v: number) => `${(v * 100).toFixed(1)}%` },
    legend: { top: 0 },
    xAxis: { type: "category", data: p.bins, axisLabel: { rotate: p.bins.length > 6 ? 40 : 0, fontSize: 10 } },
    yAxis: { type: "value", name: "share", min: 0 },
    series: [
      { name: `held-out rows (${fmtInt(p.referenceRows)})`, type: "bar", data: p.reference },
      ...(last ? [{ name: `latest window (${fmtInt(last.rows)})`, type: "bar", data: last.prediction!.shares }] : []),
    ],
  }), [p, last]);
  return <LazyChart option={option} label="prediction distribution, latest window vs held-out rows" height={260} />;
}

export default function VersionMonitoring({ params }: { params: Record<string, string> }) {
  const name = params.name;
  const version = Number(params.version);
  const state = useApi<DriftHistoryResponse>(`/monitoring/${encodeURIComponent(name)}/${params.version}/drift-history`, { refreshMs: 30_000 });
  const serving = useApi<MonitoringResponse>("/monitoring", { refreshMs: 5000 });
  const health = serving.data?.versions.find((v) => v.model === name && v.version === version);
  return (
    <>
      <PageHeader
        title={<>Monitoring {name} v{params.version}</>}
        sub={<>drift per column and of the model's output over its logged traffic, window by window · <Link to={`/models/${encodeURIComponent(name)}/${params.version}`}>version page</Link> · <Link to={`/drift?version=${params.version}`}>latest window in detail</Link></>}
      />
      {health && (
        <div className="tiles">
          <div className="tile" data-tile="records"><div className="tile-label">records scored</div><div className="tile-value">{fmtInt(health.predictions)}</div><div className="muted small">since the server started</div></div>
          <div className="tile"><div className="tile-label">p50 / p99</div><div className="tile-value">{health.p50Ms === null ? "–" : `${fmtNum(health.p50Ms, 2)} / ${fmtNum(health.p99Ms, 2)} ms`}</div></div>
          {Object.keys(health.liveMetrics).map((k) => (
            <div className="tile" key={k} data-live-metric={k}><div className="tile-label">{k} live (feedback)</div><div className="tile-value">{fmtNum(health.liveMetrics[k])}</div><div className="muted small">{fmtNum(health.trainingMetrics[k])} at training</div></div>
          ))}
        </div>
      )}
      <Loaded state={state} what="comparing the logged traffic with the training rows, window by window">
        {(h) => (
          <div data-drift-history={h.windows.length}>
            <p className="muted small">
              {fmtInt(h.rowsRead)} logged predictions (the newest) in {h.windows.length} window{h.windows.length > 1 ? "s" : ""} of about {fmtInt(Math.ceil(h.rowsRead / h.windows.length))} rows, {fmtTime(h.windows[0].from)} – {fmtTime(h.windows[h.windows.length - 1].to)} UTC; windows under monitor.min_rows = {h.minRows} judge nothing.
            </p>
            <Card title="Drift per column over time (PSI against the training rows)">
              <ColumnPsiChart h={h} />
            </Card>
            <Card title="Columns × windows" extra={<span className="legend"><span><i style={{ background: BAND_COLOR[0] }} />PSI &lt; {h.psiBands[0]}</span><span><i style={{ background: BAND_COLOR[1] }} />moderate</span><span><i style={{ background: BAND_COLOR[2] }} />significant</span><span>● the column's test says drift</span></span>}>
              <DriftHeat h={h} />
              <div className="small muted">
                drifted columns per window: {h.windows.map((w, i) => <span key={i} className="sep">{w.enoughRows ? <Badge text={`${w.driftedColumns}`} tone={w.datasetDrift ? "bad" : w.driftedColumns ? "warn" : "ok"} /> : <Badge text="–" tone="muted" />}</span>)}
              </div>
            </Card>
            <Card title="Prediction drift (the model's output vs its output on the held-out rows)">
              {h.prediction ? (
                <div className="grid two" data-prediction-drift={h.prediction.kind}>
                  <PredictionOverTime h={h} />
                  <PredictionShares h={h} />
                </div>
              ) : (
                <Empty title={h.predictionNote ?? "no prediction reference"} />
              )}
            </Card>
          </div>
        )}
      </Loaded>
    </>
  );
}
