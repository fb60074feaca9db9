// Records straight to the learner's FeatureMatrix, without a Frame: what serving scores. Built once per fitted pipeline;
// each input's value is read from the record, checked, imputed/scaled or coded into per-column buffers that are reused
// from call to call (a single-record request allocates no feature arrays). Equal bit for bit to
// transform(recordsToFrame(records)) (records-transform.test.ts holds it to that).

import { categoryCode, categoryIndex, type CategoricalState } from "./categorical.js";
import { writeDatetimeParts } from "./datetime.js";
import type { FeatureColumn, FeatureMatrix } from "./matrix.js";
import { internalized } from "./internalized.js";
import { isIdentity, rejectInfinite, type NumericState } from "./numeric.js";
import type { PipelineState } from "./pipeline.js";
import { toNumber, toText } from "./records.js";

/**
 * Calls of up to this many values (records × output columns; 8 MB of numbers) reuse the buffers; larger ones get fresh
 * arrays, so a huge call or a very wide model leaves nothing large held between requests.
 */
const REUSE_MAX_CELLS = 1_000_000;

/** Strings remembered per categorical input by the generated reader (a category column has a few levels in practice). */
const MEMO = 4;
/** Calls that skip the memo of a column after one that missed it often. */
const OFF_CALLS = 64;

/** Writes columns[j] of every record into buffers[first[j]]: true when all were plain (numbers, strings, null). */
type FastFill = (records: ReadonlyArray<Record<string, unknown>>, n: number, buffers: (Float64Array | Int32Array)[]) => boolean;

/**
 * Generated code reading the numeric and categorical inputs of each record by literal key (one hidden class for all the
 * records of a request: a monomorphic load instead of a generic keyed lookup per value, 3× less time for 1,000 churn
 * records). Only the plain case: anything else (a boolean, a numeric string, a bad value, a record that is not an
 * object) returns false and the general column-by-column path redoes the request, with its conversions and errors.
 * Names enter the code only through JSON.stringify.
 */
function compileFastFill(columns: PipelineState["columns"], first: number[]): { fill: FastFill; covered: boolean[] } | null {
  const head: string[] = [];
  const body: string[] = [];
  const covered = columns.map((c) => c.kind === "numeric" || c.kind === "categorical");
  const states: CategoricalState[] = [];
  const memo: string[] = [];
  const tail: string[] = [];
  columns.forEach((c, j) => {
    if (!covered[j]) return;
    const key = JSON.stringify(c.name);
    head.push(`const c${j} = buffers[${first[j]}];`);
    if (c.kind === "numeric") {
      body.push(`v = r[${key}]; if (typeof v === "number") { if (v - v !== 0) return false; } else if (v === null || v === undefined) v = NaN; else return false; c${j}[i] = v;`);
    } else {
      states.push(c as CategoricalState);
      const s = states.length - 1;
      head.push(`const m${j} = index(states[${s}]); const miss${j} = states[${s}].missingCode; let x${j} = 0; if (o${j} > 0) o${j}--;`);
      // The last MEMO strings met and their codes, kept from call to call and starting with the first levels: a parsed
      // body's repeated strings are one internalized string each (records-parser.ts), found by a pointer comparison
      // instead of a Map lookup (hash, then the level's characters compared). A call that misses on more than a quarter
      // of its rows (many distinct values) turns the memo off for the next OFF_CALLS calls.
      memo.push(`let o${j} = 0; ${Array.from({ length: MEMO }, (_, q) => `let s${j}_${q} = level(states[${s}], ${q}), k${j}_${q} = code(states[${s}], s${j}_${q});`).join(" ")}`);
      const hits = Array.from({ length: MEMO }, (_, q) => `if (v === s${j}_${q}) k = k${j}_${q}; else `).join("");
      const shift = Array.from({ length: MEMO - 1 }, (_, q) => `s${j}_${MEMO - 1 - q} = s${j}_${MEMO - 2 - q}; k${j}_${MEMO - 1 - q} = k${j}_${MEMO - 2 - q};`).join(" ");
      body.push(
        `v = r[${key}]; if (typeof v === "string") { let k; if (o${j} === 0) { ${hits}{ k = m${j}.get(v); if (k === undefined) k = -1; x${j}++; ${shift} s${j}_0 = v; k${j}_0 = k; } } else { k = m${j}.get(v); if (k === undefined) k = -1; } c${j}[i] = k; } else if (v === null || v === undefined) c${j}[i] = miss${j}; else return false;`,
      );
      tail.push(`if (n >= 16 && 4 * x${j} > n) o${j} = ${OFF_CALLS};`);
    }
  });
  if (body.length === 0) return null;
  const source = `${memo.join("\n")}
return function fastFill(records, n, buffers) {
  ${head.join("\n  ")}
  let v;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    if (r === null || typeof r !== "object") return false;
    ${body.join("\n    ")}
  }
  ${tail.join("\n  ")}
  return true;
};`;
  const level = (s: CategoricalState, q: number): string => internalized(s.levels[Math.min(q, s.levels.length - 1)] ?? "");
  const code = (s: CategoricalState, v: string): number => categoryIndex(s).get(v) ?? -1;
  return { fill: new Function("states", "index", "level", "code", source)(states, categoryIndex, level, code) as FastFill, covered };
}

