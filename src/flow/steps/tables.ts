// Lake steps of the pipeline: ingest landing files into bronze, materialize SQL models, run quality checks.
import { sha256Text } from "../../lake/hash.js";
import { replacePartition, type PartitionSlice } from "../../lake/partition-replace.js";
import path from "node:path";
import { ConfigError, MillraceError } from "../../errors.js";
import type { IngestResult } from "../../lake/lake.js";
import { profileOf } from "../../lake/commands.js";
import { runSqlModel } from "../../lake/model-runner.js";
import { bindSqlModel } from "../../lake/model-sql-errors.js";
import { sourceOrderOf } from "../../featurestore/definitions.js";
import { renderSqlModel, type SqlModel } from "../../lake/sql-models.js";
import { quarantineRules } from "../../quality/row-rules.js";
import { assertChecksPassed, runChecks, type CheckReport, type QualityRule } from "../../quality/checks.js";
import { ids, type TableRef, type TableVersion } from "../../records.js";
import { checksFingerprint, passedWith, recordPassed } from "./checked-with.js";
import type { FileSourceConfig, PostgresSourceConfig, SourceConfig } from "../../project/config.js";
import { isPostgresSource } from "../../project/source-kinds.js";
import type { CsvOptions } from "../../lake/csv-dialect.js";
import type { RowChanges } from "../../lake/keyed-commit.js";
import { parseDuration } from "../../lake/sources/duration.js";
import { ingestKeyedFiles } from "../../lake/sources/files-keyed.js";
import { listLandingFiles } from "../landing-files.js";
import type { Needs } from "../needs.js";
import type { TableOutput } from "../outputs.js";

export type { TableOutput };
/** The resources the table steps use. */
type LakeNeeds = Needs<"lake" | "meta">;

/** `only` keeps the landing files a partition's run reads (flow/partitions.ts); a pulled source ignores it. */
export async function ingestSource(r: LakeNeeds, source: SourceConfig, note: (s: string) => void, only?: (file: string) => boolean): Promise<TableOutput> {
  const table = `bronze.${source.name}`;
  if (isPostgresSource(source)) return ingestFromPostgres(r, table, source, note);
  const dir = path.resolve(r.project.dir, source.path);
  const files = listLandingFiles(dir, source.pattern).filter((f) => !only || only(f));
  const read = { format: source.format, schemaPolicy: source.schema_policy ?? "add_columns", ...(source.csv ? { csv: csvOptions(source.csv) } : {}) };
  // A keyed source upserts by key (one current row per key); without a key every new file is appended.
  const result: IngestResult & { changes?: RowChanges } = source.key
    ? await ingestKeyedFiles(r.lake, table, files, {
        ...read, key: source.key, ...(source.mode ? { mode: source.mode } : {}), ...(source.deleted_column ? { deleteColumn: source.deleted_column } : {}),
      })
    : await r.lake.ingestFiles(table, files, read);
  const version = result.version ?? (await r.lake.current(table));
  if (!version) {
    throw new ConfigError(`source "${source.name}" has no files yet: nothing matches ${source.pattern} in ${dir}`, {
      hint: `drop a CSV or Parquet file into ${path.relative(process.cwd(), dir) || dir}`,
    });
  }
  if (result.version) {
    await r.meta.addLineage([
      ...result.ingested.map((f) => ({ from: ids.file(path.relative(r.project.dir, f.path), f.hash), to: ids.table(result.version!), kind: "ingested_from" as const })),
      // An appended (or upserted) version holds its parent's rows too: the walk back reaches the files those came from.
      ...result.version.parents.map((p) => ({ from: ids.table(p), to: ids.table(result.version!), kind: "derived_from" as const })),
    ]);
  }
  const bad = result.rowsBad > 0 ? `, ${result.rowsBad} malformed rows quarantined` : "";
  const changes = result.changes ? `, ${describeChanges(result.changes)}` : "";
  note(result.version ? `${result.ingested.length} file(s), ${result.rowsOut} rows → v${version.version}${changes}${bad}` : `no new files (${result.skipped.length} already ingested)`);
  return { table: version, reused: result.version === null, ingest: result };
}

