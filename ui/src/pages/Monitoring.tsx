// Monitoring: the serving process's health from its own /metrics (request rate, latency percentiles, errors over
// time), per served version its traffic, live metrics from feedback beside training's, prediction-log volume and
// drift status, and the alerts fired. Polls every 2 s while the tab is visible.
import { useMemo } from "react";
import type { MonitoringPoint, MonitoringResponse, VersionHealth } from "../../../src/ui-api/types.js";
import { useApi } from "../api.js";
import { fmtBytes } from "../components/Artifacts.js";
import { Badge } from "../components/Badges.js";
import { DataTable } from "../components/DataTable.js";
import { LazyChart } from "../components/LazyChart.js";
import { Card, Empty, Loaded, PageHeader } from "../components/States.js";
import { fmtAgo, fmtInt, fmtNum, fmtPct } from "../format.js";
import { Link } from "../router.js";

const REFRESH_MS = 2000;
const DRIFT_TONE: Record<VersionHealth["drift"]["status"], string> = { drift: "bad", stable: "ok", "no verdict": "muted", "no traffic": "muted" };

function Tile({ label, value, sub, name }: { label: string; value: string; sub?: string; name: string }) {
  return (
    <div className="tile" data-tile={name}>
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value}</div>
      {sub && <div className="muted small">{sub}</div>}
    </div>
  );
}

function SeriesChart({ points, label, lines }: { points: MonitoringPoint[]; label: string; lines: [string, (p: MonitoringPoint) => number | null][] }) {
  const option = useMemo(
    () => ({
      tooltip: { trigger: "axis" },
      legend: { top: 0, show: lines.length > 1 },
      // At least a minute wide, so a first window or two read as times of day, not a span of days.
      xAxis: { type: "time", min: (v: { min: number; max: number }) => Math.min(v.min, v.max - 60_000), max: (v: { max: number }) => v.max },
      yAxis: { type: "value", name: label, min: 0 },
      series: lines.map(([name, f]) => ({ name, type: "line", showSymbol: points.length < 5, connectNulls: false, data: points.map((p) => [Date.parse(p.at), f(p)]) })),
    }),
    [points, label, lines],
  );
  return <LazyChart option={option} label={label} height={200} />;
}

const RATE: [string, (p: MonitoringPoint) => number | null][] = [["requests/s", (p) => p.requestsPerSecond], ["records/s", (p) => p.predictionsPerSecond]];
const LAT: [string, (p: MonitoringPoint) => number | null][] = [["p50 ms", (p) => p.p50Ms], ["p99 ms", (p) => p.p99Ms]];
const ERR: [string, (p: MonitoringPoint) => number | null][] = [["5xx share", (p) => p.errorRate]];

function LiveVsTraining({ v }: { v: VersionHealth }) {
  const keys = Object.keys(v.liveMetrics);
  if (!keys.length) return <span className="muted small">no labels yet (POST /feedback)</span>;
  return (
    <span className="small">
      {keys.map((k) => (
        <span key={k} className="sep" data-live-metric={k}>
          {k} {fmtNum(v.liveMetrics[k])} live vs {fmtNum(v.trainingMetrics[k])} at training
        </span>
      ))}
    </span>
  );
}