/** x -> ((isNaN(x) ? fill : x) - center) / scale in place over out[0..n), as applyNumeric computes it. */
function scaleInPlace(s: NumericState, out: Float64Array, n: number): void {
  if (isIdentity(s)) return;
  const { fill, center } = s;
  const inv = 1 / s.scale;
  for (let i = 0; i < n; i++) {
    let v = out[i];
    if (v !== v) v = fill;
    out[i] = (v - center) * inv;
  }
}

export class RecordsTransform {
  /** Per output column (pipeline order, then interactions): numeric values or category codes of `capacity` rows. */
  private buffers: (Float64Array | Int32Array)[] = [];
  private capacity = 0;
  private last: FeatureMatrix | null = null;
  /** Output column of each pipeline input's first value (interactions multiply those). */
  private readonly first: number[] = [];
  private readonly width: number;
  private readonly reuseMaxRows: number;
  private readonly fast: { fill: FastFill; covered: boolean[] } | null;

  /** `maxCells`: the reuse limit (records × output columns), REUSE_MAX_CELLS unless a test sets it. */
  constructor(
    private readonly state: PipelineState,
    maxCells = REUSE_MAX_CELLS,
  ) {
    let w = 0;
    for (const c of state.columns) {
      this.first.push(w);
      w += c.kind === "datetime" || c.kind === "target" ? c.post.length : 1;
    }
    this.width = w + (state.interactions?.pairs.length ?? 0);
    this.fast = compileFastFill(state.columns, this.first);
    this.reuseMaxRows = Math.max(1, Math.floor(maxCells / Math.max(1, this.width)));
  }

  /** The matrix of `records`; valid until the next call (its arrays are reused), so score it before calling again. */
  transform(records: ReadonlyArray<Record<string, unknown>>): FeatureMatrix {
    const n = records.length;
    if (n > this.reuseMaxRows) return this.fill(records, this.allocate(n), n);
    if (n > this.capacity) {
      this.buffers = this.allocate(Math.min(this.reuseMaxRows, Math.max(n, 2 * this.capacity)));
      this.capacity = this.buffers.length > 0 ? this.buffers[0].length : n;
      this.last = null;
    }
    return this.fill(records, this.buffers, n);
  }

  private allocate(rows: number): (Float64Array | Int32Array)[] {
    const out: (Float64Array | Int32Array)[] = [];
    for (const c of this.state.columns) {
      if (c.kind === "categorical") out.push(new Int32Array(rows));
      else if (c.kind === "numeric") out.push(new Float64Array(rows));
      else for (let k = 0; k < c.post.length; k++) out.push(new Float64Array(rows));
    }
    for (let k = 0; k < (this.state.interactions?.pairs.length ?? 0); k++) out.push(new Float64Array(rows));
    return out;
  }

