// Runs one SQL model by its config: a full table, a view (SQL stored, inputs pinned), an incremental model
// (is_incremental() rows merged on unique_key or appended), or an SCD type 1 / type 2 dimension.
import { ConfigError } from "../errors.js";
import type { TableRef, TableVersion } from "../records.js";
import { sha256Text } from "./hash.js";
import type { Lake, RowRule } from "./lake.js";
import { stripTrailingSemicolons } from "./materialize.js";
import { explainModelFailure } from "./model-sql-errors.js";
import { renderSqlModel, type SqlModel } from "./sql-models.js";
import { ident } from "./sql.js";

export interface RunModelOptions {
  /** The relation of the pinned version of each table the model refs (e.g. lake.relation(parentVersion)). */
  resolve: (tableName: string) => string;
  parents: TableRef[];
  /** Rows failing these go to the model's quarantine (table and incremental models). */
  rowRules?: RowRule[];
  /**
   * Columns to store a full build's rows sorted by (table models, an incremental model's first build), e.g. a feature
   * view's keys and time, which its readers sort by. Order only: same rows, so not part of the cache key.
   */
  orderBy?: string[];
}

export interface RunModelResult {
  version: TableVersion;
  reused: boolean;
  materialized: string;
  rowsIn?: number;
  rowsQuarantined?: number;
  inserted?: number;
  updated?: number;
  deleted?: number;
}

/** Builds the model's next version (or reuses the current one); a failure names the model's file and its line. */
export async function runSqlModel(lake: Lake, model: SqlModel, opts: RunModelOptions): Promise<RunModelResult> {
  try {
    return await buildModel(lake, model, opts);
  } catch (e) {
    throw await explainModelFailure(lake.duck, model, opts.resolve, e);
  }
}

async function buildModel(lake: Lake, model: SqlModel, opts: RunModelOptions): Promise<RunModelResult> {
  const config = model.config ?? { materialized: "table" as const };
  const full = renderSqlModel(model, opts.resolve, { isIncremental: false });
  // The rendered SQL names the exact parent files, so the key changes exactly when inputs, logic or config change.
  // Their paths are hashed relative to the lake, so a moved or copied project reuses its versions.
  const keyOf = (sql: string) => sha256Text(JSON.stringify(config), sql, JSON.stringify(opts.rowRules ?? []));
  const cacheKey = keyOf(lake.portableSql(full));
  const current = await lake.current(model.name);
  const cur = current ? lake.manifest(current) : null;
  const materialized = config.materialized;
  // Versions written before keys were relative hold the absolute spelling: still a match in the same folder.
  if (cur && (cur.cacheKey === cacheKey || cur.cacheKey === keyOf(full))) return { version: cur, reused: true, materialized };
  const base = { parents: opts.parents, cacheKey };
  switch (materialized) {
    case "table": {
      const r = await lake.materialize(model.name, await sortedSql(lake, full, opts.orderBy), { ...base, rowRules: opts.rowRules });
      return { ...r, version: r.version, materialized };
    }
    case "view": {
      const sql = stripTrailingSemicolons(full);
      const { manifest } = await lake.writeVersion(model.name, async () => {
        const schema = await lake.duck.describe(`SELECT * FROM (\n${sql}\n)`).catch((e) => {
          throw new ConfigError(`${model.path}: ${(e as Error).message.split("\n")[0]}`, { path: model.path });
        });
        const [{ n }] = await lake.duck.rows(`SELECT count(*) AS n FROM (\n${sql}\n)`);
        // Stored with the lake folder as a token: relation() resolves it wherever the project now lives.
        return { files: [], fileRows: [], operation: "view", parents: opts.parents, cacheKey, schema, rowCount: Number(n), info: { sql: lake.portableSql(sql) } };
      });
      return { version: manifest!, reused: false, materialized };
    }
    case "incremental": {
      if (!cur || cur.operation === "view") {
        const r = await lake.materialize(model.name, await sortedSql(lake, full, opts.orderBy), { ...base, rowRules: opts.rowRules });
        return { ...r, materialized };
      }
      const sql = renderSqlModel(model, opts.resolve, { isIncremental: true, self: lake.relation(cur) });
      if (config.unique_key) {
        const m = await lake.merge(model.name, sql, { key: config.unique_key, ...base });
        return { version: m.version, reused: false, materialized, inserted: m.inserted, updated: m.updated, deleted: m.deleted };
      }
      const { manifest } = await lake.writeVersion(model.name, async (ctx) => {
        const out = ctx.newFile();
        const rows = await lake.duck.run(`COPY (\n${stripTrailingSemicolons(sql)}\n) TO '${out.abs.replaceAll("'", "''")}' (FORMAT parquet)`);
        const prev = ctx.prev!;
        if (!rows) return { files: prev.files, fileRows: prev.fileRows, operation: "append", parents: opts.parents, cacheKey };
        return { files: [...prev.files, out.rel], fileRows: [...prev.fileRows, rows], operation: "append", parents: [{ table: model.name, version: prev.version }, ...opts.parents], cacheKey };
      });
      return { version: manifest!, reused: false, materialized, inserted: manifest!.rowCount - cur.rowCount };
    }
    case "scd1":
    case "scd2": {
      const scdOpts = { key: config.unique_key!, tracked: config.tracked, parents: opts.parents, cacheKey };
      const r = materialized === "scd1"
        ? await lake.scd1(model.name, full, scdOpts)
        : await lake.scd2(model.name, full, {
            ...scdOpts, strategy: config.strategy ?? "check", updatedAt: config.updated_at, invalidateHardDeletes: config.invalidate_hard_deletes,
          });
      if (!r.version) throw new ConfigError(`${model.path}: the dimension's source returned no rows`, { path: model.path });
      return { version: r.version, reused: !r.changed, materialized, inserted: r.inserted, updated: r.updated };
    }
  }
}

/** The model's SQL with its rows sorted by `orderBy`, when it has all those columns (else, or if it fails to bind, as is). */
async function sortedSql(lake: Lake, full: string, orderBy: string[] | undefined): Promise<string> {
  if (!orderBy?.length) return full;
  const sql = `SELECT * FROM (\n${stripTrailingSemicolons(full)}\n)`;
  const cols = new Set((await lake.duck.describe(sql).catch(() => [])).map((c) => c.name));
  return orderBy.every((c) => cols.has(c)) ? `${sql} ORDER BY ${orderBy.map(ident).join(", ")}` : full;
}
