// One run: params, tags and notes (editable with the server's token, audited), metrics (test next to the cross-validated mean ± std), the per-fold series as a
// chart, its learning curves (a metric per boosting round), the dataset it trained on, its artifacts, its search trials and the model versions registered from it.
import { useState } from "react";
import { trainingMetricMeaning } from "../../../src/flow/training-seconds.js";
import type { MetricPoint, Run, RunDetail } from "../../../src/ui-api/types.js";
import { LazyChart as Chart } from "../components/LazyChart.js";
import { useApi } from "../api.js";
import { EditHistory, NoteEditor, TagEditor } from "../components/Annotations.js";
import { ArtifactList } from "../components/Artifacts.js";
import { LearningCurves } from "../components/LearningCurves.js";
import { AliasChip, Badge } from "../components/Badges.js";
import { DataTable } from "../components/DataTable.js";
import { Card, Empty, KeyValues, Loaded, PageHeader } from "../components/States.js";
import { baseMetric, fmtAgo, fmtDuration, fmtInt, fmtNum, fmtTime } from "../format.js";
import { ParallelTrials, objectiveKey, orderTrials, trialState } from "../components/Trials.js";
import { useMetricDirections } from "../metrics.js";
import { Link } from "../router.js";


/** A param as a person reads it: text as is, floats to six significant digits (0.0823457, not 0.08234567891234567). */
export function paramText(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" && !Number.isInteger(v) && Number.isFinite(v)) return String(Number(v.toPrecision(6)));
  return JSON.stringify(v);
}