async function ingestFromPostgres(r: LakeNeeds, table: string, source: PostgresSourceConfig, note: (s: string) => void): Promise<TableOutput> {
  const pgc = source.postgres;
  // Durations are checked before connecting, so a typo is named with its place in millrace.yaml.
  const at = `sources.${source.name}.postgres`;
  if (typeof pgc.cursor_lookback === "string") parseDuration(pgc.cursor_lookback, `${at}.cursor_lookback`);
  if (pgc.key_scan_every) parseDuration(pgc.key_scan_every, `${at}.key_scan_every`);
  const { ingestPostgres } = await import("../../lake/sources/postgres.js");
  const result = await ingestPostgres(r.lake, table, {
    connection: expandEnv(pgc.url),
    table: pgc.table,
    cursor: pgc.cursor,
    ...(pgc.key ? { key: pgc.key } : {}),
    ...(pgc.columns ? { columns: pgc.columns } : {}),
    ...(pgc.cursor_lookback !== undefined ? { cursorLookback: pgc.cursor_lookback } : {}),
    ...(pgc.deletes ? { deletes: pgc.deletes } : {}),
    ...(pgc.key_scan_every ? { keyScanEvery: pgc.key_scan_every } : {}),
  });
  const version = result.version ?? (await r.lake.current(table));
  if (!version) {
    throw new ConfigError(`source "${source.name}": ${pgc.table} has no rows yet`, { hint: "insert rows into the PostgreSQL table, then run again" });
  }
  const changes = result.changes ? `, ${describeChanges(result.changes)}` : "";
  note(result.version
    ? `${result.rowsOut} rows from ${pgc.table} (${pgc.cursor} ${result.cursor.from ?? "start"} → ${result.cursor.to}) → v${version.version}${changes}`
    : `no change past ${pgc.cursor} = ${result.cursor.from}${changes}`);
  return { table: version, reused: result.version === null, ingest: result };
}

function describeChanges(c: RowChanges): string {
  return `${c.inserted} inserted, ${c.updated} updated, ${c.deleted} deleted, ${c.unchanged} unchanged`;
}

/** Replaces ${NAME} with the environment's value, so secrets stay out of millrace.yaml. */
export function expandEnv(text: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = process.env[name];
    if (v === undefined) throw new ConfigError(`environment variable ${name} is not set`, { hint: `export ${name}=... before running` });
    return v;
  });
}

function csvOptions(c: NonNullable<FileSourceConfig["csv"]>): CsvOptions {
  return {
    ...(c.delimiter !== undefined ? { delimiter: c.delimiter } : {}),
    ...(c.header !== undefined ? { header: c.header } : {}),
    ...(c.quote !== undefined ? { quote: c.quote } : {}),
    ...(c.escape !== undefined ? { escape: c.escape } : {}),
    ...(c.types ? { types: c.types } : {}),
    ...(c.date_format ? { dateFormat: c.date_format } : {}),
    ...(c.timestamp_format ? { timestampFormat: c.timestamp_format } : {}),
    ...(c.encoding ? { encoding: c.encoding } : {}),
    ...(c.skip_rows !== undefined ? { skipRows: c.skip_rows } : {}),
  };
}

export async function materializeModel(
  r: LakeNeeds,
  model: SqlModel,
  parents: Map<string, TableVersion>,
  note: (s: string) => void,
  partition?: PartitionSlice,
): Promise<TableOutput> {
  const resolve = (name: string) => {
    const parent = parents.get(name);
    if (!parent) throw new ConfigError(`${model.path}: ref('${name}') is not produced by this pipeline`);
    return r.lake.relation(parent);
  };
  const parentRefs = [...parents.values()].map((p) => ({ table: p.table, version: p.version }));
  // The model's output columns before it is built; SQL that does not bind is named at its file's own line.
  const describeModel = async (sql: string) => {
    try {
      return await r.lake.duck.describe(`SELECT * FROM (\n${sql.replace(/;\s*$/, "")}\n)`);
    } catch (e) {
      await bindSqlModel(r.lake.duck, model, resolve);
      throw e;
    }
  };
  const rules = r.project.config.checks[model.name] ?? [];
  let rowRules: Awaited<ReturnType<typeof quarantineRules>> | undefined;
  if (rules.some((rule) => "quarantine" in rule && rule.quarantine)) {
    // Quarantine predicates are compiled against the model's output columns, before it is built.
    const schema = await describeModel(renderSqlModel(model, resolve, { isIncremental: false }));
    rowRules = await quarantineRules(r.lake, model.name, rules, schema, { versionOf: (t) => pinned(parents, t) });
  }
  // A partition's run replaces only the partition's rows of a table model that has the column (one new version).
  if (partition && (model.config?.materialized ?? "table") === "table") {
    const sql = renderSqlModel(model, resolve, { isIncremental: false });
    const columns = (await describeModel(sql)).map((c) => c.name);
    if (columns.includes(partition.column)) {
      if (rowRules) throw new ConfigError(`${model.path}: quarantine rules and partition_by together are not supported yet`, { path: `checks.${model.name}` });
      const p = await replacePartition(r.lake, model.name, sql, partition, { parents: parentRefs, cacheKey: sha256Text("partition", partition.key, r.lake.portableSql(sql)) });
      if (!p.reused) await r.meta.addLineage([...parents.values()].map((x) => ({ from: ids.table(x), to: ids.table(p.version), kind: "derived_from" as const })));
      note(p.reused ? `partition ${partition.key} unchanged, reused v${p.version.version}` : `partition ${partition.key}: ${p.inserted} rows (replaced ${p.replaced}), ${p.keptFiles} file(s) of other partitions kept, v${p.version.version}, ${p.version.rowCount} rows`);
      return { table: p.version, reused: p.reused };
    }
  }
  // A feature view's source is stored sorted by the view's keys and time, the order its point-in-time joins sort by.
  const orderBy = sourceOrderOf(r.project.config, model.name);
  const result = await runSqlModel(r.lake, model, { resolve, parents: parentRefs, ...(rowRules ? { rowRules } : {}), ...(orderBy ? { orderBy } : {}) });
  const { version, reused } = result;
  if (!reused) {
    await r.meta.addLineage([...parents.values()].map((p) => ({ from: ids.table(p), to: ids.table(version), kind: "derived_from" as const })));
  }
  const quarantined = result.rowsQuarantined ? `, ${result.rowsQuarantined} rows quarantined` : "";
  note(reused ? `unchanged, reused v${version.version} (${version.rowCount} rows)` : `${result.materialized} v${version.version}, ${version.rowCount} rows${quarantined}`);
  return { table: version, reused, ...(result.rowsQuarantined ? { rowsQuarantined: result.rowsQuarantined } : {}) };
}

