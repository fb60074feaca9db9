// Point-in-time-correct training sets: every labels row gets, per feature view, the latest feature row of its entity
// whose event time is at or before the label's and within the view's TTL — never a later one (DuckDB ASOF JOIN,
// pit-sql.ts) — then the service's on-demand features. The result is a lake table version whose parents are the labels
// and view versions read, so lineage walks from a model to the feature rows it learned from.
import { ConfigError, ValidationError } from "../errors.js";
import type { Lake } from "../lake/lake.js";
import { lit } from "../lake/sql.js";
import { sha256Text } from "../lake/hash.js";
import type { Project } from "../project/load-project.js";
import type { ColumnSchema, TableRef, TableVersion } from "../records.js";
import { featureStoreOf, resolveService, type ResolvedService, type TrainingSetConfig } from "./definitions.js";
import { pointInTimeSql } from "./pit-sql.js";
import { checkViewColumns, isTimeType, yamlLine } from "./source-check.js";

export interface TrainingSetResult {
  version: TableVersion;
  reused: boolean;
  rows: number;
  labels: TableRef;
  views: { view: string; table: string; version: number }[];
}

/** The training set of `spec`, built from the current (or `pinned`) versions of its labels and views. */
export async function buildTrainingSet(
  lake: Lake,
  project: Project,
  spec: TrainingSetConfig,
  pinned: (table: string) => TableRef | undefined = () => undefined,
): Promise<TrainingSetResult> {
  const store = featureStoreOf(project.config);
  const service = resolveService(store, spec.service);
  const index = store.training_sets.indexOf(spec);
  const at = (key: string) => yamlLine(project, ["feature_store", "training_sets", index, key]);
  const versionOf = async (table: string, where: string): Promise<TableVersion> => {
    const ref = pinned(table);
    const v = ref ? await lake.version(ref) : await lake.current(table);
    if (!v) throw new ConfigError(`${where} ${table} has no version yet`, { path: where, hint: `build it first: millrace run ${project.dir}` });
    return v;
  };
  const labels = await versionOf(spec.labels, at("labels"));
  checkLabels(labels.schema, spec, service, at);
  const views: TableVersion[] = [];
  for (const sv of service.views) {
    const v = await versionOf(sv.view.source, yamlLine(project, ["feature_store", "feature_views", store.feature_views.indexOf(sv.view), "source"]));
    checkViewColumns(project, store, sv.view, v.schema);
    views.push(v);
  }
  const inputs = {
    service,
    labels: lake.relation(labels),
    timestamp: spec.timestamp,
    views: views.map((v) => lake.relation(v)),
  };
  const viewRefs = service.views.map((sv, i) => ({ view: sv.view.name, table: views[i].table, version: views[i].version }));
  const definition = JSON.stringify({ spec, views: service.views.map((sv) => ({ ...sv.view, features: sv.features })), onDemand: service.onDemand.map((o) => [o.name, o.expression]) });
  const cacheKey = sha256Text("training-set/1", labels.contentHash, ...views.map((v) => v.contentHash), definition);
  let rows = 0;
  const { manifest, reused } = await lake.writeVersion(spec.table, async (ctx) => {
    if (ctx.prev?.cacheKey === cacheKey) return { reuse: ctx.prev };
    const prev = ctx.prev;
    const out = ctx.newFile();
    // With a previous version, the new rows are kept in a work table first: a source that rewrote rows without
    // changing what the training set reads (a PostgreSQL loader bumping updated_at, a silver model rebuilt in another
    // order) gives the same rows, and the previous version is kept, so no dataset changes and nothing retrains.
    const work = `__training_set_${process.pid}_${++builds}`;
    let same = false;
    try {
      if (prev) {
        rows = await lake.duck.run(`CREATE TABLE ${work} AS\n${pointInTimeSql(inputs)}`);
        same = await sameRows(lake, work, rows, prev);
        if (!same) await lake.duck.run(`COPY ${work} TO ${lit(out.abs)} (FORMAT parquet)`);
      } else {
        rows = await lake.duck.run(`COPY (\n${pointInTimeSql(inputs)}\n) TO ${lit(out.abs)} (FORMAT parquet)`);
      }
    } catch (e) {
      throw new ValidationError(`could not build training set ${spec.table}: ${(e as Error).message.split("\n")[0]}`, {
        path: at("table"), hint: "the labels' join keys and timestamp must have the views' types (cast them in the model that builds the labels table)",
      });
    } finally {
      if (prev) await lake.duck.run(`DROP TABLE IF EXISTS ${work}`);
    }
    if (same) return { reuse: prev! };
    return {
      files: [out.rel], fileRows: [rows], operation: "training_set", cacheKey,
      parents: [{ table: labels.table, version: labels.version }, ...views.map((v) => ({ table: v.table, version: v.version }))],
      info: {
        featureService: service.service.name,
        labels: { table: labels.table, version: labels.version, timestamp: spec.timestamp, label: spec.label },
        views: viewRefs,
        joinKeys: service.joinKeys,
        requestFields: service.requestFields.map((f) => f.name),
        features: service.featureNames,
        onDemand: service.onDemand.map((o) => ({ name: o.name, expression: o.expression })),
      },
    };
  });
  const version = manifest!;
  return { version, reused, rows: reused ? version.rowCount : rows, labels: { table: labels.table, version: labels.version }, views: viewRefs };
}