/** test value, CV mean and CV std per metric; metrics with no test/CV split (timings) stand alone. */
export function metricRows(metrics: Record<string, number>): { key: string; test?: number; mean?: number; std?: number }[] {
  const rows = new Map<string, { key: string; test?: number; mean?: number; std?: number }>();
  for (const [k, v] of Object.entries(metrics)) {
    // A timing (train_seconds, cv_seconds, …) is its own row: cv_seconds is CV's time, not a "seconds" metric's CV value.
    const base = k.endsWith("_seconds") ? k : baseMetric(k);
    const row = rows.get(base) ?? { key: base };
    if (k === base) row.test = v;
    else if (k.endsWith("_mean")) row.mean = v;
    else if (k.endsWith("_std")) row.std = v;
    else if (!k.startsWith("cv_")) row.test = v;
    else continue; // cv_<m> alone is the last fold's value; the chart shows every fold
    rows.set(base, row);
  }
  return [...rows.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** Test value next to the CV mean and std, one row per metric. */
export function MetricsTable({ metrics }: { metrics: Record<string, number> }) {
  return (
    <DataTable
      dense
      rows={metricRows(metrics)}
      rowKey={(m) => m.key}
      columns={[
        { key: "key", label: "metric", render: (m) => <span title={trainingMetricMeaning(m.key, metrics)}>{m.key}</span>, sort: (m) => m.key },
        { key: "test", label: "test", align: "right", render: (m) => fmtNum(m.test), sort: (m) => m.test },
        { key: "mean", label: "cv mean", align: "right", render: (m) => fmtNum(m.mean), sort: (m) => m.mean },
        { key: "std", label: "cv std", align: "right", render: (m) => fmtNum(m.std), sort: (m) => m.std },
      ]}
    />
  );
}

export function FoldChart({ series, runs }: { series: Record<string, Record<string, MetricPoint[]>>; runs: Pick<Run, "id" | "name">[] }) {
  const keys = [...new Set(Object.values(series).flatMap((s) => Object.keys(s)))].sort();
  const [key, setKey] = useState(keys.find((k) => k === "cv_roc_auc") ?? keys.find((k) => k.startsWith("cv_")) ?? keys[0]);
  if (!keys.length) return <Empty title="this run logged no metric at more than one step (no cross-validation)" />;
  const steps = [...new Set(Object.values(series).flatMap((s) => (s[key] ?? []).map((p) => p.step)))].sort((a, b) => a - b);
  const option = {
    tooltip: { trigger: "axis" },
    legend: { top: 0, show: runs.length > 1 },
    xAxis: { type: "category", data: steps.map((s) => `fold ${s + 1}`) },
    // Bars start at 0 (a cut axis makes 0.84 vs 0.85 look like a doubling); lines of several runs may zoom in.
    yAxis: { type: "value", scale: runs.length > 1, name: key },
    series: runs.map((r) => {
      const pts = series[r.id]?.[key] ?? [];
      const mean = pts.length ? pts.reduce((s, p) => s + p.value, 0) / pts.length : null;
      return {
        name: runs.length > 1 ? `${r.name} ${r.id.slice(0, 6)}` : key,
        type: runs.length > 1 ? "line" : "bar",
        data: steps.map((s) => pts.find((p) => p.step === s)?.value ?? null),
        barMaxWidth: 48,
        markLine: mean === null ? undefined : { symbol: "none", data: [{ yAxis: mean, name: "mean" }], label: { formatter: `mean ${fmtNum(mean)}`, position: "insideEndTop" } },
      };
    }),
  };
  return (
    <>
      <label className="inline">
        metric{" "}
        <select value={key} onChange={(e) => setKey(e.target.value)}>
          {keys.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </label>
        <Chart option={option} label={`${key} per fold`} height={280} />
    </>
  );
}

export default function RunPage({ params }: { params: Record<string, string> }) {
  const state = useApi<RunDetail>(`/runs/${encodeURIComponent(params.id)}`);
  return (
    <Loaded state={state} what="reading the run">
      {({ run, parent, dataset, children, series, curves, models }) => (
        <>
          <PageHeader
            title={<>{run.name} <Badge text={run.parentRunId && run.tags.state ? run.tags.state : run.status} /></>}
            sub={<><code>{run.id}</code> · experiment {run.experiment}{parent && <> · trial of <Link to={`/runs/${parent.id}`}>{parent.name}</Link></>}</>}
            actions={<Link className="btn" to={`/lineage?ref=${encodeURIComponent(`run:${run.id}`)}`}>lineage</Link>}
          />
          {run.error && <div className="error-box"><strong>{run.error}</strong></div>}
          <div className="grid two">
            <Card title="Run">
              <KeyValues
                items={[
                  ["started", <span title={fmtTime(run.startedAt)}>{fmtTime(run.startedAt)} ({fmtAgo(run.startedAt)})</span>],
                  ["duration", fmtDuration(run.durationMs)],
                  ["notes", <NoteEditor key={run.notes ?? ""} url={`/api/runs/${encodeURIComponent(run.id)}/annotations`} field="notes" value={run.notes} placeholder="none" />],
                  ["tags", <TagEditor runId={run.id} tags={run.tags} />],
                  ["models", models.length ? models.map((m) => (
                    <span key={m.version} className="alias-pair">
                      <Link to={`/models/${encodeURIComponent(m.name)}/${m.version}`}>{m.name} v{m.version}</Link> {m.aliases.map((a) => <AliasChip key={a} alias={a} />)}
                    </span>
                  )) : <span className="muted">none registered from this run</span>],
                ]}
              />
              <EditHistory path={`/runs/${encodeURIComponent(run.id)}/annotations`} />
            </Card>
            <Card title="Dataset">
              {dataset ? (
                <KeyValues
                  items={[
                    ["id", <code>{dataset.id}</code>],
                    ["table", <Link to={`/tables/${dataset.table.table}?version=${dataset.table.version}`}>{dataset.table.table}@{dataset.table.version}</Link>],
                    ["rows", `${fmtInt(dataset.split.trainRows)} train / ${fmtInt(dataset.split.testRows)} test (seed ${dataset.split.seed}${dataset.split.stratify ? ", stratified" : ""})`],
                    ["target", `${dataset.target} (${dataset.task}${dataset.positive ? `, positive "${dataset.positive}"` : ""})`],
                    ["content hash", <code className="small">{dataset.contentHash}</code>],
                    ["features", <span className="chips">{dataset.features.map((f) => <span key={f} className="chip">{f}</span>)}</span>],
                  ]}
                />
              ) : (
                <Empty title="no dataset recorded for this run" />
              )}
            </Card>
          </div>
          <div className="grid two">
            <Card title="Metrics">
              <MetricsTable metrics={run.metrics} />
            </Card>
            <Card title="Cross-validation folds">
              <FoldChart series={{ [run.id]: series }} runs={[run]} />
            </Card>
          </div>
          {Object.keys(curves).length > 0 && (
            <Card title="Learning curve (metric per boosting round)">
              <LearningCurves curves={curves} />
            </Card>
          )}
          <Card title={`Params (${Object.keys(run.params).length})`}>
            <div className="params">
              {Object.entries(run.params).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => (
                <div key={k}>
                  <span className="muted">{k}</span> <span className="mono">{paramText(v)}</span>
                </div>
              ))}
            </div>
          </Card>
          <Card title="Artifacts">
            <ArtifactList runId={run.id} />
          </Card>
          {children.length > 0 && <Trials trials={children} />}
        </>
      )}
    </Loaded>
  );
}

/** The trials of a search: finished ones ranked by the objective, pruned ones after them (their CV is partial). */
function Trials({ trials: children }: { trials: Run[] }) {
  const { lowerIsBetter } = useMetricDirections();
  const params = [...new Set(children.flatMap((c) => Object.keys(c.params)))].filter((k) => new Set(children.map((c) => paramText(c.params[k]))).size > 1);
  const metric = objectiveKey(children) ?? Object.keys(children[0].metrics)[0];
  const dir = metric && lowerIsBetter(metric) ? "asc" : "desc";
  // Only finished trials have a rank: the others sort after them in either direction.
  const ranked = (c: Run) => (trialState(c) === "complete" ? c.metrics[metric] : undefined);
  const sign = dir === "asc" ? 1 : -1;
  const rows = orderTrials([...children].sort((a, b) => sign * ((a.metrics[metric] ?? 0) - (b.metrics[metric] ?? 0))));
  return (
    <Card title={`Search trials (${children.length})`}>
      <ParallelTrials trials={children} label="parallel coordinates of the trials" lowerIsBetter={lowerIsBetter} />
      <DataTable
        dense
        rows={rows}
        rowKey={(c) => c.id}
        initialSort={metric ? { key: metric, dir } : undefined}
        rowClass={(c) => (trialState(c) === "complete" ? undefined : "unranked")}
        columns={[
          { key: "name", label: "trial", render: (c) => <Link to={`/runs/${c.id}`}>{c.name}</Link>, sort: (c) => c.startedAt },
          { key: "state", label: "state", render: (c) => <Badge text={trialState(c)} /> },
          ...params.map((p) => ({ key: `p:${p}`, label: p, align: "right" as const, render: (c: Run) => paramText(c.params[p]), sort: (c: Run) => (typeof c.params[p] === "number" ? (c.params[p] as number) : paramText(c.params[p])) })),
          ...(metric ? [{ key: metric, label: metric, align: "right" as const, render: (c: Run) => <span className={trialState(c) === "pruned" ? "cv partial" : undefined} title={trialState(c) === "pruned" ? "partial: CV over the folds run before pruning" : undefined}>{fmtNum(c.metrics[metric])}</span>, sort: ranked }] : []),
        ]}
      />
    </Card>
  );
}
