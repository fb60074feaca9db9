// Models: each registered model's versions with stage, aliases and metrics, and the audited history of alias
// moves (who moved which alias from which version to which, and why).
import type { AliasTransitionRow, ModelsResponse, ModelVersion, Stage } from "../../../src/ui-api/types.js";
import { useApi, useProjectDir } from "../api.js";
import { AliasChip, Badge } from "../components/Badges.js";
import { RollbackForm } from "../components/RegistryActions.js";
import { DataTable, type Column } from "../components/DataTable.js";
import { Card, Empty, Loaded, PageHeader } from "../components/States.js";
import { fmtAgo, fmtNum, fmtTime, shortId } from "../format.js";
import { Link } from "../router.js";
import { defaultMetricColumns } from "./Runs.js";

type Version = ModelVersion & { stage: Stage; modelKind: string | null };

export function Transitions({ name, rows }: { name: string; rows: AliasTransitionRow[] }) {
  const v = (n: number | null) => (n === null ? <span className="muted">none</span> : <Link to={`/models/${encodeURIComponent(name)}/${n}`}>v{n}</Link>);
  return (
    <DataTable
      dense
      rows={rows}
      rowKey={(t) => t.id}
      empty="no alias has moved yet"
      columns={[
        { key: "at", label: "when", render: (t) => <span title={fmtTime(t.at)}>{fmtTime(t.at)}</span>, sort: (t) => t.at },
        { key: "alias", label: "alias", render: (t) => <AliasChip alias={t.alias} />, sort: (t) => t.alias },
        { key: "move", label: "move", render: (t) => <>{v(t.fromVersion)} → {v(t.toVersion)}</> },
        { key: "actor", label: "by", render: (t) => t.actor, sort: (t) => t.actor },
        { key: "reason", label: "reason", render: (t) => <span className="reason">{t.reason}</span> },
      ]}
    />
  );
}

function ModelCard({ name, versions, configured }: { name: string; versions: Version[]; configured: boolean }) {
  const history = useApi<AliasTransitionRow[]>(`/models/${encodeURIComponent(name)}/transitions`);
  const metrics = defaultMetricColumns([...new Set(versions.flatMap((v) => Object.keys(v.metrics)))]);
  const columns: Column<Version>[] = [
    { key: "version", label: "version", render: (v) => <Link to={`/models/${encodeURIComponent(name)}/${v.version}`} data-version={v.version}>v{v.version}</Link>, sort: (v) => v.version },
    { key: "stage", label: "stage", render: (v) => <Badge text={v.stage} />, sort: (v) => v.stage },
    { key: "model", label: "model", render: (v) => v.modelKind ?? <span className="muted">–</span>, sort: (v) => v.modelKind ?? "" },
    { key: "aliases", label: "aliases", render: (v) => v.aliases.map((a) => <AliasChip key={a} alias={a} />) },
    ...metrics.map((k): Column<Version> => ({ key: k, label: k, align: "right", render: (v) => fmtNum(v.metrics[k]), sort: (v) => v.metrics[k] })),
    { key: "created", label: "registered", render: (v) => <span title={fmtTime(v.createdAt)}>{fmtAgo(v.createdAt)}</span>, sort: (v) => v.createdAt },
    { key: "run", label: "run", render: (v) => <Link to={`/runs/${v.runId}`}>{shortId(v.runId)}</Link> },
    { key: "dataset", label: "dataset", render: (v) => <code>{v.datasetId}</code> },
  ];
  const held = versions.flatMap((v) => v.aliases.map((a) => [a, v.version] as const)).sort((a, b) => a[0].localeCompare(b[0]));
  return (
    <>
      <Card
        title={<>{name} {configured && <span className="muted small">(this project's model)</span>}</>}
        extra={<Link className="btn" to={`/models/${encodeURIComponent(name)}/predict`} data-predict={name}>Predict</Link>}
      >
        <DataTable rows={versions} rowKey={(v) => String(v.version)} columns={columns} initialSort={{ key: "version", dir: "desc" }} rowClass={(v) => (v.archived ? "row-muted" : undefined)} />
      </Card>
      <Card title={`Alias history of ${name}`}>
        <Loaded state={history}>{(rows) => <Transitions name={name} rows={rows} />}</Loaded>
        {held.length > 0 && (
          <details className="actions-panel">
            <summary>Roll back an alias</summary>
            <div className="muted small">moves the alias back to the version it held before its last move (the server's token, with the promote scope); promote from a version's page</div>
            {held.map(([a, v]) => (
              <div key={a} className="rollback-row" data-alias={a}>
                <span className="alias-pair"><AliasChip alias={a} /> v{v}</span>
                <RollbackForm name={name} alias={a} version={v} />
              </div>
            ))}
          </details>
        )}
      </Card>
    </>
  );
}

export default function Models() {
  const dir = useProjectDir();
  const state = useApi<ModelsResponse>("/models");
  return (
    <>
      <PageHeader title="Models" sub="registered versions, their stage (from aliases) and every alias move" />
      <Loaded state={state} what="reading the registry">
        {(m) =>
          m.models.length === 0 ? (
            <Empty title={`no model registered yet: the pipeline registers ${m.configured.name} when a candidate passes the gate`} command={`millrace run ${dir}`} />
          ) : (
            m.models.map((x) => <ModelCard key={x.name} name={x.name} versions={x.versions} configured={x.name === m.configured.name} />)
          )
        }
      </Loaded>
    </>
  );
}
