// Search spaces: per-parameter distributions (choice, int, float; log scale optional), sampling and grids.

import { ValidationError } from "../../errors.js";
import type { ParamValue } from "../params.js";
import type { Rng } from "../rng.js";

export type Distribution =
  | { type: "choice"; values: ParamValue[] }
  | { type: "int"; low: number; high: number; log?: boolean; step?: number }
  | { type: "float"; low: number; high: number; log?: boolean };

export type SearchSpace = Record<string, Distribution>;

/** Checks a space (from millrace.yaml or code) and names the bad parameter. */
export function validateSpace(space: SearchSpace): void {
  for (const [name, d] of Object.entries(space)) {
    const fail = (msg: string): never => {
      throw new ValidationError(`search space "${name}": ${msg}`, { path: `space.${name}`, hint: 'e.g. { type: "float", low: 0.01, high: 0.3, log: true }' });
    };
    if (d.type === "choice") {
      if (!Array.isArray(d.values) || d.values.length === 0) fail("choice needs a non-empty values list");
      continue;
    }
    if (d.type !== "int" && d.type !== "float") fail(`unknown type ${JSON.stringify((d as { type: unknown }).type)}`);
    if (!(Number.isFinite(d.low) && Number.isFinite(d.high) && d.low <= d.high)) fail("needs finite low <= high");
    if (d.log && d.low <= 0) fail("a log scale needs low > 0");
  }
}

/** Position of a value in the unit interval of its distribution's (log) scale; for choices the index. */
export function toUnit(d: Distribution, v: ParamValue): number {
  if (d.type === "choice") return d.values.indexOf(v);
  const x = v as number;
  if (d.log) return d.high === d.low ? 0 : (Math.log(x) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low));
  return d.high === d.low ? 0 : (x - d.low) / (d.high - d.low);
}

export function fromUnit(d: Distribution, u: number): ParamValue {
  if (d.type === "choice") return d.values[Math.min(d.values.length - 1, Math.max(0, Math.round(u)))];
  const c = Math.min(1, Math.max(0, u));
  let x = d.log ? Math.exp(Math.log(d.low) + c * (Math.log(d.high) - Math.log(d.low))) : d.low + c * (d.high - d.low);
  if (d.type === "int") {
    const step = d.step ?? 1;
    x = d.low + Math.round((x - d.low) / step) * step;
    x = Math.min(d.high, Math.max(d.low, x));
  }
  return x;
}

export function sampleParam(d: Distribution, rng: Rng): ParamValue {
  if (d.type === "choice") return d.values[rng.int(d.values.length)];
  return fromUnit(d, rng.next());
}

export function sampleSpace(space: SearchSpace, rng: Rng): Record<string, ParamValue> {
  return Object.fromEntries(Object.entries(space).map(([k, d]) => [k, sampleParam(d, rng)]));
}

/** Grid points of one distribution: its values, every int step, or `points` evenly spaced floats (log-aware). */
export function gridValues(d: Distribution, points = 5): ParamValue[] {
  if (d.type === "choice") return d.values;
  if (d.type === "int" && !d.log) {
    const step = d.step ?? 1;
    const out: number[] = [];
    for (let x = d.low; x <= d.high; x += step) out.push(x);
    if (out.length <= points * 2) return out;
  }
  const out = new Set<ParamValue>();
  for (let i = 0; i < points; i++) out.add(fromUnit(d, points === 1 ? 0.5 : i / (points - 1)));
  return [...out];
}

/** The Cartesian product of the grids, in a fixed order; refuses more than `max` combinations. */
export function gridSpace(space: SearchSpace, max: number): Record<string, ParamValue>[] {
  let combos: Record<string, ParamValue>[] = [{}];
  for (const [k, d] of Object.entries(space)) {
    const values = gridValues(d);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
    if (combos.length > max) {
      throw new ValidationError(`the grid has more than ${max} combinations`, { path: "space", hint: "use random or tpe search, or fewer values" });
    }
  }
  return combos;
}
