// Materialization: the latest feature row per entity key of each view (event time ≤ now, within the TTL) written to the
// online store. After the first run only what changed between the materialized table version and the current one is
// written (keys whose latest row differs, keys that disappeared), and rows that aged past the TTL are expired.
import { ConfigError, NotFoundError } from "../errors.js";
import type { Lake } from "../lake/lake.js";
import { ident } from "../lake/sql.js";
import { sha256Text } from "../lake/hash.js";
import type { Project } from "../project/load-project.js";
import type { TableVersion } from "../records.js";
import { entityKeyOf, entityOf, featureStoreOf, type FeatureViewConfig } from "./definitions.js";
import type { OnlineRow, OnlineStore, ViewState } from "./online/online-store.js";
import { checkViewColumns } from "./source-check.js";

export interface MaterializedView {
  view: string;
  table: string;
  version: number;
  mode: "full" | "incremental" | "unchanged";
  /** Keys written (new or changed). */
  written: number;
  /** Keys removed because the table no longer holds them (deleted rows, or every row past the TTL). */
  removed: number;
  /** Keys removed by the store because their row aged past the TTL since the last run. */
  expired: number;
  /** Keys held after the run. */
  rows: number;
  newestTs: number | null;
  ms: number;
}

const PAGE = 50_000;

export function viewDefinitionHash(view: FeatureViewConfig, joinKeys: string[]): string {
  return sha256Text("online-view/1", JSON.stringify({ source: view.source, joinKeys, ts: view.timestamp, created: view.created_timestamp ?? null, ttl: view.ttl, features: view.features.map((f) => [f.name, f.type]) }));
}

/** The latest row per key of a table version, as of `now` and within the TTL. */
function latestSql(lake: Lake, v: TableVersion, view: FeatureViewConfig, joinKeys: string[], now: number): string {
  const q = ident;
  const ts = `CAST(${q(view.timestamp)} AS TIMESTAMP)`;
  const order = `${q(view.timestamp)} DESC${view.created_timestamp ? `, ${q(view.created_timestamp)} DESC NULLS LAST` : ""}`;
  return `SELECT ${joinKeys.map(q).join(", ")}, epoch_ms(${ts}) AS __ts, ${view.features.map((f) => q(f.name)).join(", ")}
    FROM ${lake.relation(v)}
    WHERE ${ts} <= make_timestamp(${now * 1000}) AND ${ts} >= make_timestamp(${(now - Math.round(view.ttl)) * 1000})
    QUALIFY row_number() OVER (PARTITION BY ${joinKeys.map(q).join(", ")} ORDER BY ${order}) = 1`;
}

