// Typed column builders for logged inputs: values one by one (NDJSON, objects) or whole decoded Parquet leaves at once.
import type { Column, Frame, Prediction, Signature } from "../records.js";
import { markCoded } from "./coded.js";
import type { DecodedLeaf } from "./parquet-read.js";

/** Names of the output columns added by `includeOutput`. */
export const OUTPUT_COLUMNS = { score: "_prediction", label: "_label" } as const;

export interface FrameOptions {
  /** Declared field types; without it a field is numeric when every non-null value is a number. */
  signature?: Signature;
  /** Add `_prediction` (positive-class probability or value) and `_label` columns, for drift on the model's output. */
  includeOutput?: boolean;
  /** Take each column's kind from this frame (the training reference), so both sides compare like with like. */
  like?: Frame;
}

export type Kind = "numeric" | "categorical" | "infer";

export const toNumber = (v: unknown): number =>
  typeof v === "number" ? v : typeof v === "boolean" ? (v ? 1 : 0) : typeof v === "string" && v !== "" ? Date.parse(v) : NaN;
export const toCategory = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The value of row i of a decoded leaf as it was logged (JSON text parsed back). */
export function leafValue(d: DecodedLeaf, i: number): unknown {
  if (d.codes) {
    const c = d.codes[i];
    const v = c < 0 ? null : d.dict![c];
    return d.type === "json" && v !== null ? JSON.parse(v as string) : v;
  }
  if (d.numbers) return Number.isNaN(d.numbers[i]) ? null : d.numbers[i];
  if (d.bools) return d.bools[i] < 0 ? null : d.bools[i] === 1;
  const s = d.strings![i];
  return d.type === "json" && s !== null ? JSON.parse(s) : s;
}

/** Past this many distinct values a column stops keeping codes (they would no longer make counting cheap). */
const MAX_CODES = 1 << 16;

type Dict = ArrayLike<number | string | null>;

/**
 * Growable column: typed for numbers, categories as dictionary codes while every source was dictionary-encoded (else
 * as an array), raw values while the kind is still unknown. The codes travel with the built column (coded.ts).
 */
export class ColumnBuilder {
  private nums: Float64Array;
  private cats: (string | null)[] = [];
  private raw: unknown[] = [];
  private n = 0;
  private codes: Int32Array | null;
  private readonly index = new Map<number | string, number>();
  private readonly dict: (number | string)[] = [];

  constructor(
    readonly name: string,
    private kind: Kind,
  ) {
    this.nums = new Float64Array(kind === "numeric" ? 1024 : 0);
    this.codes = kind === "infer" ? null : new Int32Array(1024);
  }

  get length(): number {
    return this.n;
  }

  /** Room for `rows` more rows at once (the parts' row counts are known before reading them). */
  reserve(rows: number): void {
    this.room(rows);
  }

  private room(k: number): void {
    if (this.kind === "numeric" && this.n + k > this.nums.length) {
      const bigger = new Float64Array(Math.max(this.nums.length * 2, this.n + k));
      bigger.set(this.nums.subarray(0, this.n));
      this.nums = bigger;
    }
    if (this.codes && this.n + k > this.codes.length) {
      const bigger = new Int32Array(Math.max(this.codes.length * 2, this.n + k));
      bigger.set(this.codes.subarray(0, this.n));
      this.codes = bigger;
    }
  }

  /** Gives up the codes; categories held only as codes so far become the array. */
  private dropCodes(): void {
    if (!this.codes) return;
    if (this.kind === "categorical") {
      const codes = this.codes;
      const dict = this.dict as string[];
      this.cats = new Array<string | null>(this.n);
      for (let i = 0; i < this.n; i++) this.cats[i] = codes[i] < 0 ? null : dict[codes[i]];
    }
    this.codes = null;
  }

  /** The code of a value (NaN and null are missing: -1); -1 after dropping the codes when the dictionary grows too big. */
  private codeOf(v: number | string | null): number {
    if (v === null || (typeof v === "number" && Number.isNaN(v))) return -1;
    let c = this.index.get(v);
    if (c === undefined) {
      if (this.dict.length >= MAX_CODES) {
        this.dropCodes();
        return -1;
      }
      this.index.set(v, (c = this.dict.length));
      this.dict.push(v);
    }
    return c;
  }

  push(v: unknown): void {
    this.room(1);
    if (this.kind === "numeric") {
      const x = (this.nums[this.n] = toNumber(v));
      if (this.codes) this.codes[this.n] = this.codeOf(x);
    } else if (this.kind === "categorical") {
      const c = toCategory(v);
      const code = this.codes ? this.codeOf(c) : -1;
      if (this.codes) this.codes[this.n] = code;
      else this.cats.push(c);
    } else this.raw.push(v);
    this.n++;
  }

  /** Codes for a decoded leaf's rows (its dictionary mapped onto this column's); false when the codes were given up. */
  private pushCodes(d: DecodedLeaf, rows: Int32Array | null, dict: Dict | null): boolean {
    if (!this.codes) return false;
    const count = rows ? rows.length : d.rows;
    const o = this.n;
    if (!dict || !d.codes) {
      // A leaf missing from a part comes back all null: still coded (-1s). Anything else PLAIN ends the codes.
      const allNull = d.numbers ? d.numbers.every(Number.isNaN) : d.strings ? d.strings.every((s) => s === null) : d.bools ? d.bools.every((b) => b < 0) : false;
      if (!allNull) this.dropCodes();
      else this.codes.fill(-1, o, o + count);
      return this.codes !== null;
    }
    const map = new Int32Array(dict.length);
    for (let k = 0; k < dict.length && this.codes; k++) map[k] = this.codeOf(dict[k]);
    const out = this.codes;
    if (!out) return false;
    const codes = d.codes;
    if (rows)
      for (let k = 0; k < count; k++) {
        const c = codes[rows[k]];
        out[o + k] = c < 0 ? -1 : map[c];
      }
    else
      for (let k = 0; k < count; k++) {
        const c = codes[k];
        out[o + k] = c < 0 ? -1 : map[c];
      }
    return true;
  }

