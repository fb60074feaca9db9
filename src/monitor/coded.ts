// Column arrays that also exist as dictionary codes (read from compacted parts): counting them is a bincount, not a hash per row.

/** Codes by row (-1 = missing) into a dictionary of distinct values. */
export interface Coded {
  codes: Int32Array;
  dict: ReadonlyArray<string> | Float64Array;
}

// Keyed by the column's values array, so a Frame keeps its shape (records.ts) and a copied array simply loses the codes.
const coded = new WeakMap<object, Coded>();

export function markCoded(values: object, c: Coded): void {
  coded.set(values, c);
}

export function codesOf(values: object): Coded | undefined {
  return coded.get(values);
}

/** How many rows hold each dictionary entry, and how many are missing. */
export function countCodes(c: Coded): { counts: Float64Array; missing: number } {
  const counts = new Float64Array(c.dict.length);
  let missing = 0;
  const codes = c.codes;
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i];
    if (k < 0) missing++;
    else counts[k]++;
  }
  return { counts, missing };
}
