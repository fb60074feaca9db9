// The feature pipeline: fitted per-column transforms from a Frame to a FeatureMatrix, serialized with the model.
// Numbers are imputed/scaled, text becomes codes (or target means), ISO datetimes become their parts, and
// linear models may add pairwise products.

import { ValidationError } from "../errors.js";
import type { Column, Frame } from "../records.js";
import { applyCategorical, fitCategorical, type CategoricalState } from "./categorical.js";
import { datetimeParts, datetimePartsOf, isDatetimeColumn, type DatetimePart } from "./datetime.js";
import type { FeatureColumn, FeatureMatrix } from "./matrix.js";
import { applyNumeric, fitNumeric, isIdentity, rejectInfinite, type ImputeStrategy, type NumericState, type ScaleStrategy } from "./numeric.js";
import { applyTargetEncoding, fitTargetEncoding, outOfFoldEncoding, type TargetEncodingState } from "./target-encoding.js";

export interface PipelineOptions {
  impute: ImputeStrategy;
  scale: ScaleStrategy;
  /** Missing categorical values become a level of their own (linear models) or stay -1 (trees learn a direction). */
  missingAsLevel: boolean;
  /** Text columns with at least this many categories are target-encoded when a target is given (0 = never). */
  targetEncodeMinLevels?: number;
  /** Pseudo-rows of the prior mixed into each category's mean. */
  targetSmoothing?: number;
  /** Add the product of every pair of numeric inputs (at most the first 15 of them). */
  interactions?: boolean;
}

/** Linear / distance models: median-impute, standard-scale, implicit one-hot with missing as a level. */
export const LINEAR_PIPELINE: PipelineOptions = { impute: "median", scale: "standard", missingAsLevel: true };
/** Trees: raw numbers with NaN kept (learned missing direction) and ordinal codes for native categorical splits. */
export const TREE_PIPELINE: PipelineOptions = { impute: "none", scale: "none", missingAsLevel: false };

export type ColumnState =
  | ({ kind: "numeric" } & NumericState)
  | ({ kind: "categorical" } & CategoricalState)
  | { kind: "target"; name: string; codes: CategoricalState; encoding: TargetEncodingState; post: NumericState[] }
  | { kind: "datetime"; name: string; parts: DatetimePart[]; post: NumericState[] };

export interface PipelineState {
  options: PipelineOptions;
  columns: ColumnState[];
  /** Pairs of numeric input positions (in `columns`) multiplied together, each then imputed/scaled. */
  interactions?: { pairs: [number, number][]; post: NumericState[] };
}

/** The target as the pipeline sees it at fit time: one array per output (aligned with the fit rows) and folds. */
export interface PipelineTarget {
  outputs: Float64Array[];
  /** Fold of each fit row, for out-of-fold encodings of the training rows. */
  fold: Int32Array;
  folds: number;
}

const MAX_INTERACTION_INPUTS = 15;

export function findColumn(frame: Frame, name: string): Column {
  const col = frame.columns.find((c) => c.name === name);
  if (!col) {
    throw new ValidationError(`column "${name}" is not in the data`, {
      path: name,
      hint: `available columns: ${frame.columns.map((c) => c.name).join(", ")}`,
    });
  }
  return col;
}

/** Unfitted pipeline: its options are its parameters; fit() returns the fitted pipeline. */
export class FeaturePipeline {
  constructor(readonly options: PipelineOptions) {}

  fit(frame: Frame, features: string[], rows?: Uint32Array, target?: PipelineTarget): FittedFeaturePipeline {
    return this.fitTransform(frame, features, rows, target).fitted;
  }

  /** Fits and transforms the fit rows; target-encoded columns hold out-of-fold values for those rows. */
  fitTransform(frame: Frame, features: string[], rows?: Uint32Array, target?: PipelineTarget): { fitted: FittedFeaturePipeline; X: FeatureMatrix } {
    const o = this.options;
    const post = (name: string, v: Float64Array) => fitNumeric(name, v, undefined, o.impute, o.scale);
    const oof = new Map<number, Float64Array[]>();
    const columns = features.map((name, j): ColumnState => {
      const col = findColumn(frame, name);
      if (col.kind === "numeric") return { kind: "numeric", ...fitNumeric(name, col.values, rows, o.impute, o.scale) };
      if (isDatetimeColumn(col.values, rows)) {
        const parts = datetimePartsOf(col.values, rows);
        const values = datetimeParts(col.values, rows, parts);
        return { kind: "datetime", name, parts, post: values.map((v, k) => post(`${name}.${parts[k]}`, v)) };
      }
      const cat = fitCategorical(name, col.values, rows, o.missingAsLevel);
      const minLevels = o.targetEncodeMinLevels ?? 0;
      if (target && minLevels > 0 && cat.levels.length >= minLevels) {
        const codes = applyCategorical(cat, col.values);
        const fitRows = rows ?? Uint32Array.from({ length: frame.rowCount }, (_, i) => i);
        const smoothing = o.targetSmoothing ?? 10;
        const encoding = fitTargetEncoding(codes, fitRows, target.outputs, cat.levels.length, smoothing);
        const values = outOfFoldEncoding(codes, fitRows, target.outputs, cat.levels.length, smoothing, target.fold, target.folds);
        oof.set(j, values);
        return { kind: "target", name, codes: cat, encoding, post: values.map((v, k) => post(`${name}.te${k}`, v)) };
      }
      return { kind: "categorical", ...cat };
    });
    const state: PipelineState = { options: { ...o }, columns };
    if (o.interactions) {
      const numeric = columns.flatMap((c, i) => (c.kind === "numeric" ? [i] : [])).slice(0, MAX_INTERACTION_INPUTS);
      const pairs: [number, number][] = [];
      for (let a = 0; a < numeric.length; a++) for (let b = a + 1; b < numeric.length; b++) pairs.push([numeric[a], numeric[b]]);
      const base = new FittedFeaturePipeline({ options: { ...o }, columns }).transformColumns(frame, rows);
      const post2 = pairs.map(([a, b]) => post(`${columns[a].name}*${columns[b].name}`, product(base[a][0], base[b][0])));
      state.interactions = { pairs, post: post2 };
    }
    const fitted = new FittedFeaturePipeline(state);
    const X = fitted.transform(frame, rows, oof);
    return { fitted, X };
  }
}

