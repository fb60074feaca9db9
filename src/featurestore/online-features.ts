// Online feature retrieval for one service: the latest row of each view for the request's entity keys from the online
// store, the on-demand features computed by the same expressions the training set used, and staleness against TTLs.
import { NotFoundError } from "../errors.js";
import type { FieldSpec, Predictor, Signature } from "../records.js";
import type { EnrichedRecords, FeatureBinding, StaleFeature } from "../serve/feature-lookup.js";
import { entityKeyOf, resolveService, type FeatureStoreConfig, type FeatureType, type ResolvedService } from "./definitions.js";
import { compileExpression } from "./expression.js";
import type { OnlineRow, OnlineStore } from "./online/online-store.js";

const FIELD_TYPE: Record<FeatureType, FieldSpec["type"]> = { number: "number", integer: "integer", string: "string", boolean: "boolean", timestamp: "timestamp" };

/** The fields a request for the service carries: join keys (as text) and request-time fields. */
export function requestSignature(service: ResolvedService, output: Signature["output"]): Signature {
  return {
    inputs: [
      ...service.joinKeys.map((k): FieldSpec => ({ name: k, type: "string", nullable: false })),
      ...service.requestFields.map((f): FieldSpec => ({ name: f.name, type: FIELD_TYPE[f.type], nullable: true })),
    ],
    output,
  };
}

/** A store's synchronous lookup of several views at once (SQLite: one cache-validity check per request). */
type SyncLookup = (views: string[], keys: string[][]) => (OnlineRow | null)[][];

export class ServiceFeatures {
  readonly service: ResolvedService;
  private readonly viewNames: string[];
  private readonly onDemand: { name: string; fn: (row: Readonly<Record<string, unknown>>) => number | null }[];
  /** The store's synchronous lookup (SQLite), or null. Repeated keys hit its cache, so no dedupe on this path. */
  private readonly sync: SyncLookup | null;

  constructor(private readonly store: OnlineStore, fs: FeatureStoreConfig, serviceName: string, private readonly clock: () => number = Date.now) {
    this.service = resolveService(fs, serviceName);
    this.onDemand = this.service.onDemand.map((o) => ({ name: o.name, fn: compileExpression(o.expr) }));
    this.viewNames = this.service.views.map((sv) => sv.view.name);
    const getViewsSync = (store as { getViewsSync?: SyncLookup }).getViewsSync;
    this.sync = getViewsSync ? getViewsSync.bind(store) : null;
  }

  /** The service's feature values for each record (keys and request fields kept), or a NotFoundError naming the key. */
  async enrich(records: Record<string, unknown>[]): Promise<EnrichedRecords> {
    const views = this.service.views;
    // The embedded store answers synchronously: no promise per view on the request path.
    const keysPer = views.map((sv) => records.map((r) => entityKeyOf(sv.joinKeys.map((k) => r[k]))));
    const found = this.sync
      ? this.sync(this.viewNames, keysPer)
      : await Promise.all(views.map((sv, v) => this.fetch(sv.view.name, keysPer[v])));
    const now = this.clock();
    const out = new Array<Record<string, unknown>>(records.length);
    const timestamps = new Array<Record<string, string | null>>(records.length);
    const stale: StaleFeature[] = [];
    for (let i = 0; i < records.length; i++) {
      // Not `{ ...records[i] }`: adding 13 properties to a spread copy cost 21 µs on node 20 (each add made a new
      // hidden class); a plain object filled by a loop costs 0.3–0.5 µs (measured in isolation, 300k iterations).
      const rec: Record<string, unknown> = {};
      const src = records[i];
      for (const k in src) rec[k] = src[k];
      const ts: Record<string, string | null> = {};
      for (let v = 0; v < views.length; v++) {
        const sv = views[v];
        const row = found[v][i];
        if (!row) {
          const key = sv.joinKeys.length === 1 ? sv.joinKeys[0] : sv.joinKeys.join(", ");
          throw new NotFoundError(`no ${sv.view.entity} with ${key} = ${keysPer[v][i]} in feature view ${sv.view.name}`, {
            path: `records[${i}].${sv.joinKeys[0]}`,
            hint: `check the key; a new ${sv.view.entity} is served once its rows are in ${sv.view.source} and materialized (millrace materialize --view ${sv.view.name})`,
          });
        }
        for (const f of sv.features) rec[f.name] = row.values[f.name] ?? null;
        const iso = new Date(row.ts).toISOString();
        ts[sv.view.name] = iso;
        const age = now - row.ts;
        if (age > sv.view.ttl) {
          stale.push({ record: i, view: sv.view.name, key: keysPer[v][i], eventTime: iso, ageSeconds: Math.round(age / 1000), ttlSeconds: Math.round(sv.view.ttl / 1000) });
        }
      }
      out[i] = this.computeOnDemand(rec);
      timestamps[i] = ts;
    }
    return { records: out, timestamps, stale };
  }

  /** A batch's keys repeat: each distinct key is read once. */
  private async fetch(view: string, keys: string[]): Promise<(OnlineRow | null)[]> {
    const unique = keys.length === 1 ? keys : [...new Set(keys)];
    const rows = await this.store.get(view, unique);
    if (unique === keys) return rows;
    const byKey = new Map(unique.map((k, i) => [k, rows[i]]));
    return keys.map((k) => byKey.get(k) ?? null);
  }

  /** Sets the on-demand features of one record from its other values: the online half of offline == online. */
  computeOnDemand(record: Record<string, unknown>): Record<string, unknown> {
    for (const o of this.onDemand) record[o.name] = o.fn(record);
    return record;
  }

  /** Join-key values of an entity every view of the service holds (the first of up to 100 tried), or null. */
  async exampleKeys(): Promise<Record<string, string> | null> {
    const views = this.service.views;
    if (!views.length) return null;
    const candidates = (await this.store.keys(views[0].view.name)).slice(0, 100);
    for (const key of candidates) {
      const values = views[0].joinKeys.length === 1 ? [key] : (JSON.parse(key) as string[]);
      const keys = Object.fromEntries(views[0].joinKeys.map((k, i) => [k, String(values[i])]));
      const rows = await Promise.all(views.map((sv) => this.store.get(sv.view.name, [entityKeyOf(sv.joinKeys.map((k) => keys[k]))])));
      // A service over several entities: this view's key alone cannot name them all.
      if (rows.every((r) => r[0] !== null) && this.service.joinKeys.every((k) => k in keys)) return keys;
    }
    return null;
  }

  /** The binding the server uses for a model trained on this service. */
  binding(model: Predictor): FeatureBinding {
    return {
      service: this.service.service.name,
      requestSignature: requestSignature(this.service, model.signature.output),
      joinKeys: this.service.joinKeys,
      featureNames: this.service.featureNames,
      model,
      enrich: (records) => this.enrich(records),
      exampleKeys: () => this.exampleKeys(),
    };
  }
}
