// Features: the feature store — entities, feature views with their online freshness and lineage, on-demand features,
// and services with the training sets built from them (what `millrace features` prints).
import type { FeatureCatalog } from "../../../src/featurestore/catalog.js";
import { useApi, useProjectDir } from "../api.js";
import { DataTable } from "../components/DataTable.js";
import { Card, Empty, Loaded, PageHeader } from "../components/States.js";
import { fmtAgo, fmtInt, fmtTime } from "../format.js";
import { Link } from "../router.js";

const age = (s: number | null) => (s === null ? "–" : s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172_800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`);

export default function Features() {
  const dir = useProjectDir();
  const state = useApi<FeatureCatalog>("/features");
  return (
    <>
      <PageHeader title="Features" sub="entities, feature views (by event time, with a TTL), on-demand features and the services models are trained and served with" />
      <Loaded state={state} what="reading the feature store">
        {(c) =>
          c.views.length === 0 ? (
            <Empty title="no feature views: declare feature_store in millrace.yaml (see examples/loan-approval)" command={`millrace features ${dir}`} />
          ) : (
            <>
              <Card title={`Feature views · online store: ${c.onlineStore}`}>
                <DataTable
                  rows={c.views}
                  rowKey={(v) => v.name}
                  columns={[
                    { key: "view", label: "view", render: (v) => <span title={v.description ?? ""}>{v.name}</span>, sort: (v) => v.name },
                    { key: "entity", label: "entity", render: (v) => `${v.entity} (${v.joinKeys.join(", ")})` },
                    { key: "source", label: "source", render: (v) => <Link to={`/tables/${v.source}`}>{v.source}{v.sourceVersion ? `@${v.sourceVersion}` : ""}</Link> },
                    { key: "features", label: "features", render: (v) => <span title={v.features.map((f) => `${f.name}: ${f.type}`).join("\n")}>{v.features.length}</span>, align: "right" },
                    { key: "ttl", label: "TTL", render: (v) => age(v.ttlSeconds), align: "right" },
                    { key: "owner", label: "owner", render: (v) => v.owner ?? "–" },
                    { key: "online", label: "online", render: (v) => (!v.online.enabled ? "off" : v.online.materializedVersion === null ? "not materialized" : `@${v.online.materializedVersion}${v.online.behind ? " (behind)" : ""}`) },
                    { key: "entities", label: "entities", render: (v) => fmtInt(v.online.entities), align: "right", sort: (v) => v.online.entities },
                    { key: "fresh", label: "freshness", render: (v) => <span title={fmtTime(v.online.newestEventTime)}>{age(v.online.freshnessSeconds)}</span>, align: "right", sort: (v) => v.online.freshnessSeconds },
                    { key: "mat", label: "materialized", render: (v) => fmtAgo(v.online.materializedAt) },
                    { key: "lineage", label: "built from", render: (v) => v.lineage.map((p) => `${p.table}@${p.version}`).join(", ") },
                  ]}
                />
              </Card>
              <Card title="Services">
                <DataTable
                  rows={c.services}
                  rowKey={(s) => s.name}
                  columns={[
                    { key: "service", label: "service", render: (s) => <span title={s.description ?? ""}>{s.name}</span> },
                    { key: "request", label: "requests carry", render: (s) => [...s.joinKeys, ...s.requestFields].join(", ") },
                    { key: "features", label: "features", render: (s) => s.features.join(", ") },
                    {
                      key: "sets", label: "training sets",
                      render: (s) => s.trainingSets.map((t) => `${t.table}${t.version ? `@${t.version} ← ${t.builtFrom.map((p) => `${p.table}@${p.version}`).join(", ")}` : " (not built)"}`).join("; "),
                    },
                  ]}
                />
              </Card>
              {c.onDemand.length > 0 && (
                <Card title="On-demand features (computed the same way in training sets and at request time)">
                  <DataTable rows={c.onDemand} rowKey={(o) => o.name} columns={[
                    { key: "name", label: "feature", render: (o) => o.name },
                    { key: "expr", label: "expression", render: (o) => <code>{o.expression}</code> },
                  ]} />
                </Card>
              )}
              <Card title="Entities">
                <DataTable rows={c.entities} rowKey={(e) => e.name} columns={[
                  { key: "name", label: "entity", render: (e) => e.name },
                  { key: "keys", label: "join keys", render: (e) => e.joinKeys.join(", ") },
                  { key: "d", label: "description", render: (e) => e.description ?? "" },
                ]} />
              </Card>
            </>
          )
        }
      </Loaded>
    </>
  );
}
