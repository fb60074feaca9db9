// Compare 2+ runs: every metric side by side with the best marked, the params that differ, a bar chart of the
// chosen metrics and the per-fold series of one metric, one line per run.
import { useState } from "react";
import { TRAINING_SECONDS_METRICS } from "../../../src/flow/training-seconds.js";
import type { CompareResponse } from "../../../src/ui-api/types.js";
import { LazyChart as Chart } from "../components/LazyChart.js";
import { qs, useApi } from "../api.js";
import { Card, Empty, Loaded, PageHeader } from "../components/States.js";
import { fmtNum, shortId } from "../format.js";
import { Link } from "../router.js";
import { FoldChart, paramText } from "./RunPage.js";
import { defaultMetricColumns } from "./Runs.js";


export default function Compare({ query }: { query: URLSearchParams }) {
  const ids = (query.get("ids") ?? "").split(",").filter(Boolean);
  const state = useApi<CompareResponse>(ids.length >= 2 ? `/compare${qs({ ids: ids.join(",") })}` : null);
  const [onlyDiff, setOnlyDiff] = useState(true);
  if (ids.length < 2) return <Empty title="pick two or more runs on the Runs page to compare them"><Link to="/runs">runs →</Link></Empty>;
  return (
    <Loaded state={state} what="reading the runs">
      {(c) => {
        const label = (i: number) => `${c.runs[i].name} ${shortId(c.runs[i].id)}`;
        const chartKeys = defaultMetricColumns(c.metricKeys);
        const bars = {
          tooltip: { trigger: "axis" },
          legend: { top: 0 },
          xAxis: { type: "category", data: chartKeys },
          yAxis: { type: "value" },
          series: c.runs.map((r, i) => ({ name: label(i), type: "bar", data: chartKeys.map((k) => r.metrics[k] ?? null), barMaxWidth: 36 })),
        };
        // Runs on different datasets differ whatever their params say (and their test metrics are not comparable).
        const datasetsDiffer = new Set(c.runs.map((r) => r.datasetId ?? "")).size > 1;
        const paramKeys = onlyDiff ? c.differingParams : [...new Set(c.runs.flatMap((r) => Object.keys(r.params)))].sort();
        return (
          <>
            <PageHeader title={`Compare ${c.runs.length} runs`} sub={c.runs.map((r, i) => <Link key={r.id} to={`/runs/${r.id}`} className="sep">{label(i)}</Link>)} />
            <Card title="Metrics">
                <Chart option={bars} label="metrics by run" height={280} />
              <div className="table-wrap">
                <table className="data dense">
                  <thead>
                    <tr>
                      <th>metric</th>
                      {c.runs.map((r, i) => <th key={r.id} className="num">{label(i)}</th>)}
                    </tr>
                  </thead>
                  <tbody>
                    {/* cv_<metric> alone is the last fold's value: the folds chart shows every fold instead (cv_seconds is a timing). */}
                    {c.metricKeys.filter((k) => !/^cv_/.test(k) || /_(mean|std|seconds)$/.test(k)).map((k) => {
                      // Which run holds the best value: the server's (app/run-compare.ts, as `runs compare` marks it).
                      const best = new Set(c.best[k] ?? []);
                      return (
                        <tr key={k}>
                          <td title={TRAINING_SECONDS_METRICS[k]}>{k}</td>
                          {c.runs.map((r) => (
                            <td key={r.id} className={`num${best.has(r.id) ? " best" : ""}`}>{fmtNum(r.metrics[k])}</td>
                          ))}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </Card>
            <div className="grid two">
              <Card title="Folds">
                <FoldChart series={c.series} runs={c.runs} />
              </Card>
              <Card title="Params" extra={<label className="inline"><input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> only those that differ</label>}>
                {paramKeys.length === 0 && !datasetsDiffer ? (
                  <Empty title="the runs have the same params and trained on the same dataset" />
                ) : (
                  <div className="table-wrap">
                    <table className="data dense">
                      <thead>
                        <tr>
                          <th>param</th>
                          {c.runs.map((r, i) => <th key={r.id}>{label(i)}</th>)}
                        </tr>
                      </thead>
                      <tbody>
                        {(datasetsDiffer || !onlyDiff) && (
                          <tr data-param="dataset" className={datasetsDiffer ? "differs" : undefined}>
                            <td>dataset{datasetsDiffer && <span className="muted small"> (differs: metrics are on different test rows)</span>}</td>
                            {c.runs.map((r) => <td key={r.id} className="mono">{r.datasetId ?? "–"}</td>)}
                          </tr>
                        )}
                        {paramKeys.map((k) => (
                          <tr key={k}>
                            <td>{k}</td>
                            {c.runs.map((r) => <td key={r.id} className="mono">{k in r.params ? paramText(r.params[k]) : "–"}</td>)}
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </Card>
            </div>
          </>
        );
      }}
    </Loaded>
  );
}
