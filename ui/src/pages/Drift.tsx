// Drift: the served version's logged inputs against its training rows — per column the test's statistic against
// its threshold, the verdict and the PSI band, and both distributions of the column picked. Under monitor.min_rows
// nothing is judged, so nothing is coloured as drift or as stable: the numbers are shown in grey.
import { useState } from "react";
import type { DriftColumn, DriftResponse, ModelsResponse } from "../../../src/ui-api/types.js";
import { LazyChart as Chart } from "../components/LazyChart.js";
import { qs, useApi } from "../api.js";
import { Badge } from "../components/Badges.js";
import { DataTable } from "../components/DataTable.js";
import { Card, Empty, ErrorBox, Loading, PageHeader } from "../components/States.js";
import { fmtInt, fmtNum, fmtPct } from "../format.js";
import { setQuery } from "../router.js";


const RED = "#ef4444";
const GREEN = "#10b981";
const AMBER = "#f59e0b";
const GREY = "#94a3b8";

/** How far past its threshold a column is, on one scale for every method: 1 = at the threshold, > 1 = drift. */
export function severity(c: DriftColumn): number | null {
  if (c.score === null) return null;
  if (c.scoreIs === "p_value") return c.score <= 0 ? 4 : Math.min(4, Math.log(c.score) / Math.log(c.threshold));
  return Math.min(4, c.score / c.threshold);
}

/** When the column counts as drifted; the report says whether its score is a p-value or a distance. */
function rule(c: DriftColumn): string {
  return c.scoreIs === "p_value" ? `p < ${c.threshold}` : `≥ ${c.threshold}`;
}

function Charts({ d }: { d: DriftResponse }) {
  const judged = d.enoughRows;
  const cols = [...d.report.columns].sort((a, b) => (severity(b) ?? -1) - (severity(a) ?? -1));
  const [lo, hi] = d.psiBands;
  const statOption = {
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: (ps: { dataIndex: number }[]) => {
        const c = cols[ps[0].dataIndex];
        return `<b>${c.column}</b><br/>${c.method}: ${fmtNum(c.statistic)}${c.pValue !== null ? `, p = ${fmtNum(c.pValue)}` : ""}<br/>drift when ${c.scoreIs === "p_value" ? "p" : "score"} ${rule(c)}: ${!judged ? "no verdict (too few rows)" : c.drifted ? "DRIFT" : "ok"}`;
      },
    },
    grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: "value", max: 4, axisLabel: { formatter: (v: number) => (v === 1 ? "threshold" : `${v}×`) } },
    yAxis: { type: "category", data: cols.map((c) => c.column), inverse: true, axisLabel: { fontSize: 10 } },
    series: [
      {
        type: "bar",
        barMaxWidth: 14,
        data: cols.map((c) => ({ value: severity(c), itemStyle: { color: !judged ? GREY : c.drifted ? RED : GREEN } })),
        markLine: { symbol: "none", data: [{ xAxis: 1 }], lineStyle: { color: "#334155", type: "dashed" }, label: { show: false } },
      },
    ],
  };
  const psiCols = cols.filter((c) => c.psi !== null);
  const psiMax = Math.ceil(Math.max(hi * 1.6, ...psiCols.map((c) => c.psi!)) * 2) / 2;
  const psiOption = {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: "value", name: "PSI", max: psiMax, axisLabel: { hideOverlap: true } },
    yAxis: { type: "category", data: psiCols.map((c) => c.column), inverse: true, axisLabel: { fontSize: 10 } },
    series: [
      {
        type: "bar",
        barMaxWidth: 14,
        data: psiCols.map((c) => ({ value: c.psi, itemStyle: { color: !judged ? GREY : c.psiBand === "significant" ? RED : c.psiBand === "moderate" ? AMBER : GREEN } })),
        markArea: {
          silent: true,
          data: [
            [{ xAxis: 0, itemStyle: { color: "rgba(16,185,129,0.07)" } }, { xAxis: lo }],
            [{ xAxis: lo, itemStyle: { color: "rgba(245,158,11,0.12)" } }, { xAxis: hi }],
            [{ xAxis: hi, itemStyle: { color: "rgba(239,68,68,0.08)" } }, { xAxis: psiMax }],
          ],
        },
      },
    ],
  };
  const height = Math.max(220, cols.length * 22 + 50);
  return (
    <div className="grid two">
      <Card title="Statistic against threshold" extra={<span className="muted small">bars past the dashed line drifted (capped at 4×)</span>}>
          <Chart option={statOption} height={height} label="drift statistic vs threshold" />
      </Card>
      <Card title="Population stability index" extra={<span className="muted small">stable &lt; {lo} ≤ moderate &lt; {hi} ≤ significant</span>}>
          <Chart option={psiOption} height={height} label="PSI per column" />
      </Card>
    </div>
  );
}

