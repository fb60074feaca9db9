// The feature store inside `millrace serve`: binds a model version trained on a feature service to online lookups,
// answers GET /features/<service>?keys=…, and exports each view's freshness as Prometheus gauges.
import type { Hono } from "hono";
import { Gauge, type Registry } from "prom-client";
import { ValidationError } from "../errors.js";
import type { Project } from "../project/load-project.js";
import type { ModelVersion } from "../records.js";
import type { Guard } from "../serve/auth.js";
import { servedWithFeatures } from "../serve/feature-lookup.js";
import type { ServedModel } from "../serve/types.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { resolveService, trainingSetFor, type FeatureStoreConfig } from "./definitions.js";
import { ServiceFeatures } from "./online-features.js";
import type { OnlineStore } from "./online/online-store.js";
import { onlineLocation, openOnlineStore } from "./online/online-stores.js";

export class FeatureServing {
  private store: Promise<OnlineStore> | null = null;
  private readonly services = new Map<string, Promise<ServiceFeatures>>();

  private constructor(private readonly project: Project, private readonly fs: FeatureStoreConfig) {}

  /** Null when the project declares no feature store (nothing to bind, no routes). */
  static of(project: Project): FeatureServing | null {
    return project.config.feature_store ? new FeatureServing(project, project.config.feature_store) : null;
  }

  /** The online store, opened on first use. */
  onlineStore(): Promise<OnlineStore> {
    this.store ??= openOnlineStore(onlineLocation(this.fs.online.store), { project: this.project.config.name, dir: this.project.dir });
    return this.store;
  }

  features(service: string): Promise<ServiceFeatures> {
    let s = this.services.get(service);
    if (!s) {
      resolveService(this.fs, service); // a NotFoundError for an unknown name, before anything is opened
      s = this.onlineStore().then((store) => new ServiceFeatures(store, this.fs, service));
      this.services.set(service, s);
    }
    return s;
  }

  /** The served model as requests should reach it: by entity keys, when its dataset is a training set of a service. */
  async decorate(served: ServedModel, mv: ModelVersion, meta: MetadataStore): Promise<ServedModel> {
    const dataset = await meta.getDataset(mv.datasetId);
    const spec = dataset ? trainingSetFor(this.project.config, dataset.table.table) : undefined;
    if (!spec) return served;
    return servedWithFeatures(served, (await this.features(spec.service)).binding(served.predictor));
  }

  /** GET /features/<service>?keys=k1,k2 (single-key entities) or ?<join_key>=v&… (one entity). */
  mount(app: Hono, guard: Guard, needsToken: boolean): void {
    if (needsToken) app.use("/features/*", guard("read"));
    app.get("/features/:service", async (c) => {
      const sf = await this.features(c.req.param("service"));
      const joinKeys = sf.service.joinKeys;
      const keys = c.req.query("keys");
      let records: Record<string, unknown>[];
      if (keys !== undefined && joinKeys.length === 1) {
        records = keys.split(",").filter((k) => k !== "").map((k) => ({ [joinKeys[0]]: k }));
      } else {
        const one: Record<string, unknown> = {};
        for (const k of joinKeys) {
          const v = c.req.query(k);
          if (v === undefined) throw new ValidationError(`query parameter ${k} is missing`, { path: k, hint: joinKeys.length === 1 ? `GET /features/${sf.service.service.name}?keys=<${k}>,<${k}>` : `give every join key: ${joinKeys.map((j) => `${j}=…`).join("&")}` });
          one[k] = v;
        }
        records = [one];
      }
      if (!records.length) throw new ValidationError("keys is empty", { path: "keys" });
      if (records.length > 1000) throw new ValidationError(`${records.length} keys; the limit is 1000`, { path: "keys" });
      if (sf.service.requestFields.length) {
        for (const f of sf.service.requestFields) {
          const v = c.req.query(f.name);
          if (v !== undefined) for (const r of records) r[f.name] = f.type === "string" ? v : Number(v);
        }
      }
      const found = await sf.enrich(records);
      return c.json({
        service: sf.service.service.name,
        features: found.records.map((r) => Object.fromEntries([...joinKeys, ...sf.service.featureNames].map((f) => [f, r[f] ?? null]))),
        feature_timestamps: found.timestamps,
        stale: found.stale,
      });
    });
  }

  /** Gauges per view, read from the online store's state at scrape time. */
  registerMetrics(registry: Registry): void {
    const views = this.fs.feature_views.filter((v) => v.online).map((v) => v.name);
    const read = async () => {
      const store = await this.onlineStore();
      return Promise.all(views.map(async (v) => [v, await store.state(v)] as const));
    };
    new Gauge({
      name: "millrace_feature_view_freshness_seconds",
      help: "Seconds since the newest event time held in the online store, per feature view (absent until materialized).",
      labelNames: ["view"],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [v, s] of await read()) if (s?.newestTs != null) this.labels(v).set((Date.now() - s.newestTs) / 1000);
      },
    });
    new Gauge({
      name: "millrace_feature_view_materialized_age_seconds",
      help: "Seconds since the last materialization of each feature view.",
      labelNames: ["view"],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [v, s] of await read()) if (s) this.labels(v).set((Date.now() - s.materializedAt) / 1000);
      },
    });
    new Gauge({
      name: "millrace_feature_view_entities",
      help: "Entities held in the online store per feature view.",
      labelNames: ["view"],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [v, s] of await read()) if (s) this.labels(v).set(s.rows);
      },
    });
  }

  async close(): Promise<void> {
    if (this.store) await (await this.store).close();
  }
}
