// Overview: the project, the version being served with its aliases and metrics, and the latest pipeline run —
// its status, duration, tables and rows, and whether it promoted a model and why.
import type { OverviewResponse, PipelineRunBrief } from "../../../src/ui-api/types.js";
import { useApi } from "../api.js";
import { AliasChip, Badge } from "../components/Badges.js";
import { Card, Empty, KeyValues, Loaded, PageHeader } from "../components/States.js";
import { fmtAgo, fmtDuration, fmtInt, fmtNum, fmtTime, shortId } from "../format.js";
import { Link } from "../router.js";

export function PipelineOutcome({ p }: { p: PipelineRunBrief }) {
  return (
    <>
      <KeyValues
        items={[
          ["status", <Badge text={p.status} />],
          ["started", <span title={fmtTime(p.startedAt)}>{fmtAgo(p.startedAt)}</span>],
          ["duration", fmtDuration(p.durationMs)],
          ["tasks", `${p.tasks.succeeded} of ${p.tasks.total} succeeded${p.tasks.failed ? `, ${p.tasks.failed} failed` : ""}${p.tasks.skipped ? `, ${p.tasks.skipped} skipped` : ""}`],
          ["tables", `${p.tables.count} written (${fmtInt(p.tables.rows)} rows)${p.tables.reused ? `, ${p.tables.reused} reused` : ""}`],
          ["training", p.training ? `${p.training.trained ? "trained" : "not trained"}: ${p.training.reason}` : "–"],
        ]}
      />
      {p.model && (
        <div className={`outcome ${p.model.promoted ? "ok" : "warn"}`}>
          <Badge text={p.model.promoted ? "promoted" : "not promoted"} />{" "}
          <Link to={`/models/${encodeURIComponent(p.model.name)}/${p.model.version}`}>
            {p.model.name} v{p.model.version}
          </Link>{" "}
          ({p.model.candidate}) {p.model.promoted ? <>→ <AliasChip alias={p.model.alias} /></> : null}
          <div className="reason">{p.model.reason}</div>
        </div>
      )}
      {p.failure && (
        <div className="error-box">
          <strong>
            {p.failure.task} failed: {p.failure.message}
          </strong>
          {p.failure.hint && <div className="hint">{p.failure.hint}</div>}
        </div>
      )}
    </>
  );
}

export default function Overview() {
  // Polled: a pipeline run by `millrace watch` or a retrain alert shows up without a reload.
  const state = useApi<OverviewResponse>("/overview", { refreshMs: 10_000 });
  return (
    <Loaded state={state} what="reading the project">
      {(o) => (
        <>
          <PageHeader title={o.project.name} sub={o.project.description ?? o.project.dir} />
          <div className="grid two">
            <Card title="Served model" extra={<Link to="/models">all versions →</Link>}>
              {o.model.served ? (
                <>
                  <div className="big">
                    <Link to={`/models/${encodeURIComponent(o.model.name)}/${o.model.served.version}`}>
                      {o.model.name} v{o.model.served.version}
                    </Link>{" "}
                    <Badge text={o.model.served.stage} />
                  </div>
                  <KeyValues
                    items={[
                      ["answers as", <AliasChip alias={o.model.alias} />],
                      ["aliases", Object.entries(o.model.aliases).map(([a, v]) => (
                        <span key={a} className="alias-pair">
                          <AliasChip alias={a} /> v{v}
                        </span>
                      ))],
                      ["registered", <span title={fmtTime(o.model.served.createdAt)}>{fmtAgo(o.model.served.createdAt)}</span>],
                      ["run", <Link to={`/runs/${o.model.served.runId}`}>{shortId(o.model.served.runId)}</Link>],
                      ["dataset", <code>{o.model.served.datasetId}</code>],
                    ]}
                  />
                  <div className="metric-strip">
                    {Object.entries(o.model.served.metrics)
                      .filter(([k]) => !k.startsWith("cv_") && !k.endsWith("_seconds"))
                      .slice(0, 6)
                      .map(([k, v]) => (
                        <div key={k} className="metric">
                          <div className="metric-value">{fmtNum(v)}</div>
                          <div className="metric-key">{k}</div>
                        </div>
                      ))}
                  </div>
                  <div className="links">
                    <Link to={`/lineage?ref=${encodeURIComponent(`${o.model.name}@${o.model.served.version}`)}`}>lineage</Link>
                    <Link to="/drift">drift</Link>
                  </div>
                </>
              ) : o.model.versions ? (
                <Empty title={`${o.model.versions} version(s) of ${o.model.name}, none holds @${o.model.alias}`} command={`millrace models promote ${o.model.name} <version> -p ${o.project.dir}`} />
              ) : (
                <Empty title={`no model registered yet`} command={`millrace run ${o.project.dir}`} />
              )}
            </Card>
            <Card title="Latest pipeline run" extra={o.latestPipeline && <Link to={`/pipeline/${o.latestPipeline.id}`}>DAG →</Link>}>
              {o.latestPipeline ? <PipelineOutcome p={o.latestPipeline} /> : <Empty title="no pipeline runs yet" command={`millrace run ${o.project.dir}`} />}
            </Card>
          </div>
          <Card title="Recent pipeline runs" extra={<span className="muted">{fmtInt(o.counts.runs)} training runs tracked · <Link to="/runs">runs →</Link></span>}>
            {o.recentPipelines.length ? (
              <div className="table-wrap">
              <table className="data dense">
                <thead>
                  <tr>
                    <th>run</th>
                    <th>status</th>
                    <th>started</th>
                    <th className="num">duration</th>
                    <th>model</th>
                  </tr>
                </thead>
                <tbody>
                  {o.recentPipelines.map((p) => (
                    <tr key={p.id}>
                      <td>
                        <Link to={`/pipeline/${p.id}`}>{shortId(p.id)}</Link>
                      </td>
                      <td>
                        <Badge text={p.status} />
                      </td>
                      <td title={fmtTime(p.startedAt)}>{fmtAgo(p.startedAt)}</td>
                      <td className="num">{fmtDuration(p.durationMs)}</td>
                      <td>{p.model ? `v${p.model.version} ${p.model.promoted ? "promoted" : "not promoted"}` : (p.training?.reason ?? "–")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              </div>
            ) : (
              <Empty title="no pipeline runs yet" command={`millrace run ${o.project.dir}`} />
            )}
          </Card>
        </>
      )}
    </Loaded>
  );
}
