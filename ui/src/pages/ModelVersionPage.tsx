// One model version: stage and aliases, the gate's decision and checks, metrics, the input signature (types,
// categories, training ranges), a real input example with the request that scores exactly this version, the run and
// dataset it came from, the alias moves that touched it, and the buttons that promote it or roll an alias back.
import type { GateRecord, ModelsResponse, ModelVersionDetail } from "../../../src/ui-api/types.js";
import { hasToken, useApi } from "../api.js";
import { AliasChip, Badge } from "../components/Badges.js";
import { ArtifactList } from "../components/Artifacts.js";
import { DataTable } from "../components/DataTable.js";
import { EvaluationCard } from "../components/Evaluation.js";
import { ArchiveForm, PromoteForm, RollbackForm } from "../components/RegistryActions.js";
import { EditHistory, NoteEditor } from "../components/Annotations.js";
import { Card, KeyValues, Loaded, PageHeader } from "../components/States.js";
import { fmtBound, fmtInt, fmtNum, fmtTime } from "../format.js";
import { Link } from "../router.js";
import { Transitions } from "./Models.js";
import { MetricsTable } from "./RunPage.js";

/** Why this version holds (or does not hold) the served alias: the gate's decision, its reason and each check. */
function Gate({ gate }: { gate: GateRecord | null }) {
  if (!gate) return <span className="muted">no gate recorded: this version was not registered by a pipeline run (or its run was deleted)</span>;
  const c = gate.comparison;
  return (
    <div className="gate" data-gate={gate.decision}>
      <div className={`outcome ${gate.decision === "promoted" ? "ok" : "warn"}`}>
        <Badge text={gate.decision === "promoted" ? "promoted" : "not promoted"} /> <span className="reason">{gate.reason}</span>
      </div>
      {gate.checks ? (
        <ul className="plain checks">
          {gate.checks.map((k) => (
            <li key={k.name}>
              <Badge text={k.passed ? "passed" : "failed"} /> <strong>{k.name}</strong> <span className="muted small">{k.detail}</span>
            </li>
          ))}
        </ul>
      ) : (
        <div className="muted small">the pipeline run that gated it is no longer recorded, so its checks are not shown</div>
      )}
      {c && !c.unavailable && (
        <div className="small">
          on {fmtInt(c.rows)} test rows neither version trained on: {fmtNum(c.challenger)} vs {fmtNum(c.champion)}
          {c.interval && <> (difference {fmtNum(c.interval.lo)} to {fmtNum(c.interval.hi)}, {Math.round(c.interval.level * 100)}% interval)</>}
        </div>
      )}
      {gate.pipelineRunId && (
        <div className="small">
          <Link to={`/pipeline/${gate.pipelineRunId}`}>the pipeline run that gated it</Link>
        </div>
      )}
    </div>
  );
}

