// Per-column and dataset drift between a reference Frame and a current Frame, choosing tests as Evidently does by default.
import { ValidationError } from "../errors.js";
import type { Column, Frame } from "../records.js";
import { codesOf, countCodes } from "./coded.js";
import { distributionOf, walkUnion, type Distribution } from "./distribution.js";
import {
  alignedValueCounts,
  chiSquareTest,
  jensenShannonDistance,
  ksTestOf,
  normalizedWassersteinOf,
  proportionZTest,
  psiBand,
  psiFromCounts,
  psiNumericOf,
  type PsiBand,
} from "./drift-stats.js";

export type DriftMethod = "ks" | "chisquare" | "z" | "wasserstein" | "jensenshannon" | "psi";

/**
 * Every drift method, one value each (Evidently's StatTest registry): whether its score is a p-value (drift when
 * p < threshold) or a distance (drift when score ≥ threshold), and its default threshold. The CLI, the text report
 * and the dashboard read `scoreIs` from each column of a report instead of keeping their own lists.
 */
export const DRIFT_METHODS: Readonly<Record<DriftMethod, { scoreIs: "p_value" | "distance"; defaultThreshold: number }>> = {
  ks: { scoreIs: "p_value", defaultThreshold: 0.05 },
  chisquare: { scoreIs: "p_value", defaultThreshold: 0.05 },
  z: { scoreIs: "p_value", defaultThreshold: 0.05 },
  wasserstein: { scoreIs: "distance", defaultThreshold: 0.1 },
  jensenshannon: { scoreIs: "distance", defaultThreshold: 0.1 },
  psi: { scoreIs: "distance", defaultThreshold: 0.1 },
};

export const DEFAULT_THRESHOLDS = Object.fromEntries(Object.entries(DRIFT_METHODS).map(([m, d]) => [m, d.defaultThreshold])) as Record<DriftMethod, number>;

/** "p < 0.05" or "≥ 0.1": when a column of this method counts as drifted. */
export function driftRule(c: Pick<ColumnDrift, "scoreIs" | "threshold">): string {
  return c.scoreIs === "p_value" ? `p < ${c.threshold}` : `≥ ${c.threshold}`;
}

export interface DriftOptions {
  /** Columns to compare; default: every column of the reference. */
  columns?: string[];
  /** Force a method for all columns or per column (otherwise chosen as Evidently's defaults). */
  method?: DriftMethod | Record<string, DriftMethod>;
  /** Override the threshold of a method. */
  thresholds?: Partial<Record<DriftMethod, number>>;
  /** Reference size up to which p-value tests are used (Evidently: 1000). */
  smallReference?: number;
  /** Share of drifted columns at which the dataset counts as drifted (Evidently: 0.5). */
  datasetShare?: number;
  psiBins?: number;
  psiBands?: [number, number];
}

export interface ColumnDrift {
  column: string;
  kind: "numeric" | "categorical";
  method: DriftMethod;
  /** The test statistic, or the distance for distance methods. null when a side has no values. */
  statistic: number | null;
  pValue: number | null;
  threshold: number;
  /** What `drifted` compares: the p-value for p-value tests, the statistic for distances. */
  score: number | null;
  /** p_value: drift when score < threshold; distance: drift when score ≥ threshold. */
  scoreIs: "p_value" | "distance";
  drifted: boolean;
  psi: number | null;
  psiBand: PsiBand | null;
  referenceRows: number;
  currentRows: number;
  referenceMissing: number;
  currentMissing: number;
  note?: string;
}

export interface DriftReport {
  referenceRows: number;
  currentRows: number;
  columns: ColumnDrift[];
  driftedColumns: number;
  driftShare: number;
  datasetShare: number;
  datasetDrift: boolean;
}

/** A column already reduced to what the tests read — its distribution, or its category counts — and its row count. */
export type ColumnSummary =
  | { name: string; kind: "numeric"; rows: number; distribution: Distribution }
  | { name: string; kind: "categorical"; rows: number; categories: Map<string, number> };

/** Current data given as column summaries (log-counts.ts reads them straight from the log's parts, no rows in memory). */
export interface SummaryFrame {
  rowCount: number;
  summaries: ColumnSummary[];
}

