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

export class ServiceFeatures {
  readonly service: ResolvedService;
  private readonly onDemand: { name: string; fn: (row: Readonly<Record<string, unknown>>) => number | null }[];

  constructor(private readonly store: OnlineStore, fs: FeatureStoreConfig, serviceName: string, private readonly clock: () => number = Date.now) {
    this.service = resolveService(fs, serviceName);
    this.onDemand = this.service.onDemand.map((o) => ({ name: o.name, fn: compileExpression(o.expr) }));
  }

  /** The service's feature values for each record (keys and request fields kept), or a NotFoundError naming the key. */
  async enrich(records: Record<string, unknown>[]): Promise<EnrichedRecords> {
    const now = this.clock();
    const out = records.map((r) => ({ ...r }));
    const timestamps = records.map(() => ({}) as Record<string, string | null>);
    const stale: StaleFeature[] = [];
    // The embedded store answers synchronously: no promise per view on the request path.
    const sync = (this.store as { getSync?: (view: string, keys: string[]) => (OnlineRow | null)[] }).getSync?.bind(this.store);
    const lookup = (sv: ResolvedService["views"][number]) => {
      const keys = records.length === 1 ? [entityKeyOf(sv.joinKeys.map((k) => records[0][k]))] : records.map((r) => entityKeyOf(sv.joinKeys.map((k) => r[k])));
      const unique = keys.length === 1 ? keys : [...new Set(keys)];
      const toMap = (rows: (OnlineRow | null)[]) => ({ sv, keys, byKey: new Map<string, OnlineRow | null>(unique.map((k, i) => [k, rows[i]])) });
      return sync ? toMap(sync(sv.view.name, unique)) : this.store.get(sv.view.name, unique).then(toMap);
    };
    type Found = { sv: ResolvedService["views"][number]; keys: string[]; byKey: Map<string, OnlineRow | null> };
    const lookups: Found[] = sync ? this.service.views.map((sv) => lookup(sv) as Found) : await Promise.all(this.service.views.map(lookup));
    for (const { sv, keys, byKey } of lookups) {
      for (let i = 0; i < records.length; i++) {
        const row = byKey.get(keys[i]) ?? null;
        if (!row) {
          const key = sv.joinKeys.length === 1 ? sv.joinKeys[0] : sv.joinKeys.join(", ");
          throw new NotFoundError(`no ${sv.view.entity} with ${key} = ${keys[i]} in feature view ${sv.view.name}`, {
            path: `records[${i}].${sv.joinKeys[0]}`,
            hint: `check the key; a new ${sv.view.entity} is served once its rows are in ${sv.view.source} and materialized (millrace materialize --view ${sv.view.name})`,
          });
        }
        for (const f of sv.features) out[i][f.name] = row.values[f.name] ?? null;
        timestamps[i][sv.view.name] = new Date(row.ts).toISOString();
        const age = now - row.ts;
        if (age > sv.view.ttl) {
          stale.push({ record: i, view: sv.view.name, key: keys[i], eventTime: new Date(row.ts).toISOString(), ageSeconds: Math.round(age / 1000), ttlSeconds: Math.round(sv.view.ttl / 1000) });
        }
      }
    }
    for (const r of out) this.computeOnDemand(r);
    return { records: out, timestamps, stale };
  }

  /** Sets the on-demand features of one record from its other values: the online half of offline == online. */
  computeOnDemand(record: Record<string, unknown>): Record<string, unknown> {
    for (const o of this.onDemand) record[o.name] = o.fn(record);
    return record;
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
    };
  }
}
