// The feature store's part of millrace.yaml (`feature_store:`): entities, feature views over lake tables, on-demand
// features, feature services, point-in-time training sets and the online store. Cross-references are checked here,
// so a view naming an unknown entity fails when the project loads, at the line that names it.
import { z } from "zod";
import { parseDuration } from "../lake/sources/duration.js";
import { expressionProblem, expressionInputs } from "../featurestore/expression.js";

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "use letters, digits and _, starting with a letter");
const tableName = z.string().regex(/^(bronze|silver|gold)\.[A-Za-z_][A-Za-z0-9_]*$/, 'write tables as "<bronze|silver|gold>.<name>"');

/** A TTL: seconds as a number, or "90s", "15m", "1h", "30d", "52w"; read as milliseconds. */
const ttlSchema = z
  .union([z.number().positive(), z.string().min(1)])
  .superRefine((v, ctx) => {
    if (typeof v !== "string") return;
    try {
      parseDuration(v, "ttl");
    } catch {
      ctx.addIssue({ code: "custom", message: `"${v}" is not a duration: write seconds as a number, or a number and a unit (s, m, h, d, w), e.g. "30d"` });
    }
  })
  .transform((v) => (typeof v === "number" ? v * 1000 : parseDuration(v, "ttl")));

export const FEATURE_TYPES = ["number", "integer", "string", "boolean", "timestamp"] as const;

const entitySchema = z.strictObject({
  name: identifier.describe("Entity name, e.g. applicant; feature views and services refer to it."),
  join_keys: z.array(identifier).min(1).describe("Columns that identify one entity, e.g. [applicant_id]; labels tables and requests carry them."),
  description: z.string().optional().describe("What the entity is."),
});

const featureSchema = z.strictObject({
  name: identifier.describe("A column of the view's source table."),
  type: z.enum(FEATURE_TYPES).describe("number, integer, string, boolean or timestamp; checked against the table's column type."),
  description: z.string().optional().describe("What the feature means."),
});

const featureViewSchema = z.strictObject({
  name: identifier.describe("View name; a service names its features as <view> (all) or <view>:<feature>."),
  source: tableName.describe("The lake table (a source's bronze table or a SQL model's silver/gold table) holding the feature rows."),
  entity: identifier.describe("The entity whose join keys identify a row's subject."),
  timestamp: identifier.describe("Event-time column: when the row's values became true."),
  created_timestamp: identifier.optional().describe("Optional column of when the row was written: breaks ties between rows of one key with the same event time (the latest written wins)."),
  ttl: ttlSchema.describe("How long a row stays valid after its event time (seconds or \"30d\"): older rows are not joined to labels, not materialized online, and a served value older than this is reported stale."),
  features: z.array(featureSchema).min(1, "declare at least one feature").describe("The typed feature columns."),
  online: z.boolean().default(true).describe("Materialize this view to the online store."),
  owner: z.string().optional().describe("Who answers for the view (a person or team)."),
  description: z.string().optional().describe("What the view holds."),
  tags: z.record(z.string(), z.string()).default({}).describe("Free labels, e.g. { domain: credit, pii: \"no\" }."),
});

const requestFieldSchema = z.strictObject({
  name: identifier.describe("A field each prediction request (and each labels row) carries."),
  type: z.enum(FEATURE_TYPES).describe("Its type."),
});

const onDemandSchema = z.strictObject({
  name: identifier.describe("The computed feature's name."),
  expression: z
    .string()
    .min(1)
    .superRefine((e, ctx) => {
      const problem = expressionProblem(e);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .describe("Arithmetic over features and request fields: + - * /, parentheses, numbers, abs(), coalesce(), least(), greatest(); e.g. \"amount / income\". Run as SQL in the training set and as the same arithmetic online; x / 0 is null in both."),
  description: z.string().optional().describe("What the feature means."),
});

const featureServiceSchema = z.strictObject({
  name: identifier.describe("Service name: the feature set a model is trained on and served with."),
  features: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(:[A-Za-z_][A-Za-z0-9_]*)?$/, "write <view>, <view>:<feature> or an on-demand feature's name")).min(1).describe("Features: <view> (all of its features), <view>:<feature>, or an on-demand feature's name."),
  request_fields: z.array(requestFieldSchema).default([]).describe("Fields sent with each request (besides the entity keys) that on-demand features or the model read."),
  owner: z.string().optional().describe("Who answers for the service."),
  description: z.string().optional().describe("What the service is for."),
  tags: z.record(z.string(), z.string()).default({}).describe("Free labels."),
});

const trainingSetSchema = z.strictObject({
  table: tableName.describe("The lake table the training set is written to (point `dataset.table` at it)."),
  labels: tableName.describe("The labels table: entity join keys, an event-time column, the label (and the service's request fields)."),
  timestamp: identifier.describe("The labels table's event-time column: each row gets, per view, the latest feature row at or before it (within the view's TTL)."),
  label: identifier.describe("The label column."),
  service: identifier.describe("The feature service whose features are joined."),
});

const onlineSchema = z
  .strictObject({
    store: z.string().default(".millrace/online.db").describe("The online store: a SQLite file (relative to the project), redis://host:port[/db] or postgres://user@host:port/db. Env MILLRACE_ONLINE_STORE overrides."),
  })
  .prefault({});

