// Categorical encoding: training categories -> integer codes (ordinal / implicit one-hot), unseen -> -1.

/** Fitted state of one categorical column. */
export interface CategoricalState {
  name: string;
  /** Categories seen in training, sorted; code = index. */
  levels: string[];
  /** Code given to a missing value: a level of its own when missing values were seen and kept, else -1. */
  missingCode: number;
}

/** Level name used for missing values when they are encoded as their own category. */
export const MISSING_LEVEL = "__NA__";

export function fitCategorical(
  name: string,
  values: ReadonlyArray<string | null>,
  rows: Uint32Array | undefined,
  missingAsLevel: boolean,
): CategoricalState {
  const seen = new Set<string>();
  let sawMissing = false;
  const n = rows ? rows.length : values.length;
  for (let j = 0; j < n; j++) {
    const v = values[rows ? rows[j] : j];
    if (v === null) sawMissing = true;
    else seen.add(v);
  }
  const levels = [...seen].sort();
  let missingCode = -1;
  if (missingAsLevel && sawMissing) {
    missingCode = levels.length;
    levels.push(MISSING_LEVEL);
  }
  return { name, levels, missingCode };
}

/** Level -> code maps, built once per fitted state (a server encodes one record at a time). */
const indexes = new WeakMap<CategoricalState, Map<string, number>>();

/** The level -> code map of a fitted state (codes of real levels; missing is `missingCode`). */
export function categoryIndex(s: CategoricalState): Map<string, number> {
  let index = indexes.get(s);
  if (!index) {
    index = new Map<string, number>();
    const real = s.missingCode >= 0 ? s.levels.length - 1 : s.levels.length;
    for (let i = 0; i < real; i++) index.set(s.levels[i], i);
    indexes.set(s, index);
  }
  return index;
}

/** The code of one value: unseen categories and unencoded missing values give -1. */
export function categoryCode(s: CategoricalState, v: string | null): number {
  return v === null ? s.missingCode : (categoryIndex(s).get(v) ?? -1);
}

/** Codes for the given rows; unseen categories and unencoded missing values give -1. */
export function applyCategorical(s: CategoricalState, values: ReadonlyArray<string | null>, rows?: Uint32Array): Int32Array {
  const index = categoryIndex(s);
  const n = rows ? rows.length : values.length;
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const v = values[rows ? rows[j] : j];
    out[j] = v === null ? s.missingCode : (index.get(v) ?? -1);
  }
  return out;
}