export default function ModelVersionPage({ params }: { params: Record<string, string> }) {
  const state = useApi<ModelVersionDetail>(`/models/${encodeURIComponent(params.name)}/${encodeURIComponent(params.version)}`);
  const models = useApi<ModelsResponse>("/models");
  const servedAlias = models.data?.configured.name === params.name ? models.data.configured.alias : "production";
  return (
    <Loaded state={state} what="reading the version">
      {({ version: v, run, dataset, transitions, gate, archive }) => {
        const predictUrl = `/api/models/${encodeURIComponent(v.name)}/${v.version}/predict`;
        const example = v.inputExample ? JSON.stringify({ records: [v.inputExample] }) : null;
        const out = v.signature.output;
        return (
          <>
            <PageHeader
              title={<>{v.name} v{v.version} <Badge text={v.stage} /> {v.aliases.map((a) => <AliasChip key={a} alias={a} />)}</>}
              sub={v.description ?? `registered ${fmtTime(v.createdAt)} UTC`}
              actions={
                <>
                  <Link className="btn" to={`/models/${encodeURIComponent(v.name)}/predict?version=${v.version}`}>Predict</Link>
                  <Link className="btn" to={`/lineage?ref=${encodeURIComponent(`${v.name}@${v.version}`)}`}>lineage</Link>
                </>
              }
            />
            <div className="grid two">
              <Card title="Version">
                <KeyValues
                  items={[
                    ["description", <NoteEditor key={v.description ?? ""} url={`/api/models/${encodeURIComponent(v.name)}/${v.version}/annotations`} field="description" value={v.description} placeholder="none" />],
                    ["output", `${out.task}${out.classes ? ` (${out.classes.join(", ")})` : ""}${out.positive ? `, positive "${out.positive}"` : ""}`],
                    ["run", run ? <Link to={`/runs/${run.id}`}>{run.name} {run.id.slice(0, 8)}</Link> : <span className="muted">deleted ({v.runId})</span>],
                    ["dataset", dataset ? <>{dataset.id}: <Link to={`/tables/${dataset.table.table}?version=${dataset.table.version}`}>{dataset.table.table}@{dataset.table.version}</Link>, {fmtInt(dataset.split.trainRows)} train / {fmtInt(dataset.split.testRows)} test</> : v.datasetId],
                    ["dataset hash", <code className="small">{v.datasetHash}</code>],
                    ["artifact", <code className="small">{v.artifactUri}</code>],
                    ["archived", v.archived ? "yes: it keeps its artifact and lineage but cannot take an alias" : "no"],
                  ]}
                />
                <EditHistory path={`/models/${encodeURIComponent(v.name)}/${v.version}/annotations`} />
                <h3 className="sub-title">Promotion gate</h3>
                <Gate gate={gate} />
              </Card>
              <Card title="Metrics (test split)">
                <MetricsTable metrics={v.metrics} />
              </Card>
            </div>
            <EvaluationCard name={v.name} version={v.version} />
            <div className="grid two">
              <Card title={`Signature: ${v.signature.inputs.length} inputs`}>
                <DataTable
                  dense
                  rows={v.signature.inputs}
                  rowKey={(f) => f.name}
                  columns={[
                    { key: "name", label: "field", render: (f) => <span className="mono">{f.name}</span>, sort: (f) => f.name },
                    { key: "type", label: "type", render: (f) => f.type, sort: (f) => f.type },
                    { key: "nullable", label: "nullable", render: (f) => (f.nullable ? "yes" : "no") },
                    { key: "categories", label: "categories or training range", render: (f) => (f.categories ? <span className="small">{f.categories.join(", ")}{f.strict ? " (others refused)" : ""}</span> : f.min !== undefined || f.max !== undefined ? <span className="small">{fmtBound(f.min)} to {fmtBound(f.max)}</span> : "") },
                  ]}
                />
              </Card>
              <Card title="Input example">
                {example ? (
                  <>
                    <pre className="code">{JSON.stringify(v.inputExample, null, 2)}</pre>
                    <div className="muted small">score it with exactly v{v.version} (the served alias answers at /predict):</div>
                    <pre className="code small curl">{`curl -s ${window.location.origin}${predictUrl} \\\n  -H 'content-type: application/json'${hasToken() ? ` \\\n  -H "authorization: Bearer $MILLRACE_API_TOKEN"` : ""} \\\n  -d '${example.replace(/'/g, "'\\''")}'`}</pre>
                  </>
                ) : (
                  <span className="muted">this version was registered without an input example</span>
                )}
              </Card>
            </div>
            {run && (
              <Card title="Artifacts of its run">
                <ArtifactList runId={run.id} />
              </Card>
            )}
            <Card title="Alias moves of this version">
              <Transitions name={v.name} rows={transitions} />
            </Card>
            <Card title="Registry actions">
              {v.archived ? (
                <span className="muted">archived: it cannot take an alias (restore it below first)</span>
              ) : (
                <PromoteForm name={v.name} version={v.version} aliases={v.aliases} defaultAlias={servedAlias} />
              )}
              {v.aliases.map((a) => (
                <div key={a} className="rollback-row" data-alias={a}>
                  <RollbackForm name={v.name} alias={a} version={v.version} />
                </div>
              ))}
              <div className="archive-row" data-archived={v.archived ? "yes" : "no"}>
                <ArchiveForm name={v.name} version={v.version} archived={v.archived === true} aliases={v.aliases} />
              </div>
              {archive.length > 0 && (
                <ul className="plain small archive-history">
                  {archive.map((t) => (
                    <li key={t.id}>
                      {fmtTime(t.at)} UTC: <strong>{t.archived ? "archived" : "restored"}</strong> by {t.actor}: {t.reason}
                    </li>
                  ))}
                </ul>
              )}
              <div className="muted small">sent to the server with this tab's API token (a token with the promote scope); every move is audited</div>
            </Card>
          </>
        );
      }}
    </Loaded>
  );
}
