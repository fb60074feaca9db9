// Column profiles of a table version (type, nulls, distinct, min/max/mean/quantiles, top values, histogram),
// computed once and stored beside the version — the reference that drift monitoring compares against.
import fs from "node:fs";
import path from "node:path";
import type { TableRef } from "../records.js";
import type { Lake } from "./lake.js";
import { ident, isNumericType } from "./sql.js";
import { tableDir, writeFileAtomic } from "./table-log.js";

export interface ColumnProfile {
  name: string;
  type: string;
  count: number;
  nulls: number;
  nullPct: number;
  /** Approximate (HyperLogLog). */
  distinct: number;
  min?: number | string | null;
  max?: number | string | null;
  mean?: number | null;
  std?: number | null;
  /** p5, p25, p50, p75, p95 (approximate). */
  quantiles?: Record<string, number | null>;
  /** Ten equal-width bins between min and max. */
  histogram?: { edges: number[]; counts: number[] };
  /** The ten most frequent values (text columns). */
  top?: { value: string | null; count: number }[];
}

export interface TableProfile {
  table: string;
  version: number;
  rowCount: number;
  columns: ColumnProfile[];
  computedAt: string;
}

const QS = [0.05, 0.25, 0.5, 0.75, 0.95];
const BINS = 10;

const EXACT_DISTINCT_ROWS = 2_000_000;

const profilePath = (lake: Lake, ref: TableRef) => path.join(tableDir(lake.root, ref.table), "_profiles", `${ref.version}.json`);

/** Columns per aggregate query: one scan profiles many columns (a 2,000-column table took 2-3 queries per column). */
const BATCH = 64;

/** count, distinct, min/max (and mean, std, quantiles for numbers) of many columns in one scan. */
async function aggregates(lake: Lake, rel: string, cols: { name: string; type: string }[], rowCount: number): Promise<ColumnProfile[]> {
  const exprs = cols.flatMap(({ name, type }, i) => {
    const c = ident(name);
    // DuckDB's HyperLogLog is far off on short similar strings (4,883 for 7,043 distinct ids): exact up to 2M rows.
    const base = [`count(${c}) AS n${i}`, `${rowCount <= EXACT_DISTINCT_ROWS ? `count(DISTINCT ${c})` : `approx_count_distinct(${c})`} AS d${i}`];
    return isNumericType(type)
      ? [...base, `min(${c})::DOUBLE AS lo${i}`, `max(${c})::DOUBLE AS hi${i}`, `avg(${c})::DOUBLE AS mean${i}`, `stddev_samp(${c})::DOUBLE AS std${i}`, `approx_quantile(${c}::DOUBLE, [${QS.join(", ")}]) AS q${i}`]
      : [...base, `CAST(min(${c}) AS VARCHAR) AS lo${i}`, `CAST(max(${c}) AS VARCHAR) AS hi${i}`];
  });
  const [r] = await lake.duck.rows(`SELECT ${exprs.join(", ")} FROM ${rel}`);
  return cols.map(({ name, type }, i) => {
    const count = Number(r[`n${i}`]);
    const p: ColumnProfile = {
      name, type, count, nulls: rowCount - count, nullPct: rowCount ? (rowCount - count) / rowCount : 0, distinct: Number(r[`d${i}`]),
      min: r[`lo${i}`] as number | string | null, max: r[`hi${i}`] as number | string | null,
    };
    if (isNumericType(type)) {
      p.mean = r[`mean${i}`] as number | null;
      p.std = r[`std${i}`] as number | null;
      const q = (r[`q${i}`] as (number | null)[] | null) ?? [];
      p.quantiles = Object.fromEntries(QS.map((x, k) => [`p${Math.round(x * 100)}`, q[k] ?? null]));
    }
    return p;
  });
}