export default function Monitoring() {
  const state = useApi<MonitoringResponse>("/monitoring", { refreshMs: REFRESH_MS });
  return (
    <Loaded state={state} what="reading the server's metrics">
      {(m) => {
        const s = m.serving;
        const last = s?.series[s.series.length - 1];
        return (
          <>
            <PageHeader title="Monitoring" sub={<>serving health from this server's own <code>/metrics</code>, refreshed every {REFRESH_MS / 1000} s; drift and log volume per served version</>} />
            {!s ? (
              <div className="error-box" role="alert">
                <strong>{m.servingError ?? "the server's metrics could not be read"}</strong>
                <div className="hint">the page shows what the server counted; served by a process without /metrics it can only show the prediction log and drift</div>
              </div>
            ) : (
              <>
                <div className="tiles">
                  <Tile name="rps" label="requests/s" value={last ? fmtNum(last.requestsPerSecond, 2) : "…"} sub={last ? `over the last ${REFRESH_MS / 1000} s` : "measuring (two scrapes needed)"} />
                  <Tile name="p50" label="p50 latency" value={last?.p50Ms != null ? `${fmtNum(last.p50Ms, 2)} ms` : s.p50Ms != null ? `${fmtNum(s.p50Ms, 2)} ms` : "–"} sub={last?.p50Ms != null ? "last window" : "since the server started"} />
                  <Tile name="p99" label="p99 latency" value={last?.p99Ms != null ? `${fmtNum(last.p99Ms, 2)} ms` : s.p99Ms != null ? `${fmtNum(s.p99Ms, 2)} ms` : "–"} sub={last?.p99Ms != null ? "last window" : "since the server started"} />
                  <Tile name="errors" label="5xx rate" value={s.requests ? fmtPct(s.errors / s.requests, 2) : "–"} sub={`${fmtInt(s.errors)} of ${fmtInt(s.requests)} requests since start; ${fmtInt(s.clientErrors)} refused (4xx); the dashboard, /metrics and probes not counted`} />
                  <Tile name="dropped" label="log entries dropped" value={fmtInt(s.logDropped)} sub="queue full (the log never slows answers)" />
                </div>
                <div className="grid two">
                  <Card title="Request rate">{s.series.length ? <SeriesChart points={s.series} label="per second" lines={RATE} /> : <Empty title="measuring: the rate needs two scrapes" />}</Card>
                  <Card title="Latency of /predict">{s.series.length ? <SeriesChart points={s.series} label="ms" lines={LAT} /> : <Empty title="measuring" />}</Card>
                </div>
                <Card title="Errors (share of requests answered 5xx)">{s.series.length ? <SeriesChart points={s.series} label="5xx share" lines={ERR} /> : <Empty title="measuring" />}</Card>
              </>
            )}
            <Card title={`Served versions of ${m.registry.model}`}>
              {m.versions.length === 0 ? (
                <Empty title={`no version serves yet: no version holds @${m.registry.alias}`} />
              ) : (
                <DataTable
                  rows={m.versions}
                  rowKey={(v) => `${v.model}@${v.version}`}
                  columns={[
                    { key: "v", label: "version", render: (v) => <Link to={`/models/${encodeURIComponent(v.model)}/${v.version}`} data-version-health={v.version}>{v.model} v{v.version}</Link> },
                    { key: "role", label: "role", render: (v) => v.roles.map((r) => `${r.role}${r.alias ? ` @${r.alias}` : ""}`).join(", ") || <span className="muted">counted, not served now</span> },
                    { key: "records", label: "records scored", align: "right", render: (v) => <span data-records>{fmtInt(v.predictions)}</span>, sort: (v) => v.predictions },
                    { key: "lat", label: "p50 / p99", align: "right", render: (v) => (v.p50Ms === null ? "–" : `${fmtNum(v.p50Ms, 2)} / ${fmtNum(v.p99Ms, 2)} ms`) },
                    { key: "oor", label: "out of range", align: "right", render: (v) => fmtInt(v.outOfRange) },
                    { key: "log", label: "prediction log", render: (v) => <span className="small" title={v.log.dir} data-log-bytes={v.log.bytes}>{v.log.files} files, {fmtBytes(v.log.bytes)}{v.log.newest ? `, written ${fmtAgo(v.log.newest)}` : ""}</span> },
                    { key: "drift", label: "drift", render: (v) => <Link to={`/drift?version=${v.version}`} title={v.drift.message ?? undefined} data-drift={v.drift.status}><Badge text={v.drift.status} tone={DRIFT_TONE[v.drift.status]} /> {v.drift.columns ? `${v.drift.drifted} of ${v.drift.columns} columns, ${fmtInt(v.drift.rows)} rows` : ""}</Link> },
                    { key: "live", label: "live (feedback) vs training", render: (v) => <LiveVsTraining v={v} /> },
                    { key: "history", label: "over time", render: (v) => <Link to={`/monitoring/${encodeURIComponent(v.model)}/${v.version}`} data-monitor-version={v.version}>drift over time</Link> },
                  ]}
                />
              )}
            </Card>
            {s && (
              <div className="grid two">
                <Card title="Alerts fired (since the server started)">
                  {s.alerts.length === 0 ? (
                    <Empty title="no alert fired" />
                  ) : (
                    <DataTable dense rows={s.alerts} rowKey={(a) => `${a.rule}/${a.kind}/${a.model}`} columns={[
                      { key: "rule", label: "rule", render: (a) => a.rule },
                      { key: "kind", label: "kind", render: (a) => a.kind },
                      { key: "model", label: "model", render: (a) => a.model },
                      { key: "n", label: "times", align: "right", render: (a) => fmtInt(a.count) },
                    ]} />
                  )}
                </Card>
                <Card title="Feedback labels received">
                  {Object.keys(s.feedback).length === 0 ? <Empty title="no labels yet: POST /feedback joins outcomes to prediction ids" /> : (
                    <dl className="facts">{Object.entries(s.feedback).map(([k, n]) => <div key={k}><dt>{k}</dt><dd>{fmtInt(n)}</dd></div>)}</dl>
                  )}
                </Card>
              </div>
            )}
          </>
        );
      }}
    </Loaded>
  );
}