  private fill(records: ReadonlyArray<Record<string, unknown>>, buffers: (Float64Array | Int32Array)[], n: number): FeatureMatrix {
    const { columns, interactions } = this.state;
    const fast = this.fast !== null && this.fast.fill(records, n, buffers) ? this.fast.covered : null;
    // Columns first, records inside: the first bad value reported is the one recordsToFrame reports.
    for (let j = 0; j < columns.length; j++) {
      const s = columns[j];
      const at = this.first[j];
      const name = s.name;
      if (fast !== null && fast[j]) {
        if (s.kind === "numeric") scaleInPlace(s, buffers[at] as Float64Array, n);
      } else if (s.kind === "numeric") {
        const out = buffers[at] as Float64Array;
        for (let i = 0; i < n; i++) out[i] = toNumber(records[i]?.[name], i, name);
        scaleInPlace(s, out, n);
      } else if (s.kind === "categorical") {
        const out = buffers[at] as Int32Array;
        for (let i = 0; i < n; i++) out[i] = categoryCode(s, toText(records[i]?.[name], i, name));
      } else if (s.kind === "datetime") {
        const outs = buffers.slice(at, at + s.post.length) as Float64Array[];
        for (let i = 0; i < n; i++) writeDatetimeParts(toText(records[i]?.[name], i, name), s.parts, outs, i);
        for (let k = 0; k < outs.length; k++) scaleInPlace(s.post[k], outs[k], n);
      } else {
        const { means, prior } = s.encoding;
        for (let i = 0; i < n; i++) {
          const c = categoryCode(s.codes, toText(records[i]?.[name], i, name));
          for (let k = 0; k < means.length; k++) (buffers[at + k] as Float64Array)[i] = c >= 0 ? means[k][c] : prior[k];
        }
        for (let k = 0; k < s.post.length; k++) scaleInPlace(s.post[k], buffers[at + k] as Float64Array, n);
      }
    }
    if (interactions) {
      const base = this.width - interactions.pairs.length;
      for (let k = 0; k < interactions.pairs.length; k++) {
        const [a, b] = interactions.pairs[k];
        const x = buffers[this.first[a]];
        const y = buffers[this.first[b]];
        const out = buffers[base + k] as Float64Array;
        let infinite = false;
        for (let i = 0; i < n; i++) {
          const v = x[i] * y[i];
          infinite ||= v === Infinity || v === -Infinity;
          out[i] = v;
        }
        // applyNumeric names the product column and its first infinite row: the same error here.
        if (infinite) rejectInfinite(interactions.post[k].name, out.subarray(0, n));
        scaleInPlace(interactions.post[k], out, n);
      }
    }
    return this.matrix(buffers, n);
  }

  /** Column views of n rows over the buffers; the same matrix object again while n and the buffers stay the same. */
  private matrix(buffers: (Float64Array | Int32Array)[], n: number): FeatureMatrix {
    const reused = buffers === this.buffers;
    if (reused && this.last !== null && this.last.nRows === n) return this.last;
    const { columns, interactions } = this.state;
    const out: FeatureColumn[] = [];
    const view = (k: number) => (buffers[k].length === n ? buffers[k] : buffers[k].subarray(0, n));
    for (let j = 0; j < columns.length; j++) {
      const s = columns[j];
      const at = this.first[j];
      if (s.kind === "numeric") out.push({ name: s.name, kind: "numeric", values: view(at) as Float64Array });
      else if (s.kind === "categorical") out.push({ name: s.name, kind: "categorical", codes: view(at) as Int32Array, levels: s.levels.length });
      else {
        const suffix = (k: number) => (s.kind === "datetime" ? s.parts[k] : `te${k}`);
        for (let k = 0; k < s.post.length; k++) out.push({ name: `${s.name}.${suffix(k)}`, kind: "numeric", values: view(at + k) as Float64Array });
      }
    }
    if (interactions) {
      const base = this.width - interactions.pairs.length;
      for (let k = 0; k < interactions.pairs.length; k++) out.push({ name: interactions.post[k].name, kind: "numeric", values: view(base + k) as Float64Array });
    }
    const m = { nRows: n, columns: out };
    if (reused) this.last = m;
    return m;
  }
}