/** Names a service's feature list resolves to, or the problem with one of them. */
function serviceProblems(
  s: z.output<typeof featureServiceSchema>,
  views: Map<string, z.output<typeof featureViewSchema>>,
  onDemand: Map<string, z.output<typeof onDemandSchema>>,
): { index: number; message: string }[] {
  const out: { index: number; message: string }[] = [];
  const seen = new Map<string, string>();
  const add = (index: number, name: string, from: string) => {
    const before = seen.get(name);
    if (before !== undefined) out.push({ index, message: `feature "${name}" comes from both ${before} and ${from}: a service's feature names must be unique` });
    seen.set(name, from);
  };
  for (const f of s.request_fields) seen.set(f.name, "request_fields");
  s.features.forEach((ref, index) => {
    const [viewName, feature] = ref.split(":");
    const view = views.get(viewName);
    if (feature === undefined && !view) {
      const od = onDemand.get(viewName);
      if (od) add(index, od.name, "on_demand");
      else out.push({ index, message: `"${ref}" is neither a feature view nor an on-demand feature (views: ${[...views.keys()].join(", ") || "none"})` });
      return;
    }
    if (!view) return void out.push({ index, message: `no feature view "${viewName}" (views: ${[...views.keys()].join(", ") || "none"})` });
    if (feature === undefined) for (const f of view.features) add(index, f.name, view.name);
    else if (!view.features.some((f) => f.name === feature)) out.push({ index, message: `view ${view.name} has no feature "${feature}" (it has ${view.features.map((f) => f.name).join(", ")})` });
    else add(index, feature, view.name);
  });
  // On-demand features read only what the service provides.
  for (const [index, ref] of s.features.entries()) {
    const od = onDemand.get(ref);
    if (!od || views.has(ref)) continue;
    for (const input of expressionInputs(od.expression)) {
      if (!seen.has(input)) out.push({ index, message: `on-demand feature ${od.name} reads "${input}", which service ${s.name} does not provide (add its view or a request field)` });
    }
  }
  return out;
}

export const featureStoreSchema = z
  .strictObject({
    entities: z.array(entitySchema).default([]).describe("What features describe: a name and its join keys."),
    feature_views: z.array(featureViewSchema).default([]).describe("Typed feature columns of a lake table, by entity and event time, with a TTL."),
    on_demand_features: z.array(onDemandSchema).default([]).describe("Features computed from other features and request fields, the same way offline and online."),
    feature_services: z.array(featureServiceSchema).default([]).describe("Named feature sets a model is trained on and served with."),
    training_sets: z.array(trainingSetSchema).default([]).describe("Point-in-time-correct training tables: a labels table joined to a service's features as of each label's time."),
    online: onlineSchema.describe("Where materialized features are served from."),
  })
  .superRefine((fs, ctx) => {
    const unique = (list: { name: string }[], key: string) => {
      const seen = new Set<string>();
      list.forEach((x, i) => {
        if (seen.has(x.name)) ctx.addIssue({ code: "custom", path: [key, i, "name"], message: `"${x.name}" is declared twice in ${key}` });
        seen.add(x.name);
      });
    };
    unique(fs.entities, "entities");
    unique(fs.feature_views, "feature_views");
    unique(fs.feature_services, "feature_services");
    unique(fs.on_demand_features, "on_demand_features");
    const entities = new Map(fs.entities.map((e) => [e.name, e]));
    const views = new Map(fs.feature_views.map((v) => [v.name, v]));
    const onDemand = new Map(fs.on_demand_features.map((o) => [o.name, o]));
    fs.feature_views.forEach((v, i) => {
      const entity = entities.get(v.entity);
      if (!entity) {
        ctx.addIssue({ code: "custom", path: ["feature_views", i, "entity"], message: `no entity "${v.entity}" (entities: ${[...entities.keys()].join(", ") || "none declared"})` });
        return;
      }
      const special = new Set([...entity.join_keys, v.timestamp, ...(v.created_timestamp ? [v.created_timestamp] : [])]);
      v.features.forEach((f, j) => {
        if (special.has(f.name)) ctx.addIssue({ code: "custom", path: ["feature_views", i, "features", j, "name"], message: `"${f.name}" is a join key or timestamp of view ${v.name}, not a feature` });
      });
    });
    fs.feature_services.forEach((s, i) => {
      for (const p of serviceProblems(s, views, onDemand)) ctx.addIssue({ code: "custom", path: ["feature_services", i, "features", p.index], message: p.message });
    });
    fs.training_sets.forEach((t, i) => {
      if (!fs.feature_services.some((s) => s.name === t.service)) {
        ctx.addIssue({ code: "custom", path: ["training_sets", i, "service"], message: `no feature service "${t.service}" (services: ${fs.feature_services.map((s) => s.name).join(", ") || "none"})` });
      }
    });
  });

export type FeatureStoreConfig = z.output<typeof featureStoreSchema>;
export type EntityConfig = FeatureStoreConfig["entities"][number];
export type FeatureViewConfig = FeatureStoreConfig["feature_views"][number];
export type FeatureServiceConfig = FeatureStoreConfig["feature_services"][number];
export type OnDemandConfig = FeatureStoreConfig["on_demand_features"][number];
export type TrainingSetConfig = FeatureStoreConfig["training_sets"][number];
export type FeatureType = (typeof FEATURE_TYPES)[number];
