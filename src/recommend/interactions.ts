// Interactions as learners see them: dense user and item codes, ratings and weights on typed arrays, with the
// per-user and per-item views (CSR) that the collaborative-filtering learners walk.

import { TrainingError, ValidationError } from "../errors.js";

/** One row per (user, item) interaction; codes are 0..nUsers-1 / 0..nItems-1 (train ids only). */
export interface Interactions {
  users: Int32Array;
  items: Int32Array;
  /** The rating (explicit) or the strength of an implicit signal (1 for a click, a count for purchases). */
  ratings: Float64Array;
  /** Per-interaction weight of the loss (two_tower's weighted MSE); 1 when absent. */
  weights?: Float64Array;
  nUsers: number;
  nItems: number;
}

/** Side information for the two-tower model: per-user / per-item rows (same codes as the interactions). */
export interface SideFeatures {
  /** Row-major n x numeric.length, z-scored by the caller or not; NaN is read as 0. */
  numeric: Float32Array;
  numericNames: string[];
  /** Row-major n x categorical.length codes (0 = unknown), with each column's cardinality (codes < card). */
  categorical: Int32Array;
  categoricalNames: string[];
  cardinality: number[];
  /** How raw values became these columns (z-score mean / sd per numeric, level text per code - 1), so a request's raw features can be coded alike (two_tower cold start). */
  encoding?: FeatureEncoding;
}

export interface FeatureEncoding {
  mean: number[];
  sd: number[];
  levels: string[][];
}

export interface RecTrainingData extends Interactions {
  seed: number;
  /** Order of interactions in time (e.g. a timestamp) for history sequences; row order when absent. */
  time?: Float64Array;
  userFeatures?: SideFeatures;
  itemFeatures?: SideFeatures;
  onProgress?: (done: number, total: number) => void;
}

/** Compressed rows: for row r, entries indptr[r]..indptr[r+1]-1 of `index` (the other side's code) and `pos`. */
export interface Csr {
  indptr: Int32Array;
  index: Int32Array;
  /** Position of the entry in the interaction arrays (to read its rating / weight). */
  pos: Int32Array;
}

/** Groups interactions by `rows` (users or items); each row keeps its entries in input order. */
export function csr(rows: Int32Array, cols: Int32Array, nRows: number): Csr {
  const n = rows.length;
  const indptr = new Int32Array(nRows + 1);
  for (let j = 0; j < n; j++) indptr[rows[j] + 1]++;
  for (let r = 0; r < nRows; r++) indptr[r + 1] += indptr[r];
  const fill = indptr.slice(0, nRows);
  const index = new Int32Array(n);
  const pos = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const at = fill[rows[j]]++;
    index[at] = cols[j];
    pos[at] = j;
  }
  return { indptr, index, pos };
}

export const byUser = (d: Interactions): Csr => csr(d.users, d.items, d.nUsers);
export const byItem = (d: Interactions): Csr => csr(d.items, d.users, d.nItems);

export function globalMean(d: Interactions): number {
  let s = 0;
  for (let j = 0; j < d.ratings.length; j++) s += d.ratings[j];
  return d.ratings.length ? s / d.ratings.length : 0;
}

export function counts(codes: Int32Array, n: number): Float64Array {
  const c = new Float64Array(n);
  for (let j = 0; j < codes.length; j++) c[codes[j]]++;
  return c;
}

/** Refuses what no learner can fit: no rows, codes out of range, missing or infinite ratings. */
export function checkInteractions(d: Interactions): void {
  const n = d.ratings.length;
  if (n === 0) throw new TrainingError("no interactions to train on", { hint: "check the user, item and rating columns" });
  if (d.users.length !== n || d.items.length !== n) throw new ValidationError("users, items and ratings differ in length");
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(d.ratings[j])) {
      throw new TrainingError(`interaction ${j} has no rating (${d.ratings[j]})`, { hint: "drop rows without a rating, or use rating: none for implicit data" });
    }
    if (d.users[j] < 0 || d.users[j] >= d.nUsers || d.items[j] < 0 || d.items[j] >= d.nItems) {
      throw new ValidationError(`interaction ${j} has a user or item code out of range`);
    }
  }
  if (d.weights) for (let j = 0; j < n; j++) if (!(d.weights[j] >= 0)) throw new TrainingError(`interaction ${j} has weight ${d.weights[j]}: weights must be >= 0`);
}

/** Symmetric positive-definite solve A x = b in place (Cholesky; A row-major f x f, overwritten). False if not SPD. */
export function choleskySolve(A: Float64Array, b: Float64Array, f: number): boolean {
  for (let j = 0; j < f; j++) {
    let s = A[j * f + j];
    for (let k = 0; k < j; k++) s -= A[j * f + k] * A[j * f + k];
    if (!(s > 0)) return false;
    const d = Math.sqrt(s);
    A[j * f + j] = d;
    for (let i = j + 1; i < f; i++) {
      let t = A[i * f + j];
      const ri = i * f;
      const rj = j * f;
      for (let k = 0; k < j; k++) t -= A[ri + k] * A[rj + k];
      A[ri + j] = t / d;
    }
  }
  for (let i = 0; i < f; i++) {
    let t = b[i];
    for (let k = 0; k < i; k++) t -= A[i * f + k] * b[k];
    b[i] = t / A[i * f + i];
  }
  for (let i = f - 1; i >= 0; i--) {
    let t = b[i];
    for (let k = i + 1; k < f; k++) t -= A[k * f + i] * b[k];
    b[i] = t / A[i * f + i];
  }
  return true;
}

/**
 * a[ao..ao+k) · b[bo..bo+k) with four accumulators: about 2x faster in V8 than the one-accumulator loop inlined in
 * scoring loops (measured: 10,000 items x 100 factors, 1,020 -> 520-600 µs of CPU).
 */
export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, k: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let f = 0;
  const k4 = k - (k & 3);
  for (; f < k4; f += 4) {
    s0 += a[ao + f] * b[bo + f];
    s1 += a[ao + f + 1] * b[bo + f + 1];
    s2 += a[ao + f + 2] * b[bo + f + 2];
    s3 += a[ao + f + 3] * b[bo + f + 3];
  }
  for (; f < k; f++) s0 += a[ao + f] * b[bo + f];
  return s0 + s1 + (s2 + s3);
}
