// Sorting doubles by their bits (LSD radix, 8-bit digits): the binning sample of 200k values per feature sorts in
// ~4 ms instead of 25 ms with Float64Array.prototype.sort, which made binning a tenth of a 1M-row fit.

/**
 * Sorts `a` in place in ascending order, like Float64Array.prototype.sort: -0 before +0, NaN last.
 * Returns `a`.
 */
export function sortFloat64(a: Float64Array): Float64Array {
  const n = a.length;
  if (n < 512) return a.sort();
  let m = 0;
  for (let i = 0; i < n; i++) if (a[i] === a[i]) a[m++] = a[i];
  const nans = n - m;
  // Keys: the IEEE bits made order-preserving as unsigned (negative: all bits flipped; positive: sign bit set).
  const src = new Uint32Array(2 * m);
  const dst = new Uint32Array(2 * m);
  const bits = new Uint32Array(a.buffer, a.byteOffset, 2 * n);
  for (let i = 0; i < m; i++) {
    const lo = bits[2 * i];
    const hi = bits[2 * i + 1];
    const neg = hi >>> 31;
    const mask = -neg >>> 0; // all ones for a negative value
    src[2 * i] = (lo ^ mask) >>> 0;
    src[2 * i + 1] = (hi ^ (mask | 0x80000000)) >>> 0;
  }
  const counts = new Int32Array(8 * 256);
  for (let i = 0; i < m; i++) {
    const lo = src[2 * i];
    const hi = src[2 * i + 1];
    counts[lo & 255]++;
    counts[256 + ((lo >>> 8) & 255)]++;
    counts[512 + ((lo >>> 16) & 255)]++;
    counts[768 + (lo >>> 24)]++;
    counts[1024 + (hi & 255)]++;
    counts[1280 + ((hi >>> 8) & 255)]++;
    counts[1536 + ((hi >>> 16) & 255)]++;
    counts[1792 + (hi >>> 24)]++;
  }
  let from = src;
  let to = dst;
  for (let d = 0; d < 8; d++) {
    const c = counts.subarray(256 * d, 256 * (d + 1));
    // A digit every key shares does not reorder anything.
    let single = false;
    for (let b = 0; b < 256; b++) if (c[b] === m) single = true;
    if (single) continue;
    let sum = 0;
    for (let b = 0; b < 256; b++) {
      const k = c[b];
      c[b] = sum;
      sum += k;
    }
    const word = d >> 2;
    const shift = 8 * (d & 3);
    for (let i = 0; i < m; i++) {
      const digit = (from[2 * i + word] >>> shift) & 255;
      const at = c[digit]++;
      to[2 * at] = from[2 * i];
      to[2 * at + 1] = from[2 * i + 1];
    }
    const t = from;
    from = to;
    to = t;
  }
  for (let i = 0; i < m; i++) {
    const lo = from[2 * i];
    const hi = from[2 * i + 1];
    const mask = hi >>> 31 ? 0x80000000 : 0xffffffff; // sign bit set = was positive
    bits[2 * i] = hi >>> 31 ? lo : ~lo >>> 0;
    bits[2 * i + 1] = (hi ^ mask) >>> 0;
  }
  a.fill(NaN, m, m + nans);
  return a;
}