const isSummary = (c: Column | ColumnSummary): c is ColumnSummary => "distribution" in c || "categories" in c;

/** How often each category occurs, in order of first appearance (missing = null left out). */
export function categoryCounts(values: ReadonlyArray<string | null>): Map<string, number> {
  const out = new Map<string, number>();
  const coded = codesOf(values);
  if (coded && !(coded.dict instanceof Float64Array) && coded.codes.length === values.length) {
    // Read from dictionary-encoded parts: one count per distinct value instead of a hash lookup per row.
    const { counts } = countCodes(coded);
    for (let d = 0; d < counts.length; d++) if (counts[d] > 0) out.set(coded.dict[d], (out.get(coded.dict[d]) ?? 0) + counts[d]);
    return out;
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) out.set(v, (out.get(v) ?? 0) + 1);
  }
  return out;
}

/** Two sides' category counts over the union of categories: the reference's order, then categories new in the current data. */
function alignMaps(ref: Map<string, number>, cur: Map<string, number>): { keys: string[]; ref: Float64Array; cur: Float64Array } {
  const keys = [...ref.keys()];
  for (const k of cur.keys()) if (!ref.has(k)) keys.push(k);
  return { keys, ref: Float64Array.from(keys, (k) => ref.get(k) ?? 0), cur: Float64Array.from(keys, (k) => cur.get(k) ?? 0) };
}

/** Category counts of both sides aligned over the union of categories (missing = null left out). */
export function alignedCounts(ref: ReadonlyArray<string | null>, cur: ReadonlyArray<string | null>): { keys: string[]; ref: Float64Array; cur: Float64Array } {
  return alignMaps(categoryCounts(ref), categoryCounts(cur));
}

function defaultMethod(kind: "numeric" | "categorical", refRows: number, distinct: number, small: number): DriftMethod {
  if (refRows <= small) {
    if (kind === "numeric" && distinct > 5) return "ks";
    return distinct > 2 ? "chisquare" : "z";
  }
  if (kind === "numeric" && distinct > 5) return "wasserstein";
  return "jensenshannon";
}

function categoricalScore(method: DriftMethod, keys: number, ref: Float64Array, cur: Float64Array): { statistic: number; pValue: number | null } {
  switch (method) {
    case "chisquare": {
      const r = chiSquareTest(ref, cur);
      return { statistic: r.statistic, pValue: r.pValue };
    }
    case "z": {
      let nr = 0;
      let nc = 0;
      for (let k = 0; k < keys; k++) (nr += ref[k], nc += cur[k]);
      // Identical single value on both sides: nothing to compare (Evidently answers p = 1).
      const r = keys < 2 ? { statistic: 0, pValue: 1 } : proportionZTest(ref[0], nr, cur[0], nc);
      return { statistic: r.statistic, pValue: r.pValue };
    }
    case "psi":
      return { statistic: psiFromCounts(ref, cur), pValue: null };
    default:
      return { statistic: jensenShannonDistance(ref, cur), pValue: null };
  }
}

const finiteOrNull = (x: number | null): number | null => (x === null || Number.isNaN(x) ? null : x);