export async function materializeView(
  lake: Lake,
  project: Project,
  store: OnlineStore,
  view: FeatureViewConfig,
  opts: { now?: number; full?: boolean } = {},
): Promise<MaterializedView> {
  const t0 = performance.now();
  const now = opts.now ?? Date.now();
  const fs = featureStoreOf(project.config);
  const joinKeys = entityOf(fs, view).join_keys;
  const cur = await lake.current(view.source);
  if (!cur) throw new ConfigError(`feature view ${view.name}: ${view.source} has no version yet`, { path: view.source, hint: `build it first: millrace run ${project.dir}` });
  checkViewColumns(project, fs, view, cur.schema);
  const definition = viewDefinitionHash(view, joinKeys);
  const prevState = await store.state(view.name);
  const cutoff = now - Math.round(view.ttl);
  const expired = await store.expire(view.name, cutoff);
  let prev: TableVersion | null = null;
  if (!opts.full && prevState && prevState.definition === definition && prevState.table === view.source && prevState.version <= cur.version) {
    prev = await lake.version({ table: view.source, version: prevState.version }).catch(() => null);
  }
  const latestNow = latestSql(lake, cur, view, joinKeys, now);
  const keysOf = (r: Record<string, unknown>) => entityKeyOf(joinKeys.map((k) => r[k]));
  let written = 0;
  let removed = 0;
  let mode: MaterializedView["mode"];
  const tmp = `__fs_${view.name}_${process.pid}`;
  try {
    if (prev && prev.version === cur.version) {
      mode = "unchanged";
    } else if (prev) {
      mode = "incremental";
      const latestPrev = latestSql(lake, prev, view, joinKeys, now);
      await lake.duck.run(`CREATE OR REPLACE TEMP TABLE ${tmp} AS (${latestNow}) EXCEPT (${latestPrev})`);
      written = await writePages(lake, store, view, tmp, keysOf);
      const gone = await lake.duck.rows(`SELECT ${joinKeys.map(ident).join(", ")} FROM (${latestPrev}) EXCEPT SELECT ${joinKeys.map(ident).join(", ")} FROM (${latestNow})`);
      removed = gone.length;
      if (removed) await store.remove(view.name, gone.map(keysOf));
    } else {
      mode = "full";
      await lake.duck.run(`CREATE OR REPLACE TEMP TABLE ${tmp} AS ${latestNow}`);
      const fresh = new Set<string>();
      written = await writePages(lake, store, view, tmp, keysOf, fresh);
      const stale = (await store.keys(view.name)).filter((k) => !fresh.has(k));
      removed = stale.length;
      if (removed) await store.remove(view.name, stale);
    }
  } finally {
    await lake.duck.run(`DROP TABLE IF EXISTS ${tmp}`).catch(() => undefined);
  }
  const [agg] = await lake.duck.rows(`SELECT count(*) AS n, max(__ts) AS newest FROM (${latestNow})`);
  const state: ViewState = {
    view: view.name, table: view.source, version: cur.version, definition, materializedAt: Date.now(),
    rows: Number(agg.n), newestTs: agg.newest === null ? null : Number(agg.newest),
  };
  await store.setState(state);
  return { view: view.name, table: view.source, version: cur.version, mode, written, removed, expired, rows: state.rows, newestTs: state.newestTs, ms: Math.round(performance.now() - t0) };
}

/** Writes the rows of a temp table to the store a page at a time; returns how many. */
async function writePages(
  lake: Lake, store: OnlineStore, view: FeatureViewConfig, tmp: string, keysOf: (r: Record<string, unknown>) => string, seen?: Set<string>,
): Promise<number> {
  let n = 0;
  for (let offset = 0; ; offset += PAGE) {
    const page = await lake.duck.rows(`SELECT * FROM ${tmp} ORDER BY ALL LIMIT ${PAGE} OFFSET ${offset}`);
    if (!page.length) break;
    const rows: OnlineRow[] = page.map((r) => {
      const values: Record<string, unknown> = {};
      for (const f of view.features) values[f.name] = r[f.name] ?? null;
      const key = keysOf(r);
      seen?.add(key);
      return { key, ts: Number(r.__ts), values };
    });
    await store.put(view.name, rows);
    n += rows.length;
    if (page.length < PAGE) break;
  }
  return n;
}

/** Materializes every online view of the project (or one), in declaration order. */
export async function materializeViews(
  lake: Lake,
  project: Project,
  store: OnlineStore,
  opts: { view?: string; now?: number; full?: boolean; onView?: (r: MaterializedView) => void } = {},
): Promise<MaterializedView[]> {
  const fs = featureStoreOf(project.config);
  const views = fs.feature_views.filter((v) => (opts.view ? v.name === opts.view : v.online));
  if (opts.view && !views.length) {
    throw new NotFoundError(`no feature view "${opts.view}"`, { path: "--view", hint: `views: ${fs.feature_views.map((v) => v.name).join(", ")}` });
  }
  const out: MaterializedView[] = [];
  for (const v of views) {
    const r = await materializeView(lake, project, store, v, opts);
    opts.onView?.(r);
    out.push(r);
  }
  return out;
}
