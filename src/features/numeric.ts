// Numeric column transformers: imputation (median / mean / constant) and scaling (standard / min-max / robust).

import { ValidationError } from "../errors.js";

export type ImputeStrategy = "median" | "mean" | "none";
export type ScaleStrategy = "standard" | "minmax" | "robust" | "none";

/** Fitted state of one numeric column: x -> ((isNaN(x) ? fill : x) - center) / scale. */
export interface NumericState {
  name: string;
  /** NaN = keep missing values as NaN. */
  fill: number;
  center: number;
  scale: number;
}

function quantileSorted(s: Float64Array, q: number): number {
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** Throws when a column holds +-Infinity: no learner here gives a sound answer on it. */
export function rejectInfinite(name: string, values: Float64Array, rows?: Uint32Array): void {
  const n = rows ? rows.length : values.length;
  for (let j = 0; j < n; j++) {
    const v = values[rows ? rows[j] : j];
    if (v === Infinity || v === -Infinity) {
      throw new ValidationError(`column "${name}" holds ${v} at row ${rows ? rows[j] : j}`, {
        path: name,
        hint: "replace infinite values with a finite number or leave the cell empty (missing)",
      });
    }
  }
}

/** Fits impute + scale on the given rows of a column (NaN = missing). */
export function fitNumeric(
  name: string,
  values: Float64Array,
  rows: Uint32Array | undefined,
  impute: ImputeStrategy,
  scale: ScaleStrategy,
): NumericState {
  rejectInfinite(name, values, rows);
  // Trees take raw values: no statistics needed (sorting 28 columns of 800k rows cost 2 s here).
  if (impute === "none" && scale === "none") return { name, fill: NaN, center: 0, scale: 1 };
  const n = rows ? rows.length : values.length;
  const present: number[] = [];
  for (let j = 0; j < n; j++) {
    const v = values[rows ? rows[j] : j];
    if (!Number.isNaN(v)) present.push(v);
  }
  const sorted = Float64Array.from(present).sort();
  const missing = n - sorted.length;
  let fill = NaN;
  if (impute !== "none") {
    // An all-missing column imputes 0: it then carries no signal, which is the honest outcome.
    if (sorted.length === 0) fill = 0;
    else if (impute === "median") fill = quantileSorted(sorted, 0.5);
    else fill = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  }
  let center = 0;
  let spread = 1;
  if (scale === "standard") {
    // Statistics after imputation, as scikit-learn's impute-then-scale pipeline computes them.
    const k = missing > 0 && !Number.isNaN(fill) ? missing : 0;
    const m = sorted.length + k;
    let sum = k * fill;
    for (const v of sorted) sum += v;
    center = m > 0 ? sum / m : 0;
    let ss = k * (fill - center) ** 2;
    for (const v of sorted) ss += (v - center) ** 2;
    spread = m > 0 ? Math.sqrt(ss / m) : 1;
  } else if (scale === "minmax") {
    center = sorted.length ? sorted[0] : 0;
    spread = sorted.length ? sorted[sorted.length - 1] - sorted[0] : 1;
  } else if (scale === "robust") {
    center = quantileSorted(sorted, 0.5);
    spread = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
  }
  // A constant column keeps scale 1 (scikit-learn does the same) instead of dividing by zero.
  if (!(spread > 1e-12) || !Number.isFinite(spread)) spread = 1;
  if (!Number.isFinite(center)) center = 0;
  return { name, fill, center, scale: spread };
}

export function isIdentity(s: NumericState): boolean {
  return Number.isNaN(s.fill) && s.center === 0 && s.scale === 1;
}

/** Applies a fitted numeric transform to the given rows (all rows when `rows` is undefined). */
export function applyNumeric(s: NumericState, values: Float64Array, rows?: Uint32Array): Float64Array {
  const n = rows ? rows.length : values.length;
  const out = new Float64Array(n);
  const { fill, center, scale } = s;
  const inv = 1 / scale;
  // One pass: gather, transform and watch for infinities (a separate check pass cost as much as the transform).
  let infinite = false;
  if (rows) {
    for (let j = 0; j < n; j++) {
      let v = values[rows[j]];
      infinite ||= v === Infinity || v === -Infinity;
      if (v !== v) v = fill; // NaN check without a call
      out[j] = (v - center) * inv;
    }
  } else {
    for (let j = 0; j < n; j++) {
      let v = values[j];
      infinite ||= v === Infinity || v === -Infinity;
      if (v !== v) v = fill;
      out[j] = (v - center) * inv;
    }
  }
  if (infinite) rejectInfinite(s.name, values, rows);
  return out;
}
