// One model version: stage and aliases, metrics, the input signature (types, categories), a real input example
// with the request that scores it, the run and dataset it came from, and the alias moves that touched it.
import type { ModelVersionDetail } from "../../../src/ui-api/types.js";
import { useApi } from "../api.js";
import { AliasChip, Badge } from "../components/Badges.js";
import { DataTable } from "../components/DataTable.js";
import { Card, KeyValues, Loaded, PageHeader } from "../components/States.js";
import { fmtInt, fmtTime } from "../format.js";
import { Link } from "../router.js";
import { Transitions } from "./Models.js";
import { MetricsTable } from "./RunPage.js";

export default function ModelVersionPage({ params }: { params: Record<string, string> }) {
  const state = useApi<ModelVersionDetail>(`/models/${encodeURIComponent(params.name)}/${encodeURIComponent(params.version)}`);
  return (
    <Loaded state={state} what="reading the version">
      {({ version: v, run, dataset, transitions }) => {
        const example = v.inputExample ? JSON.stringify({ records: [v.inputExample] }) : null;
        const out = v.signature.output;
        return (
          <>
            <PageHeader
              title={<>{v.name} v{v.version} <Badge text={v.stage} /> {v.aliases.map((a) => <AliasChip key={a} alias={a} />)}</>}
              sub={v.description ?? `registered ${fmtTime(v.createdAt)} UTC`}
              actions={<Link className="btn" to={`/lineage?ref=${encodeURIComponent(`${v.name}@${v.version}`)}`}>lineage</Link>}
            />
            <div className="grid two">
              <Card title="Version">
                <KeyValues
                  items={[
                    ["output", `${out.task}${out.classes ? ` (${out.classes.join(", ")})` : ""}${out.positive ? `, positive "${out.positive}"` : ""}`],
                    ["run", run ? <Link to={`/runs/${run.id}`}>{run.name} {run.id.slice(0, 8)}</Link> : <span className="muted">deleted ({v.runId})</span>],
                    ["dataset", dataset ? <>{dataset.id}: <Link to={`/tables/${dataset.table.table}?version=${dataset.table.version}`}>{dataset.table.table}@{dataset.table.version}</Link>, {fmtInt(dataset.split.trainRows)} train / {fmtInt(dataset.split.testRows)} test</> : v.datasetId],
                    ["dataset hash", <code className="small">{v.datasetHash}</code>],
                    ["artifact", <code className="small">{v.artifactUri}</code>],
                    ["archived", v.archived ? "yes: it keeps its artifact and lineage but cannot take an alias" : "no"],
                  ]}
                />
              </Card>
              <Card title="Metrics (test split)">
                <MetricsTable metrics={v.metrics} />
              </Card>
            </div>
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
                    { key: "categories", label: "categories", render: (f) => (f.categories ? <span className="small">{f.categories.join(", ")}{f.strict ? " (others refused)" : ""}</span> : "") },
                  ]}
                />
              </Card>
              <Card title="Input example">
                {example ? (
                  <>
                    <pre className="code">{JSON.stringify(v.inputExample, null, 2)}</pre>
                    <div className="muted small">score it against the running server:</div>
                    <pre className="code small">{`curl -s ${window.location.origin}/predict -H 'content-type: application/json' \\\n  -d '${example}'`}</pre>
                  </>
                ) : (
                  <span className="muted">this version was registered without an input example</span>
                )}
              </Card>
            </div>
            <Card title="Alias moves of this version">
              <Transitions name={v.name} rows={transitions} />
            </Card>
          </>
        );
      }}
    </Loaded>
  );
}