function pinned(parents: Map<string, TableVersion>, table: string): TableRef | undefined {
  const p = parents.get(table);
  return p ? { table: p.table, version: p.version } : undefined;
}

/**
 * Writes a table version through its quality rules (write-audit-publish): the new version is checked before it is
 * committed, so an error-level failure leaves the previous version current and the report names every rule.
 */
export async function auditedWrite(
  r: LakeNeeds,
  table: string,
  rules: QualityRule[] | undefined,
  note: (s: string) => void,
  write: (r: LakeNeeds, note: (s: string) => void) => Promise<TableOutput>,
  versionOf?: (table: string) => TableRef | undefined,
): Promise<TableOutput> {
  if (!rules || rules.length === 0) return write(r, note);
  let report: CheckReport | undefined;
  let written = "";
  const check = async (ref: TableRef) => {
    report = await runChecks(r.lake, ref, rules, versionOf ? { versionOf } : {});
    return report;
  };
  const assertPassed = (rep: CheckReport) => {
    try {
      assertChecksPassed(rep);
    } catch (e) {
      // The whole report travels with the failure, so the run summary shows every rule, not only the failing ones.
      if (e instanceof MillraceError) e.details.report = rep;
      throw e;
    }
  };
  const audit = async (staged: TableVersion) => {
    const rep = await check(staged);
    note(`${written}; checks: ${rep.errors} of ${rep.results.length} rules failed, ${rep.warnings} warnings`);
    assertPassed(rep);
  };
  const fingerprint = checksFingerprint(rules, versionOf);
  const state = r.project.paths.state;
  // The write gets a lake whose writes to `table` are staged, audited, then published or discarded.
  const out = await write({ project: r.project, meta: r.meta, lake: r.lake.auditing(table, audit) }, (s) => note((written = s)));
  const v = out.table;
  if (!report) {
    // Nothing new was written (a reused version, no new files). It passed these very checks before: done. Checks
    // edited since (or never recorded) run on the reused version, and fail the task as they would on new data.
    // A freshness rule's answer changes with the clock, not with the data: it runs on every run.
    const timed = rules.some((x) => x.rule === "freshness");
    const same = passedWith(state, table, v.version, fingerprint);
    if (same && !timed) return out;
    const rep = await check({ table: v.table, version: v.version });
    note(`${written}; ${same ? "freshness checked again" : "checks changed"}, run on v${v.version}: ${rep.errors} of ${rep.results.length} rules failed, ${rep.warnings} warnings`);
    assertPassed(rep);
    recordPassed(state, table, v.version, fingerprint);
    return { ...out, checks: rep };
  }
  recordPassed(state, table, v.version, fingerprint);
  note(`${written}; checks: ${report.results.length} rules, ${report.warnings} warnings`);
  return { ...out, checks: report };
}

/** Stores the profile of a newly written version beside it (`millrace profile` reads it back). */
export async function profileNewVersion(r: LakeNeeds, out: TableOutput): Promise<TableOutput> {
  if (!out.reused && r.project.config.profiles) await profileOf(r.lake, { table: out.table.table, version: out.table.version });
  return out;
}