  /** Appends rows of a decoded Parquet leaf (all, or the listed ones) without a value object per row where it can. */
  pushLeaf(d: DecodedLeaf, rows: Int32Array | null): void {
    const count = rows ? rows.length : d.rows;
    const at = (k: number) => (rows ? rows[k] : k);
    this.room(count);
    if (this.kind === "numeric") {
      const out = this.nums;
      const o = this.n;
      // The dictionary is converted once; rows only index it.
      const dict = !d.codes ? null : d.dict instanceof Float64Array ? d.dict : Float64Array.from(d.dict as string[], (s) => toNumber(d.type === "json" ? JSON.parse(s) : s));
      this.pushCodes(d, rows, dict);
      if (d.numbers && !rows) out.set(d.numbers, o);
      else if (d.numbers) for (let k = 0; k < count; k++) out[o + k] = d.numbers[rows![k]];
      else if (dict) {
        const codes = d.codes!;
        // Two loops rather than one with a row lookup inside: the whole-part case is the hot one.
        if (rows)
          for (let k = 0; k < count; k++) {
            const c = codes[rows[k]];
            out[o + k] = c < 0 ? NaN : dict[c];
          }
        else
          for (let k = 0; k < count; k++) {
            const c = codes[k];
            out[o + k] = c < 0 ? NaN : dict[c];
          }
      } else for (let k = 0; k < count; k++) out[o + k] = toNumber(leafValue(d, at(k)));
    } else if (this.kind === "categorical") {
      const dict = d.codes ? Array.from(d.dict as ArrayLike<unknown>, (v) => toCategory(d.type === "json" ? JSON.parse(v as string) : v)) : null;
      if (!this.pushCodes(d, rows, dict)) {
        const out = this.cats;
        if (dict) {
          const codes = d.codes!;
          for (let k = 0; k < count; k++) {
            const c = codes[at(k)];
            out.push(c < 0 ? null : dict[c]);
          }
        } else if (d.strings && d.type === "string") for (let k = 0; k < count; k++) out.push(d.strings[at(k)]);
        else for (let k = 0; k < count; k++) out.push(toCategory(leafValue(d, at(k))));
      }
    } else for (let k = 0; k < count; k++) this.raw.push(leafValue(d, at(k)));
    this.n += count;
  }

  /** The column, keeping only rows from `from` on (a `limit` keeps the most recent rows). */
  build(from: number): Column {
    if (this.kind === "infer") {
      const kind = this.raw.every((v) => v === null || v === undefined || typeof v === "number") ? "numeric" : "categorical";
      const raw = from > 0 ? this.raw.slice(from) : this.raw;
      return kind === "numeric" ? { name: this.name, kind, values: Float64Array.from(raw, toNumber) } : { name: this.name, kind, values: raw.map(toCategory) };
    }
    const codes = this.codes?.subarray(from, this.n);
    let column: Column;
    if (this.kind === "numeric") column = { name: this.name, kind: "numeric", values: this.nums.subarray(from, this.n) };
    else if (codes) {
      const dict = this.dict as string[];
      const values = new Array<string | null>(codes.length);
      for (let i = 0; i < codes.length; i++) values[i] = codes[i] < 0 ? null : dict[codes[i]];
      column = { name: this.name, kind: "categorical", values };
    } else column = { name: this.name, kind: "categorical", values: from > 0 ? this.cats.slice(from) : this.cats };
    if (codes) markCoded(column.values, { codes, dict: this.kind === "numeric" ? Float64Array.from(this.dict as number[]) : (this.dict as string[]) });
    return column;
  }
}

/** The kind a signature field or a reference column gives a logged input. */
export function kindOf(name: string, opts: FrameOptions, likeKinds: Map<string, "numeric" | "categorical">): Kind {
  const f = opts.signature?.inputs.find((x) => x.name === name);
  return likeKinds.get(name) ?? (f ? (f.type === "number" || f.type === "integer" || f.type === "timestamp" ? "numeric" : "categorical") : "infer");
}

/** Predictions already in memory as a Frame (inputs, optionally outputs), with the same typing rules. */
export function predictionsToFrame(predictions: ReadonlyArray<Prediction>, opts: FrameOptions = {}): Frame {
  const positive = opts.signature?.output.positive;
  const likeKinds = new Map(opts.like?.columns.map((c) => [c.name, c.kind]) ?? []);
  const names = opts.signature?.inputs.map((f) => f.name) ?? [...new Set(predictions.flatMap((p) => Object.keys(p.inputs)))];
  const columns = names.map((name) => {
    const b = new ColumnBuilder(name, kindOf(name, opts, likeKinds));
    for (const p of predictions) b.push(p.inputs[name]);
    return b.build(0);
  });
  if (opts.includeOutput) {
    const s = new ColumnBuilder(OUTPUT_COLUMNS.score, "numeric");
    const l = new ColumnBuilder(OUTPUT_COLUMNS.label, "categorical");
    for (const p of predictions) {
      s.push(p.output.value !== undefined ? p.output.value : positive !== undefined ? p.output.probabilities?.[positive] : NaN);
      l.push(p.output.label);
    }
    columns.push(s.build(0));
    if (predictions.some((p) => p.output.label !== undefined)) columns.push(l.build(0));
  }
  return { rowCount: predictions.length, columns };
}
