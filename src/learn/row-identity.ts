// Row identities and the hash-bucket split: a row's side (train / test) and CV fold are pure functions of its
// identity (its key columns, or its content) and the seed, so a row keeps its side as the table grows.
import { ValidationError } from "../errors.js";
import type { Column, Frame } from "../records.js";

/** How rows were identified: by declared key columns, or by a hash of the listed columns' content. */
export interface RowIdentitySpec {
  kind: "key" | "content";
  columns: string[];
}

const SEP = "\u001f";

/**
 * One 53-bit hash per row (cyrb53 over the identity columns' text), exact in a float64. Collisions among a
 * million rows: ~n²/2^54 ≈ 6e-5 expected, so a set of identities behaves as a set of rows.
 */
export function rowIdentities(frame: Frame, columns: string[]): Float64Array {
  const cols = columns.map((name) => {
    const c = frame.columns.find((x) => x.name === name);
    if (!c) throw new ValidationError(`identity column "${name}" is not in the frame`, { path: name, hint: "dataset.key names columns of the dataset table" });
    return c;
  });
  const out = new Float64Array(frame.rowCount);
  for (let i = 0; i < frame.rowCount; i++) {
    let text = "";
    for (let j = 0; j < cols.length; j++) text += (j ? SEP : "") + cellText(cols[j], i);
    out[i] = cyrb53(text);
  }
  return out;
}

function cellText(c: Column, i: number): string {
  if (c.kind === "numeric") {
    const v = c.values[i];
    return Number.isNaN(v) ? "\u0000" : String(v);
  }
  const v = c.values[i];
  return v === null ? "\u0000" : v;
}

/** cyrb53 (public domain): a fast 53-bit string hash with good avalanche. */
export function cyrb53(s: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A uniform number in [0, 1) from an identity and a seed (a murmur3 finaliser over both halves). */
export function bucketOf(identity: number, seed: number): number {
  const lo = identity % 4294967296 >>> 0;
  const hi = Math.floor(identity / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(seed | 0, 0x9e3779b1), 0x85ebca6b) ^ hi;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h ^ Math.imul(hi, 0x27d4eb2f), 0x165667b1);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

export interface HashSplit {
  train: Uint32Array;
  test: Uint32Array;
  /** CV fold (0..k-1) of every row of the frame (test rows included; they are never used in CV). */
  foldOf: Int32Array;
}

/**
 * Row i is a test row when bucketOf(identity, seed) < testFraction; its CV fold comes from a second,
 * independent bucket. Class shares are kept only in expectation (each row is an independent draw), the price of
 * a split that never moves a row. A split that would leave no test row takes the row of the smallest bucket.
 */
export function hashSplit(identities: Float64Array, opts: { testFraction: number; seed: number; folds: number }): HashSplit {
  const { testFraction, seed } = opts;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new ValidationError(`testFraction must be between 0 and 1 (exclusive), got ${testFraction}`, { path: "split.testFraction", hint: "use e.g. 0.2" });
  }
  const n = identities.length;
  const k = Math.max(1, opts.folds);
  const foldSeed = (seed ^ 0x5bd1e995) | 0;
  const isTest = new Uint8Array(n);
  const foldOf = new Int32Array(n);
  let nTest = 0;
  let smallest = -1;
  let smallestU = 2;
  for (let i = 0; i < n; i++) {
    const u = bucketOf(identities[i], seed);
    if (u < testFraction) (isTest[i] = 1), nTest++;
    if (u < smallestU) (smallestU = u), (smallest = i);
    foldOf[i] = Math.min(k - 1, Math.floor(bucketOf(identities[i], foldSeed) * k));
  }
  if (nTest === 0 && n > 1) (isTest[smallest] = 1), nTest++;
  const train = new Uint32Array(n - nTest);
  const test = new Uint32Array(nTest);
  for (let i = 0, a = 0, b = 0; i < n; i++) (isTest[i] ? (test[b++] = i) : (train[a++] = i));
  return { train, test, foldOf };
}