function compareColumn(ref: Column, cur: Column | ColumnSummary, opts: DriftOptions): ColumnDrift {
  const curRows = isSummary(cur) ? cur.rows : cur.values.length;
  const forced = typeof opts.method === "string" ? opts.method : opts.method?.[ref.name];
  const small = opts.smallReference ?? 1000;
  let method: DriftMethod;
  let statistic: number;
  let pValue: number | null = null;
  let psi: number;
  let rn: number;
  let cn: number;
  if (ref.kind === "numeric" && cur.kind === "numeric") {
    const rs = distributionOf(ref.values);
    const cs = isSummary(cur) ? (cur as ColumnSummary & { kind: "numeric" }).distribution : distributionOf(cur.values as Float64Array);
    rn = rs.n;
    cn = cs.n;
    // Evidently counts distinct values over both samples together.
    let distinct = 0;
    walkUnion(rs, cs, () => void distinct++);
    method = forced ?? defaultMethod("numeric", rn, distinct, small);
    psi = psiNumericOf(rs, cs, opts.psiBins ?? 10);
    if (method === "ks") ({ statistic, pValue } = ksTestOf(rs, cs));
    else if (method === "wasserstein") statistic = normalizedWassersteinOf(rs, cs);
    else if (method === "psi") statistic = psi;
    else {
      const counts = alignedValueCounts(rs, cs);
      ({ statistic, pValue } = categoricalScore(method, counts.ref.length, counts.ref, counts.cur));
    }
  } else if (ref.kind === "categorical" && cur.kind === "categorical") {
    const c = alignMaps(categoryCounts(ref.values), isSummary(cur) ? (cur as ColumnSummary & { kind: "categorical" }).categories : categoryCounts(cur.values as (string | null)[]));
    rn = c.ref.reduce((s, x) => s + x, 0);
    cn = c.cur.reduce((s, x) => s + x, 0);
    method = forced ?? defaultMethod("categorical", rn, c.keys.length, small);
    if (method === "ks" || method === "wasserstein") {
      throw new ValidationError(`column ${ref.name} is categorical; ${method} needs numbers`, { path: ref.name, hint: "use chisquare, z, jensenshannon or psi" });
    }
    psi = psiFromCounts(c.ref, c.cur);
    ({ statistic, pValue } = categoricalScore(method, c.keys.length, c.ref, c.cur));
  } else {
    throw new ValidationError(`column ${ref.name} is ${ref.kind} in the reference but ${cur.kind} in the current data`, {
      path: ref.name,
      hint: "compare data logged with the same model signature as the reference",
    });
  }
  const threshold = opts.thresholds?.[method] ?? DEFAULT_THRESHOLDS[method];
  const scoreIs = DRIFT_METHODS[method].scoreIs;
  const isP = scoreIs === "p_value";
  const score = isP ? pValue : statistic;
  const empty = rn === 0 || cn === 0;
  const drifted = !empty && score !== null && !Number.isNaN(score) && (isP ? score < threshold : score >= threshold);
  const psiOk = !empty && !Number.isNaN(psi);
  return {
    column: ref.name,
    kind: ref.kind,
    method,
    statistic: empty ? null : finiteOrNull(statistic),
    pValue: empty ? null : finiteOrNull(pValue),
    threshold,
    score: empty ? null : finiteOrNull(score),
    scoreIs,
    drifted,
    psi: psiOk ? psi : null,
    psiBand: psiOk ? psiBand(psi, opts.psiBands) : null,
    referenceRows: ref.values.length,
    currentRows: curRows,
    referenceMissing: ref.values.length - rn,
    currentMissing: curRows - cn,
    ...(empty ? { note: `no non-missing values in the ${rn === 0 ? "reference" : "current data"}` } : {}),
  };
}

/** Compares every requested column; a column missing from the current data is an error naming it. */
export function driftReport(reference: Frame, current: Frame | SummaryFrame, opts: DriftOptions = {}): DriftReport {
  const byName = new Map<string, Column | ColumnSummary>(("summaries" in current ? current.summaries : current.columns).map((c) => [c.name, c]));
  const refByName = new Map(reference.columns.map((c) => [c.name, c]));
  const names = opts.columns ?? reference.columns.map((c) => c.name);
  const columns: ColumnDrift[] = [];
  for (const name of names) {
    const ref = refByName.get(name);
    const cur = byName.get(name);
    if (!ref) throw new ValidationError(`column ${name} is not in the reference data`, { path: name, hint: `reference columns: ${[...refByName.keys()].join(", ")}` });
    if (!cur) throw new ValidationError(`column ${name} is not in the current data`, { path: name, hint: `current columns: ${[...byName.keys()].join(", ")}` });
    columns.push(compareColumn(ref, cur, opts));
  }
  const driftedColumns = columns.filter((c) => c.drifted).length;
  const datasetShare = opts.datasetShare ?? 0.5;
  const driftShare = columns.length === 0 ? 0 : driftedColumns / columns.length;
  return {
    referenceRows: reference.rowCount,
    currentRows: current.rowCount,
    columns,
    driftedColumns,
    driftShare,
    datasetShare,
    datasetDrift: columns.length > 0 && driftShare >= datasetShare,
  };
}
