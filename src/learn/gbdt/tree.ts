// A tree while it grows: splits on bins, leaves as the nodes of the partition; routes binned rows.

import type { SplitInfo } from "./split-finder.js";

/** What a forest needs from a grown tree (bin-level splits; children >= 0 internal, < 0 leaf ~child). */
export interface TreeShape {
  readonly nInternal: number;
  readonly nLeaves: number;
  readonly feature: ArrayLike<number>;
  readonly bin: ArrayLike<number>;
  readonly defaultLeft: ArrayLike<number>;
  readonly catLeft: ArrayLike<Uint8Array | null>;
  readonly left: ArrayLike<number>;
  readonly right: ArrayLike<number>;
  readonly gain: ArrayLike<number>;
}

/** Child pointers: >= 0 is an internal node, < 0 is leaf ~child. */
export class GrowingTree implements TreeShape {
  nInternal = 0;
  nLeaves = 1;
  readonly feature: Int32Array;
  readonly bin: Int32Array;
  readonly defaultLeft: Uint8Array;
  readonly catLeft: (Uint8Array | null)[];
  /** Per internal node: 1 where a bin (missing slot included) goes left. */
  readonly leftOfBin: Uint8Array[];
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly gain: Float64Array;
  readonly leafValue: Float64Array;
  readonly leafDepth: Int32Array;
  /** Internal node that points at leaf L (-1 for the root leaf), and whether as its left child. */
  private readonly leafParent: Int32Array;
  private readonly leafIsLeft: Uint8Array;

  constructor(readonly maxLeaves: number) {
    const m = Math.max(maxLeaves - 1, 1);
    this.feature = new Int32Array(m);
    this.bin = new Int32Array(m);
    this.defaultLeft = new Uint8Array(m);
    this.catLeft = new Array(m).fill(null);
    this.leftOfBin = new Array(m);
    this.left = new Int32Array(m);
    this.right = new Int32Array(m);
    this.gain = new Float64Array(m);
    this.leafValue = new Float64Array(maxLeaves);
    this.leafDepth = new Int32Array(maxLeaves);
    this.leafParent = new Int32Array(maxLeaves).fill(-1);
    this.leafIsLeft = new Uint8Array(maxLeaves);
  }

  /** Back to a single leaf, the arrays kept (a grower reuses one tree: a dozen allocations per tree on small sets). */
  reset(): this {
    this.nInternal = 0;
    this.nLeaves = 1;
    this.leafDepth.fill(0);
    this.leafParent.fill(-1);
    return this;
  }

  /** Turns leaf `leaf` into an internal node; its rows go to `leaf` (left) and a new leaf (returned, right). */
  split(leaf: number, s: SplitInfo, leftOfBin: Uint8Array): number {
    const node = this.nInternal++;
    const right = this.nLeaves++;
    const parent = this.leafParent[leaf];
    if (parent >= 0) {
      if (this.leafIsLeft[leaf]) this.left[parent] = node;
      else this.right[parent] = node;
    }
    this.feature[node] = s.feature;
    this.bin[node] = s.bin;
    this.defaultLeft[node] = s.defaultLeft ? 1 : 0;
    this.catLeft[node] = s.catLeft;
    this.leftOfBin[node] = leftOfBin.slice();
    this.gain[node] = s.gain;
    this.left[node] = ~leaf;
    this.right[node] = ~right;
    const depth = this.leafDepth[leaf] + 1;
    this.leafDepth[leaf] = depth;
    this.leafDepth[right] = depth;
    this.leafParent[leaf] = node;
    this.leafIsLeft[leaf] = 1;
    this.leafParent[right] = node;
    this.leafIsLeft[right] = 0;
    return right;
  }

  /** Leaf of a binned row: byte bins row-major (nNarrow a row), wide features' bins column-major (nRows a column). */
  leafOfBinnedRow(bins: Uint8Array, nNarrow: number, row: number, wide: Uint16Array | null = null, nRows = 0): number {
    if (this.nInternal === 0) return 0;
    let node = 0;
    while (node >= 0) {
      const f = this.feature[node];
      const t = this.leftOfBin[node][f < nNarrow ? bins[row * nNarrow + f] : wide![(f - nNarrow) * nRows + row]];
      node = t ? this.left[node] : this.right[node];
    }
    return ~node;
  }
}
