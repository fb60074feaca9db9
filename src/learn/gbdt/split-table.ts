// The direction table of a split: which bins (missing slot included) send a row to the left child.

/** Per-bin direction table of a split (1 = left), indexed by the feature's bin including its missing slot. */
export function leftOfBinTable(
  nBins: number,
  numericBin: number,
  catLeft: Uint8Array | null,
  defaultLeft: boolean,
  out: Uint8Array,
): Uint8Array {
  out.fill(0);
  if (catLeft) {
    for (let b = 0; b < nBins; b++) out[b] = catLeft[b];
  } else {
    for (let b = 0; b <= numericBin && b < nBins; b++) out[b] = 1;
  }
  out[nBins] = defaultLeft ? 1 : 0;
  return out;
}
