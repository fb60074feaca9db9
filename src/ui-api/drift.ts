// Drift for the dashboard: the logged inputs of a served version against its training rows, per column
// (statistic vs threshold, verdict, PSI band) with both sides' distributions for the charts.
import type { Hono } from "hono";
import { driftOfVersion, referencesOf, resolveVersion } from "../app/drift.js";
import type { Column } from "../records.js";
import type { UiData } from "./data.js";
import { handle, intParam, optionalInt } from "./http.js";
import { servingAlias } from "../app/workspace.js";
import type { Distribution, DriftResponse } from "./types.js";

const BINS = 20;
const TOP = 12;
/** The PSI bands drift-report uses (stable < 0.1 ≤ moderate < 0.25 ≤ significant). */
const PSI_BANDS: [number, number] = [0.1, 0.25];

/** Both sides' shares per bin or category (see Distribution). */
export function distribution(ref: Column, cur: Column): Distribution | null {
  if (ref.kind === "numeric" && cur.kind === "numeric") {
    const few = fewValues([ref.values, cur.values]);
    if (few) return valueShares(few, ref.values, cur.values);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of [ref.values, cur.values]) for (const x of v) if (!Number.isNaN(x)) (lo = Math.min(lo, x)), (hi = Math.max(hi, x));
    if (!Number.isFinite(lo)) return null;
    const width = hi > lo ? (hi - lo) / BINS : 1;
    const shares = (values: Float64Array) => {
      const counts = new Array<number>(BINS).fill(0);
      let n = 0;
      for (const x of values) {
        if (Number.isNaN(x)) continue;
        counts[Math.min(BINS - 1, Math.floor((x - lo) / width))]++;
        n++;
      }
      return counts.map((k) => (n ? k / n : 0));
    };
    return { kind: "numeric", edges: Array.from({ length: BINS + 1 }, (_, i) => lo + i * width), reference: shares(ref.values), current: shares(cur.values) };
  }
  if (ref.kind === "categorical" && cur.kind === "categorical") {
    const count = (values: (string | null)[]) => {
      const m = new Map<string, number>();
      for (const v of values) if (v !== null) m.set(v, (m.get(v) ?? 0) + 1);
      return m;
    };
    const [a, b] = [count(ref.values), count(cur.values)];
    const [na, nb] = [[...a.values()].reduce((s, x) => s + x, 0), [...b.values()].reduce((s, x) => s + x, 0)];
    const keys = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => (a.get(y) ?? 0) + (b.get(y) ?? 0) - (a.get(x) ?? 0) - (b.get(x) ?? 0));
    const shown = keys.slice(0, TOP);
    const share = (m: Map<string, number>, n: number, k: string) => (n ? (m.get(k) ?? 0) / n : 0);
    const categories = keys.length > TOP ? [...shown, "(other)"] : shown;
    const other = (m: Map<string, number>, n: number) => (n ? 1 - shown.reduce((s, k) => s + share(m, n, k), 0) : 0);
    return {
      kind: "categorical",
      categories,
      reference: [...shown.map((k) => share(a, na, k)), ...(keys.length > TOP ? [other(a, na)] : [])],
      current: [...shown.map((k) => share(b, nb, k)), ...(keys.length > TOP ? [other(b, nb)] : [])],
    };
  }
  return null;
}

/** The distinct values of numeric columns when there are at most TOP of them (flags, counts), else null. */
function fewValues(columns: Float64Array[]): number[] | null {
  const seen = new Set<number>();
  for (const values of columns) {
    for (const x of values) {
      if (Number.isNaN(x)) continue;
      seen.add(x);
      if (seen.size > TOP) return null;
    }
  }
  return seen.size ? [...seen].sort((a, b) => a - b) : null;
}

/** Shares per distinct value: a 0/1 flag reads as two bars, not two bins at the ends of twenty. */
function valueShares(values: number[], ref: Float64Array, cur: Float64Array): Distribution {
  const index = new Map(values.map((v, i) => [v, i]));
  const shares = (xs: Float64Array) => {
    const counts = new Array<number>(values.length).fill(0);
    let n = 0;
    for (const x of xs) {
      if (Number.isNaN(x)) continue;
      counts[index.get(x)!]++;
      n++;
    }
    return counts.map((k) => (n ? k / n : 0));
  };
  return { kind: "categorical", categories: values.map(String), reference: shares(ref), current: shares(cur) };
}

export function driftRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  const project = data.project;
  api.get(
    "/drift",
    handle(async (c): Promise<DriftResponse> => {
      const cfg = project.config;
      const r = await data.meta();
      const version = optionalInt(c, "version", 1);
      const alias = c.req.query("alias") || servingAlias(data.project);
      const window = intParam(c, "limit", cfg.monitor.window_rows, 1, 10_000_000);
      const mv = await resolveVersion({ project, registry: r.registry }, { ...(version !== undefined ? { version } : {}), alias });
      const { drift, reference, current, dataset } = await driftOfVersion(project, mv, { reference: referencesOf(data), limit: window, extra: { psiBands: PSI_BANDS } });
      const distributions: Record<string, Distribution | null> = {};
      for (const col of dataset.features) {
        const a = reference.columns.find((x) => x.name === col);
        const b = current.columns.find((x) => x.name === col);
        distributions[col] = a && b ? distribution(a, b) : null;
      }
      return {
        model: mv.name,
        version: mv.version,
        alias: version === undefined ? alias : (mv.aliases[0] ?? null),
        datasetId: drift.datasetId,
        window,
        skippedLogLines: drift.skippedLogLines,
        enoughRows: drift.enoughRows,
        minRows: drift.minRows,
        psiBands: PSI_BANDS,
        report: drift.report,
        distributions,
      };
    }, log),
  );
}
