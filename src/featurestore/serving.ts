// The feature store inside `millrace serve`: binds a model version trained on a feature service to online lookups,
// answers GET /features/<service>?keys=…, and exports each view's freshness as Prometheus gauges.
import type { Hono } from "hono";
import { Gauge, type Registry } from "prom-client";
import { MillraceError, recordFieldOf, ValidationError } from "../errors.js";
import type { Project } from "../project/load-project.js";
import type { ModelVersion } from "../records.js";
import type { Guard } from "../serve/auth.js";
import { servedWithFeatures } from "../serve/feature-lookup.js";
import type { ServedModel } from "../serve/types.js";
import type { Lake } from "../lake/lake.js";
import { materializeView, type MaterializedView } from "./materialize.js";
import { featureCatalog } from "./catalog.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { resolveService, trainingSetFor, type FeatureStoreConfig } from "./definitions.js";
import { ServiceFeatures } from "./online-features.js";
import type { OnlineStore } from "./online/online-store.js";
import { onlineLocation, openOnlineStore } from "./online/online-stores.js";

export class FeatureServing {
  private store: Promise<OnlineStore> | null = null;
  private readonly services = new Map<string, Promise<ServiceFeatures>>();
  /** Materializations after pushes run one at a time (each reads the versions the previous one left). */
  private pushQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly project: Project,
    private readonly fs: FeatureStoreConfig,
    private readonly lake: () => Promise<Lake>,
  ) {}

  /**
   * Null when the project declares no feature store (nothing to bind, no routes). `lake` is the process's one lake
   * (the serving workspace's), opened on first use and closed by its owner, not here.
   */
  static of(project: Project, lake: () => Promise<Lake>): FeatureServing | null {
    return project.config.feature_store ? new FeatureServing(project, project.config.feature_store, lake) : null;
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

  /**
   * After a push (POST /ingest/<source>) commits a new version of bronze.<source>, the online views reading that table
   * are materialized incrementally (only the pushed keys change) before the answer goes out, so a /predict sent after
   * the push's 200 sees the pushed features. The answer lists what was materialized under `features`.
   * Mounted before the ingest route; runs after it and only on its 200.
   */
  private mountPushMaterialization(app: Hono): void {
    const bySource = new Map<string, typeof this.fs.feature_views>();
    for (const v of this.fs.feature_views.filter((x) => x.online && x.source.startsWith("bronze."))) {
      bySource.set(v.source.slice("bronze.".length), [...(bySource.get(v.source.slice("bronze.".length)) ?? []), v]);
    }
    if (!bySource.size) return;
    app.use("/ingest/:source", async (c, next) => {
      await next();
      const views = bySource.get(c.req.param("source"));
      if (!views || c.res.status !== 200) return;
      const answer = (await c.res.clone().json()) as Record<string, unknown>;
      if (answer.version === null) return; // a duplicate batch: nothing new
      const run = this.pushQueue.then(async () => {
        const lake = await this.lake();
        const store = await this.onlineStore();
        const out: MaterializedView[] = [];
        for (const v of views) out.push(await materializeView(lake, this.project, store, v));
        return out;
      });
      this.pushQueue = run.catch(() => undefined);
      // The push is committed either way: a failed materialization is said in the answer, not turned into an error.
      const materialized = await run.catch((e: unknown) => e as Error);
      const features = materialized instanceof Error
        ? { error: `the push was committed, but materializing ${views.map((v) => v.name).join(", ")} failed: ${materialized.message}`, hint: `run millrace materialize ${this.project.dir}` }
        : materialized.map((m) => ({ view: m.view, version: m.version, mode: m.mode, written: m.written, removed: m.removed }));
      c.res = new Response(JSON.stringify({ ...answer, features }), {
        status: 200,
        headers: { "content-type": "application/json; charset=utf-8" },
      });
    });
  }

  /** GET /features/<service>?keys=k1,k2 (single-key entities) or ?<join_key>=v&… (one entity); push materialization. */
  mount(app: Hono, guard: Guard, needsToken: boolean): void {
    this.mountPushMaterialization(app);
    // The dashboard's features page (under /api, so it takes the dashboard's read guard); mounted before the
    // dashboard's own /api routes, whose catch-all would answer 404.
    app.get("/api/features", async (c) => c.json(await featureCatalog(await this.lake(), this.project, await this.onlineStore())));
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
      const found = await sf.enrich(records).catch((e: unknown) => {
        // The lookup names request paths (records[i].key); this request's fields are its query parameters.
        const at = e instanceof MillraceError ? recordFieldOf(e.details.path) : null;
        if (at) (e as MillraceError).details.path = keys !== undefined && joinKeys.length === 1 ? `keys[${at.row}]` : at.field;
        throw e;
      });
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
    await this.pushQueue;
    if (this.store) await (await this.store).close();
  }
}