function Distribution({ d, column }: { d: DriftResponse; column: string }) {
  const dist = d.distributions[column];
  if (!dist) return <Empty title={`no values of ${column} on one side to compare`} />;
  const labels = dist.kind === "numeric" ? dist.reference.map((_, i) => fmtNum(dist.edges[i], 2)) : dist.categories;
  const option = {
    tooltip: { trigger: "axis", valueFormatter: (v: number) => fmtPct(v) },
    legend: { top: 0 },
    xAxis: { type: "category", data: labels, axisLabel: { fontSize: 10, hideOverlap: true } },
    yAxis: { type: "value", axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
    series: [
      { name: `training (${fmtInt(d.report.referenceRows)} rows)`, type: "bar", data: dist.reference, barMaxWidth: 56, itemStyle: { color: "#94a3b8" } },
      { name: `served (${fmtInt(d.report.currentRows)} rows)`, type: "bar", data: dist.current, barMaxWidth: 56, itemStyle: { color: "#2563eb" } },
    ],
  };
  return (
      <Chart option={option} height={260} label={`${column} training vs served`} />
  );
}

export default function Drift({ query }: { query: URLSearchParams }) {
  const version = query.get("version") ?? "";
  // ?limit=N compares only the latest N logged inputs (the API's window; monitor.window_rows by default).
  const limit = query.get("limit") ?? "";
  const models = useApi<ModelsResponse>("/models");
  const state = useApi<DriftResponse>(`/drift${qs({ version, limit })}`);
  const [column, setColumn] = useState<string | null>(null);
  const configured = models.data?.models.find((m) => m.name === models.data?.configured.name);
  const d = state.data;
  const significantPsi = d ? d.report.columns.filter((c) => c.psiBand === "significant").map((c) => c.column) : [];
  const picked = column ?? (d ? [...d.report.columns].sort((a, b) => (severity(b) ?? -1) - (severity(a) ?? -1))[0]?.column : undefined);
  return (
    <>
      <PageHeader
        title="Drift"
        sub={d ? `${d.model} v${d.version}${d.alias ? ` @${d.alias}` : ""}: the latest ${fmtInt(d.report.currentRows)} logged inputs against ${fmtInt(d.report.referenceRows)} training rows (dataset ${d.datasetId})` : "logged serving inputs against the training rows of the version that answered them"}
        actions={
          configured && (
            <label className="inline">
              version{" "}
              <select value={version} onChange={(e) => setQuery({ version: e.target.value })}>
                <option value="">served (@{models.data!.configured.alias})</option>
                {configured.versions.map((v) => <option key={v.version} value={v.version}>v{v.version}</option>)}
              </select>
            </label>
          )
        }
      />
      {state.error ? (
        <ErrorBox error={state.error} onRetry={state.reload} />
      ) : !d ? (
        <Loading what="comparing the logged inputs with the training rows" />
      ) : (
        <>
          {!d.enoughRows ? (
            <div className="verdict warn">
              <strong>No verdict yet</strong>: {d.report.currentRows} logged predictions, fewer than monitor.min_rows = {d.minRows}; the statistics below judge nothing until more traffic arrives
            </div>
          ) : (
          <div className={`verdict ${d.report.datasetDrift ? "bad" : significantPsi.length > 0 ? "warn" : "ok"}`}>
            <strong>{d.report.datasetDrift ? "Dataset drift" : significantPsi.length > 0 ? "No dataset drift by the tests, but PSI moved" : "No dataset drift"}</strong>: {d.report.driftedColumns} of {d.report.columns.length} columns drifted ({fmtPct(d.report.driftShare, 0)}; the dataset counts as drifted at ≥ {fmtPct(d.report.datasetShare, 0)})
            {!d.report.datasetDrift && significantPsi.length > 0 && (
              <>
                ; the PSI is significant (≥ {d.psiBands[1]}) on {significantPsi.join(", ")}
              </>
            )}
            {d.skippedLogLines > 0 && <span className="muted"> · {d.skippedLogLines} unreadable log lines skipped</span>}
          </div>
          )}
          <Charts d={d} />
          <Card title="Columns" extra={<span className="muted small">click a column to see its distributions</span>}>
              <DataTable
                dense
                rows={d.report.columns}
                rowKey={(c) => c.column}
                initialSort={{ key: "sev", dir: "desc" }}
                rowClass={(c) => (c.column === picked ? "row-selected clickable" : "clickable")}
                columns={[
                  { key: "column", label: "column", render: (c) => <a href="#" onClick={(e) => { e.preventDefault(); setColumn(c.column); document.getElementById("distribution")?.scrollIntoView({ behavior: "smooth" }); }}>{c.column}</a>, sort: (c) => c.column },
                  { key: "kind", label: "kind", render: (c) => c.kind },
                  { key: "method", label: "test", render: (c) => <span title={c.note}>{c.method}</span>, sort: (c) => c.method },
                  { key: "stat", label: "statistic", align: "right", render: (c) => fmtNum(c.statistic), sort: (c) => c.statistic },
                  { key: "p", label: "p-value", align: "right", render: (c) => fmtNum(c.pValue), sort: (c) => c.pValue },
                  { key: "rule", label: "drift when", render: (c) => rule(c) },
                  { key: "missing", label: "missing (train / served)", align: "right", render: (c) => `${fmtInt(c.referenceMissing)} / ${fmtInt(c.currentMissing)}` },
                  { key: "psi", label: "PSI", align: "right", render: (c) => (c.psi === null ? "–" : <>{fmtNum(c.psi, 3)} {c.psiBand && (d.enoughRows ? <Badge text={c.psiBand} /> : <Badge text={c.psiBand} tone="muted" title={`fewer than monitor.min_rows = ${d.minRows} rows: not a verdict`} />)}</>), sort: (c) => c.psi },
                  { key: "sev", label: "verdict", render: (c) => (d.enoughRows ? <Badge text={c.drifted ? "drift" : "ok"} /> : <Badge text="no verdict" tone="muted" title={`fewer than monitor.min_rows = ${d.minRows} rows`} />), sort: (c) => severity(c) },
                ]}
              />
          </Card>
          <div id="distribution">
            <Card title={picked ? `${picked}: training vs served` : "distribution"}>{picked && <Distribution d={d} column={picked} />}</Card>
          </div>
        </>
      )}
    </>
  );
}