let builds = 0;

/** Whether the work table holds exactly the previous version's rows (same columns, same multiset of rows). */
async function sameRows(lake: Lake, work: string, rows: number, prev: TableVersion): Promise<boolean> {
  if (rows !== prev.rowCount) return false;
  const cols = await lake.duck.describe(work);
  if (cols.length !== prev.schema.length || cols.some((c, i) => c.name !== prev.schema[i].name || c.type !== prev.schema[i].type)) return false;
  // Equal counts and nothing of the new rows missing from the old: the same rows.
  const [{ n }] = await lake.duck.rows(`SELECT count(*) AS n FROM (SELECT * FROM ${work} EXCEPT ALL SELECT * FROM ${lake.relation(prev)})`);
  return Number(n) === 0;
}

function checkLabels(schema: ColumnSchema[], spec: TrainingSetConfig, service: ResolvedService, at: (key: string) => string): void {
  const cols = new Map(schema.map((c) => [c.name, c.type]));
  const have = `${spec.labels} has ${schema.map((c) => c.name).join(", ")}`;
  for (const k of service.joinKeys) {
    if (!cols.has(k)) throw new ConfigError(`${at("labels")} labels table ${spec.labels} lacks join key "${k}" of service ${service.service.name}`, { path: at("labels"), hint: have });
  }
  for (const f of service.requestFields) {
    if (!cols.has(f.name)) throw new ConfigError(`${at("labels")} labels table ${spec.labels} lacks request field "${f.name}" of service ${service.service.name}`, { path: at("labels"), hint: have });
  }
  const ts = cols.get(spec.timestamp);
  if (ts === undefined) throw new ConfigError(`${at("timestamp")} "${spec.timestamp}" is not a column of ${spec.labels}`, { path: at("timestamp"), hint: have });
  if (!isTimeType(ts)) throw new ConfigError(`${at("timestamp")} "${spec.timestamp}" of ${spec.labels} is ${ts}, not a TIMESTAMP or DATE`, { path: at("timestamp") });
  if (!cols.has(spec.label)) throw new ConfigError(`${at("label")} "${spec.label}" is not a column of ${spec.labels}`, { path: at("label"), hint: have });
  for (const f of service.featureNames) {
    if (cols.has(f)) throw new ConfigError(`${at("labels")} labels table ${spec.labels} has a column "${f}", which is also a feature of service ${service.service.name}`, { path: at("labels"), hint: "rename or drop the column in the labels table" });
  }
}
