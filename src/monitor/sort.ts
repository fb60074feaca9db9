// Sorted copies of numeric columns for the drift tests, with missing values (NaN, ±Infinity) left out.
// (An LSD radix sort on the float bits was measured at 1M rows and was no faster than TypedArray#sort here.)

/** The finite values of `values`, sorted ascending, in a new array. */
export function sortedFinite(values: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const out = new Float64Array(n);
  if (n === values.length) out.set(values);
  else {
    let k = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v)) out[k++] = v;
    }
  }
  return out.sort();
}
