// SQL over the lake for people and scripts: table names resolve to their current version through views, and
// `t VERSION AS OF n`, `t TIMESTAMP AS OF '...'` (Delta's time-travel syntax) or `t@n` pin a version.
import { listTables } from "./table-log.js";
import { ident } from "./sql.js";


/** What rewriting SQL reads of the lake (the kernel passes itself; named here so this file imports nothing back). */
export interface SqlLake {
  readonly root: string;
  readonly duck: { run(sql: string): Promise<unknown> };
  current(table: string): Promise<{ table: string; version: number } | null>;
  relation(ref: { table: string; version: number }): string;
  asOf(table: string, at: { version?: number; timestamp?: string }): Promise<{ table: string; version: number }>;
}
const TRAVEL = /\b([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)(?:\s+VERSION\s+AS\s+OF\s+(\d+)|\s+TIMESTAMP\s+AS\s+OF\s+'([^']*)'|@(\d+)\b)/gi;

/** Which views the engine holds, per lake engine: table → version the view reads. */
const viewState = new WeakMap<SqlLake, Map<string, number>>();

async function refreshViews(lake: SqlLake): Promise<void> {
  let state = viewState.get(lake);
  if (!state) viewState.set(lake, (state = new Map()));
  for (const table of listTables(lake.root)) {
    const cur = await lake.current(table);
    if (!cur || state.get(table) === cur.version) continue;
    const [layer, name] = table.split(".");
    await lake.duck.run(
      `CREATE SCHEMA IF NOT EXISTS ${ident(layer)}; CREATE OR REPLACE VIEW ${ident(layer)}.${ident(name)} AS SELECT * FROM ${lake.relation(cur)}`,
    );
    state.set(table, cur.version);
  }
}

/** Rewrites pinned references to read_parquet(...) of that version, and makes bare names resolve. */
export async function rewriteLakeSql(lake: SqlLake, sql: string): Promise<string> {
  const pins: { at: number; len: number; text: string }[] = [];
  for (const m of sql.matchAll(TRAVEL)) {
    const table = m[1];
    const version = m[2] ?? m[4];
    const ref = version !== undefined ? await lake.asOf(table, { version: Number(version) }) : await lake.asOf(table, { timestamp: m[3] });
    pins.push({ at: m.index!, len: m[0].length, text: lake.relation(ref) });
  }
  let out = sql;
  for (const p of pins.reverse()) out = out.slice(0, p.at) + p.text + out.slice(p.at + p.len);
  await refreshViews(lake);
  return out;
}