function product(a: FeatureColumn, b: FeatureColumn): Float64Array {
  if (a.kind !== "numeric" || b.kind !== "numeric") throw new Error("interactions take numeric columns");
  return Float64Array.from(a.values, (v, i) => v * b.values[i]);
}

export class FittedFeaturePipeline {
  constructor(readonly state: PipelineState) {}

  get featureNames(): string[] {
    return this.state.columns.map((c) => c.name);
  }

  /** The frame columns each input needs: numbers, or text (categories, target-encoded, datetimes). */
  get inputs(): { name: string; kind: "numeric" | "categorical" }[] {
    return this.state.columns.map((c) => ({ name: c.name, kind: c.kind === "numeric" ? "numeric" : "categorical" }));
  }

  /** Output columns per input column (before interactions). */
  transformColumns(frame: Frame, rows?: Uint32Array, oof?: Map<number, Float64Array[]>): FeatureColumn[][] {
    return this.state.columns.map((s, j): FeatureColumn[] => {
      // A frame built from records (serving) has the inputs in pipeline order: skip the search by name.
      const at = frame.columns[j];
      const col = at !== undefined && at.name === s.name ? at : findColumn(frame, s.name);
      if (s.kind === "numeric") {
        if (col.kind !== "numeric") {
          throw new ValidationError(`column "${s.name}" was numeric in training but holds text here`, {
            path: s.name,
            hint: "cast the column to a number or fix its source",
          });
        }
        if (!rows && isIdentity(s)) {
          rejectInfinite(s.name, col.values);
          return [{ name: s.name, kind: "numeric", values: col.values }];
        }
        return [{ name: s.name, kind: "numeric", values: applyNumeric(s, col.values, rows) }];
      }
      const text = col.kind === "categorical" ? col.values : numericAsText(col.values);
      if (s.kind === "datetime") {
        return datetimeParts(text, rows, s.parts).map((v, k) => ({ name: `${s.name}.${s.parts[k]}`, kind: "numeric", values: applyNumeric(s.post[k], v) }));
      }
      if (s.kind === "target") {
        const fromFolds = oof?.get(j);
        const values = fromFolds ?? applyTargetEncoding(s.encoding, gatherCodes(applyCategorical(s.codes, text), rows));
        return values.map((v, k) => ({ name: `${s.name}.te${k}`, kind: "numeric", values: applyNumeric(s.post[k], v) }));
      }
      return [{ name: s.name, kind: "categorical", codes: applyCategorical(s, text, rows), levels: s.levels.length }];
    });
  }

  /** Transforms the given rows (all when undefined). Untransformed numeric columns are shared, not copied. */
  transform(frame: Frame, rows?: Uint32Array, oof?: Map<number, Float64Array[]>): FeatureMatrix {
    const nRows = rows ? rows.length : frame.rowCount;
    const perInput = this.transformColumns(frame, rows, oof);
    // A plain loop: Array.prototype.flat cost more than the rest of a single-record transform.
    const columns: FeatureColumn[] = [];
    for (const cols of perInput) for (const c of cols) columns.push(c);
    const inter = this.state.interactions;
    if (inter) {
      inter.pairs.forEach(([a, b], k) => {
        columns.push({ name: inter.post[k].name, kind: "numeric", values: applyNumeric(inter.post[k], product(perInput[a][0], perInput[b][0])) });
      });
    }
    return { nRows, columns };
  }
}

function gatherCodes(codes: Int32Array, rows?: Uint32Array): Int32Array {
  return rows ? Int32Array.from(rows, (r) => codes[r]) : codes;
}

/** A numeric column read where text was expected: its values as strings, NaN as missing (JSON 1 -> "1"). */
function numericAsText(values: Float64Array): (string | null)[] {
  return Array.from(values, (v) => (Number.isNaN(v) ? null : String(v)));
}
