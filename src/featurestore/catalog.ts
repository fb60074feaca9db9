// What `millrace features` lists: entities, feature views with their source version, online freshness and lineage,
// services with the training sets built from them.
import type { Lake } from "../lake/lake.js";
import { ident } from "../lake/sql.js";
import type { Project } from "../project/load-project.js";
import type { TableRef } from "../records.js";
import { entityOf, featureStoreOf, resolveService } from "./definitions.js";
import type { OnlineStore } from "./online/online-store.js";

export interface ViewEntry {
  name: string;
  entity: string;
  joinKeys: string[];
  source: string;
  timestamp: string;
  ttlSeconds: number;
  features: { name: string; type: string; description?: string }[];
  owner: string | null;
  description: string | null;
  tags: Record<string, string>;
  /** The source table's current version, and the versions it was built from. */
  sourceVersion: number | null;
  lineage: TableRef[];
  /** Newest event time in the lake table (ISO), null when empty or not built. */
  newestEventTime: string | null;
  online: {
    enabled: boolean;
    materializedVersion: number | null;
    entities: number | null;
    newestEventTime: string | null;
    /** Seconds since the newest event time held online. */
    freshnessSeconds: number | null;
    materializedAt: string | null;
    /** The lake holds a newer version than the one materialized. */
    behind: boolean;
  };
  services: string[];
}

export interface FeatureCatalog {
  project: string;
  onlineStore: string;
  entities: { name: string; joinKeys: string[]; description: string | null }[];
  views: ViewEntry[];
  onDemand: { name: string; expression: string; description: string | null }[];
  services: {
    name: string;
    features: string[];
    joinKeys: string[];
    requestFields: string[];
    owner: string | null;
    description: string | null;
    trainingSets: { table: string; labels: string; version: number | null; builtFrom: TableRef[] }[];
  }[];
}

export async function featureCatalog(lake: Lake, project: Project, store: OnlineStore | null, now = Date.now()): Promise<FeatureCatalog> {
  const fs = featureStoreOf(project.config);
  const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  const views: ViewEntry[] = [];
  for (const v of fs.feature_views) {
    const cur = await lake.current(v.source);
    let newest: string | null = null;
    if (cur && cur.schema.some((c) => c.name === v.timestamp)) {
      const [r] = await lake.duck.rows(`SELECT epoch_ms(CAST(max(${ident(v.timestamp)}) AS TIMESTAMP)) AS t FROM ${lake.relation(cur)}`);
      newest = r.t === null ? null : iso(Number(r.t));
    }
    const state = store && v.online ? await store.state(v.name) : null;
    views.push({
      name: v.name, entity: v.entity, joinKeys: entityOf(fs, v).join_keys, source: v.source, timestamp: v.timestamp,
      ttlSeconds: Math.round(v.ttl / 1000),
      features: v.features.map((f) => ({ name: f.name, type: f.type, ...(f.description ? { description: f.description } : {}) })),
      owner: v.owner ?? null, description: v.description ?? null, tags: v.tags,
      sourceVersion: cur?.version ?? null, lineage: cur?.parents ?? [], newestEventTime: newest,
      online: {
        enabled: v.online,
        materializedVersion: state?.version ?? null,
        entities: state?.rows ?? null,
        newestEventTime: iso(state?.newestTs),
        freshnessSeconds: state?.newestTs != null ? Math.round((now - state.newestTs) / 1000) : null,
        materializedAt: iso(state?.materializedAt),
        behind: state !== null && cur !== null && state.version < cur.version,
      },
      services: fs.feature_services.filter((s) => s.features.some((f) => f.split(":")[0] === v.name)).map((s) => s.name),
    });
  }
  const services: FeatureCatalog["services"] = [];
  for (const s of fs.feature_services) {
    const r = resolveService(fs, s.name);
    const trainingSets: FeatureCatalog["services"][number]["trainingSets"] = [];
    for (const t of fs.training_sets.filter((x) => x.service === s.name)) {
      const cur = await lake.current(t.table);
      trainingSets.push({ table: t.table, labels: t.labels, version: cur?.version ?? null, builtFrom: cur?.parents ?? [] });
    }
    services.push({
      name: s.name, features: r.featureNames, joinKeys: r.joinKeys, requestFields: r.requestFields.map((f) => f.name),
      owner: s.owner ?? null, description: s.description ?? null, trainingSets,
    });
  }
  return {
    project: project.config.name,
    onlineStore: store?.kind ?? "none",
    entities: fs.entities.map((e) => ({ name: e.name, joinKeys: e.join_keys, description: e.description ?? null })),
    views,
    onDemand: fs.on_demand_features.map((o) => ({ name: o.name, expression: o.expression, description: o.description ?? null })),
    services,
  };
}
