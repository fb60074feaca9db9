// The point-in-time join as one SQL statement (DuckDB ASOF JOIN per view, TTL as a CASE), what training sets run:
// each labels row gets, per view, the latest feature row of its entity at or before the label's time, within the TTL.
// Measured against alternatives on 1M labels x 10M feature rows (bench/features.mjs, bench/RESULTS.md): a typed merge in
// JS (deleted: moving columns across node-api cost more than the whole ASOF JOIN) and one window sort over labels and
// all views' rows (last_value IGNORE NULLS of a struct per view: same rows, ~3x the CPU) were both slower.
// The pipeline stores each view's source sorted by (join keys, event time) (sourceOrderOf in definitions.ts), so the
// ASOF JOIN's sorts run over presorted rows: ~20% less CPU for the join, same rows.
// Also measured and slower by CPU at 1M labels (bench/RESULTS.md, helper F2): each view ASOF-joined to the labels' (row
// id, key, time) alone and combined by row id; an interval equi-join on (key, TTL-wide time bucket) over a stored
// next-row time (faster at 100k labels, +17% at 1M: the hash builds outgrow the sorts). The ASOF operators are ~92% of
// the statement's CPU, first-touch page faults ~18% of it.
import { ident } from "../lake/sql.js";
import type { ResolvedService } from "./definitions.js";
import { expressionSql } from "./expression.js";

/** What the SQL joins: relations (table expressions) for the labels and each view of the service. */
export interface PointInTimeInputs {
  service: ResolvedService;
  labels: string;
  /** The labels' event-time column. */
  timestamp: string;
  /** One relation per service view, in `service.views` order. */
  views: string[];
}

/**
 * The SELECT of a point-in-time join. The view's rows are cut to its keys, timestamp and the service's features first
 * (ties on key and time broken by created_timestamp, latest written wins); a match older than the TTL gives nulls.
 */
export function pointInTimeSql(p: PointInTimeInputs): string {
  const q = ident;
  // Times compared as plain TIMESTAMPs (UTC): a view over a bronze table may hold TIMESTAMP WITH TIME ZONE.
  const ctes: string[] = [`__labels AS (SELECT *, CAST(${q(p.timestamp)} AS TIMESTAMP) AS __label_ts FROM ${p.labels})`];
  const joins: string[] = [];
  const cols: string[] = ["l.* EXCLUDE (__label_ts)"];
  p.service.views.forEach((sv, i) => {
    const v = sv.view;
    const alias = `v${i}`;
    const keep = [...sv.joinKeys.map(q), `CAST(${q(v.timestamp)} AS TIMESTAMP) AS __ts`, ...sv.features.map((f) => q(f.name))];
    const dedupe = v.created_timestamp
      ? ` QUALIFY row_number() OVER (PARTITION BY ${[...sv.joinKeys, v.timestamp].map(q).join(", ")} ORDER BY ${q(v.created_timestamp)} DESC NULLS LAST) = 1`
      : "";
    ctes.push(`${alias} AS (SELECT ${keep.join(", ")} FROM ${p.views[i]} WHERE ${q(v.timestamp)} IS NOT NULL${dedupe})`);
    const on = [...sv.joinKeys.map((k) => `l.${q(k)} = ${alias}.${q(k)}`), `l.__label_ts >= ${alias}.__ts`];
    joins.push(`ASOF LEFT JOIN ${alias} ON ${on.join(" AND ")}`);
    const fresh = `${alias}.__ts >= l.__label_ts - to_milliseconds(${Math.round(v.ttl)})`;
    for (const f of sv.features) cols.push(`CASE WHEN ${fresh} THEN ${alias}.${q(f.name)} END AS ${q(f.name)}`);
  });
  const joined = `SELECT ${cols.join(", ")} FROM __labels l ${joins.join(" ")}`;
  if (!p.service.onDemand.length) return `WITH ${ctes.join(",\n")}\n${joined}`;
  const extra = p.service.onDemand.map((o) => `${expressionSql(o.expr, (n) => `j.${q(n)}`)} AS ${q(o.name)}`);
  return `WITH ${ctes.join(",\n")},\n__joined AS (${joined})\nSELECT j.*, ${extra.join(", ")} FROM __joined j`;
}