/** Ten equal-width bins between each numeric column's min and max, for many columns in one scan (UNPIVOT). */
async function histograms(lake: Lake, rel: string, profiles: ColumnProfile[]): Promise<void> {
  const withRange = profiles.filter((p) => p.count > 0 && Number.isFinite(Number(p.min)) && Number.isFinite(Number(p.max)));
  if (!withRange.length) return;
  const bins = withRange.map((p, i) => {
    const lo = Number(p.min);
    const width = Number(p.max) > lo ? (Number(p.max) - lo) / BINS : 1;
    p.histogram = { edges: Array.from({ length: BINS + 1 }, (_, k) => lo + k * width), counts: new Array<number>(BINS).fill(0) };
    // least() skips NULLs (least(NULL, 9) = 9): a NULL stays NULL so that UNPIVOT leaves it out.
    const c = ident(p.name);
    return `CASE WHEN ${c} IS NULL THEN NULL ELSE least(CAST(floor((${c}::DOUBLE - ${lo}) / ${width}) AS INTEGER), ${BINS - 1}) END AS "b${i}"`;
  });
  const rows = await lake.duck.rows(`SELECT col, b, count(*) AS n FROM (UNPIVOT (SELECT ${bins.join(", ")} FROM ${rel}) ON COLUMNS(*) INTO NAME col VALUE b) GROUP BY ALL`);
  for (const row of rows) withRange[Number(String(row.col).slice(1))].histogram!.counts[Number(row.b)] += Number(row.n);
}

/** The ten most frequent values (NULL included) of many text columns in one scan. */
async function topValues(lake: Lake, rel: string, profiles: ColumnProfile[]): Promise<void> {
  if (!profiles.length) return;
  const cast = profiles.map((p, i) => `CAST(${ident(p.name)} AS VARCHAR) AS "t${i}"`);
  const rows = await lake.duck.rows(
    `SELECT col, v, n FROM (SELECT col, v, count(*) AS n FROM (SELECT ${cast.join(", ")} FROM ${rel}) UNPIVOT INCLUDE NULLS (v FOR col IN (${profiles.map((_, i) => `"t${i}"`).join(", ")})) GROUP BY ALL)
     QUALIFY row_number() OVER (PARTITION BY col ORDER BY n DESC, v ASC NULLS LAST) <= 10 ORDER BY col, n DESC, v ASC NULLS LAST`,
  );
  for (const p of profiles) p.top = [];
  for (const row of rows) profiles[Number(String(row.col).slice(1))].top!.push({ value: row.v === null ? null : String(row.v), count: Number(row.n) });
}

/** Profiles of plain (non-nested) columns, BATCH columns per scan. */
async function profileColumns(lake: Lake, rel: string, cols: { name: string; type: string }[], rowCount: number): Promise<ColumnProfile[]> {
  const out: ColumnProfile[] = [];
  for (let i = 0; i < cols.length; i += BATCH) {
    const batch = await aggregates(lake, rel, cols.slice(i, i + BATCH), rowCount);
    await histograms(lake, rel, batch.filter((p) => isNumericType(p.type)));
    await topValues(lake, rel, batch.filter((p) => !isNumericType(p.type)));
    out.push(...batch);
  }
  return out;
}

/** The profile of a version: read from beside the version if computed before, else computed and stored. */
export async function profileVersion(lake: Lake, ref: TableRef): Promise<TableProfile> {
  const m = lake.manifest(ref);
  const file = profilePath(lake, ref);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as TableProfile;
  const rel = lake.relation(ref);
  const nested = (type: string) => /^(STRUCT|MAP|LIST|UNION)|\[\]$/.test(type);
  const plain = await profileColumns(lake, rel, m.schema.filter((c) => !nested(c.type)), m.rowCount);
  const byName = new Map(plain.map((p) => [p.name, p]));
  const columns: ColumnProfile[] = m.schema.map(
    (col) => byName.get(col.name) ?? { name: col.name, type: col.type, count: m.rowCount, nulls: 0, nullPct: 0, distinct: 0 },
  );
  const profile: TableProfile = { table: ref.table, version: ref.version, rowCount: m.rowCount, columns, computedAt: new Date().toISOString() };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify(profile));
  return profile;
}
