// TreeSHAP in O(leaves × depth) per row (the idea of Fast TreeSHAP v2, Yang 2021): for one row, every feature on a
// leaf's path is either satisfied (the row follows the path at every split on it) or not, and the leaf's Shapley
// values depend only on that set S. With z_j the path's cover fraction for feature j, d unique path features,
// c(k) = k! (d-k-1)! / d! and g(S) = sum over T ⊆ S of c(|T|) prod_{j in S\T} z_j (tabled per leaf at load, 2^d values):
//   j not in S: phi_j -= v g(S) P,   j in S: phi_j += v (1 - z_j) g(S \ {j}) P,   P = prod_{j not in S} z_j.
// The table holds A(S) = v g(S) P(S) (leaf value and P folded in): as P(S \ {j}) = z_j P(S), a slot in S reads
// r_j A(S \ {j}) with r_j = (1 - z_j) / z_j, one not in S reads A(S); per leaf no product and no data-dependent
// branch (200-tree wa_churn GBDT: 386 → 372-378 µs CPU per record, alternated). A tree with a zero cover fraction on
// a path (no r_j) is left to the recursion. The per-row work is one decision per internal node and d + 1 table
// reads per leaf, no recursion, no allocation.
// Trees with a path of more than MAX_UNIQUE features (deep forests) keep the recursive algorithm (tree-shap.ts).

import type { ForestState } from "../gbdt/forest-state.js";

const DEFAULT_LEFT = 1;
const CATEGORICAL = 2;
/** 2^10 table entries per leaf at most; deeper paths fall back to the recursive TreeSHAP. */
export const MAX_UNIQUE = 10;
/** Bound on all tables of one forest (8 bytes each): 64 MB. */
const MAX_TABLE = 8 * 2 ** 20;

export class LeafPaths {
  /** Per tree: whether it is tabled here (else the caller runs the recursive algorithm on it). */
  readonly tabled: Uint8Array;
  /** Leaves of tabled trees, in tree order: [leafStart[t], leafStart[t + 1]). */
  private readonly leafStart: Int32Array;
  private readonly leafIndex: Int32Array;
  private readonly leafD: Int32Array;
  private readonly slotStart: Int32Array;
  private readonly tableStart: Int32Array;
  /** Per path slot: feature and r = (1 - z) / z of its cover fraction z. */
  private readonly slotFeature: Int32Array;
  private readonly slotR: Float64Array;
  private readonly table: Float64Array;
  /** Internal nodes of the tabled trees, parents first, and the slot of each one's feature on its path. */
  private readonly order: Int32Array;
  private readonly nodeSlot: Int32Array;
  /**
   * Row scratch: S of every node (internal node k at k, leaf j at nInternal + j), pushed down from the roots (all
   * bits set, never overwritten): per row one step per edge instead of one per (leaf, split on its path) — 13k
   * instead of 38k on the 200-tree wa_churn model.
   */
  private readonly sOf: Int32Array;
  private readonly childAt: Int32Array;

  constructor(private readonly s: ForestState) {
    const nTrees = s.treeRoot.length;
    const nInternal = s.feature.length;
    const cover = (c: number) => (c >= 0 ? s.cover![c] : s.leafCover![~c]);
    const leaves: { leaf: number; feats: number[]; zeros: number[] }[] = [];
    const leafStart: number[] = [0];
    const order: number[] = [];
    this.nodeSlot = new Int32Array(nInternal);
    this.tabled = new Uint8Array(nTrees);
    let tableSize = 0;
    for (let t = 0; t < nTrees; t++) {
      const mine: typeof leaves = [];
      const visited: number[] = [];
      let ok = true;
      const walk = (node: number, feats: number[], zeros: number[]): void => {
        if (!ok) return;
        if (node < 0) {
          mine.push({ leaf: ~node, feats, zeros });
          return;
        }
        visited.push(node);
        const f = s.feature[node];
        const w = s.cover![node];
        let slot = feats.indexOf(f);
        if (slot < 0) slot = feats.length;
        this.nodeSlot[node] = slot;
        if (slot >= MAX_UNIQUE) {
          ok = false;
          return;
        }
        for (const child of [s.left[node], s.right[node]]) {
          const z = w > 0 ? cover(child) / w : 0;
          if (!(z > 0)) ok = false; // no r_j for this path
          const f2 = [...feats];
          const z2 = [...zeros];
          if (slot === f2.length) f2.push(f), z2.push(z);
          else z2[slot] *= z;
          walk(child, f2, z2);
        }
      };
      if (s.treeRoot[t] >= 0) walk(s.treeRoot[t], [], []);
      const size = mine.reduce((a, l) => a + (1 << l.feats.length), 0);
      if (ok && s.treeRoot[t] >= 0 && tableSize + size <= MAX_TABLE) {
        this.tabled[t] = 1;
        tableSize += size;
        leaves.push(...mine);
        order.push(...visited);
      }
      leafStart.push(leaves.length);
    }
    const L = leaves.length;
    this.leafStart = Int32Array.from(leafStart);
    this.leafIndex = Int32Array.from(leaves, (l) => l.leaf);
    this.leafD = Int32Array.from(leaves, (l) => l.feats.length);
    this.slotStart = new Int32Array(L + 1);
    this.tableStart = new Int32Array(L + 1);
    for (let l = 0; l < L; l++) {
      this.slotStart[l + 1] = this.slotStart[l] + leaves[l].feats.length;
      this.tableStart[l + 1] = this.tableStart[l] + (1 << leaves[l].feats.length);
    }
    this.slotFeature = Int32Array.from(leaves.flatMap((l) => l.feats));
    this.slotR = Float64Array.from(leaves.flatMap((l) => l.zeros.map((z) => (1 - z) / z)));
    this.table = new Float64Array(this.tableStart[L]);
    for (let l = 0; l < L; l++) fillTable(leaves[l].zeros, s.leafValue[leaves[l].leaf], this.table, this.tableStart[l]);
    this.order = Int32Array.from(order);
    this.sOf = new Int32Array(nInternal + s.leafValue.length);
    for (let t = 0; t < nTrees; t++) if (this.tabled[t]) this.sOf[s.treeRoot[t]] = -1;
    const at = (c: number) => (c >= 0 ? c : nInternal + ~c);
    this.childAt = new Int32Array(2 * nInternal);
    for (let k = 0; k < nInternal; k++) (this.childAt[2 * k] = at(s.left[k])), (this.childAt[2 * k + 1] = at(s.right[k]));
  }

  /**
   * Adds the tabled trees' contributions for the row x[base .. base + F) to phi[output * (F + 1) + f], leaf values
   * times `scale` (a forest's 1 / nTrees). The expected values are the caller's.
   */
  addRow(x: Float64Array, base: number, F: number, phi: Float64Array, scale: number): void {
    const s = this.s;
    const { feature, threshold, flags, catStart, catLen, catBits, treeOutput } = s;
    const { order, nodeSlot, sOf, childAt } = this;
    for (let q = 0; q < order.length; q++) {
      const k = order[q];
      const v = x[base + feature[k]];
      const fl = flags[k];
      let goLeft: boolean;
      if (fl & CATEGORICAL) {
        if (v !== v) goLeft = (fl & DEFAULT_LEFT) !== 0;
        else {
          const w = v >>> 5;
          goLeft = w < catLen[k] && (catBits[catStart[k] + w] & (1 << (v & 31))) !== 0;
        }
      } else goLeft = v <= threshold[k] || (v !== v && (fl & DEFAULT_LEFT) !== 0);
      // The side not taken loses the feature's bit: its S says the row does not follow the path there.
      const bit = 1 << nodeSlot[k];
      const m = sOf[k];
      const offRight = goLeft ? bit : 0;
      sOf[childAt[2 * k]] = m & ~(bit ^ offRight);
      sOf[childAt[2 * k + 1]] = m & ~offRight;
    }
    const nInternal = feature.length;
    const { leafStart, leafIndex, leafD, slotStart, tableStart, slotFeature, slotR, table } = this;
    const nTrees = this.tabled.length;
    for (let t = 0; t < nTrees; t++) {
      const o = treeOutput[t] * (F + 1);
      for (let l = leafStart[t]; l < leafStart[t + 1]; l++) {
        const d = leafD[l];
        const S = sOf[nInternal + leafIndex[l]] & ((1 << d) - 1);
        const s0 = slotStart[l];
        const tb = tableStart[l];
        const out = scale * table[tb + S];
        // in = 1 when slot j is in S: + scale r_j A(S \ {j}); else - A(S). Arithmetic, not a branch (S is random).
        for (let j = 0; j < d; j++) {
          const inS = (S >> j) & 1;
          phi[o + slotFeature[s0 + j]] += inS * scale * slotR[s0 + j] * table[tb + (S & ~(1 << j))] - (1 - inS) * out;
        }
      }
    }
  }
}

/** table[at + S] = A(S) = v g(S) P(S) for every subset S of the d path features with cover fractions z (file comment). */
function fillTable(z: number[], v: number, table: Float64Array, at: number): void {
  const d = z.length;
  // c(k) = k! (d-k-1)! / d!, k = 0 .. d-1
  const fact = [1];
  for (let i = 1; i <= d; i++) fact.push(fact[i - 1] * i);
  const c = Array.from({ length: d }, (_, k) => (fact[k] * fact[d - k - 1]) / fact[d]);
  const e = new Float64Array(d + 1);
  for (let S = 0; S < 1 << d; S++) {
    // Elementary symmetric polynomials e_m of the z's in S: g(S) = sum_m c(|S| - m) e_m.
    e.fill(0);
    e[0] = 1;
    let size = 0;
    for (let j = 0; j < d; j++) {
      if (!((S >> j) & 1)) continue;
      size++;
      for (let m = size; m >= 1; m--) e[m] += z[j] * e[m - 1];
    }
    let g = 0;
    for (let m = 0; m <= size; m++) if (size - m < d) g += c[size - m] * e[m];
    let P = 1;
    for (let j = 0; j < d; j++) if (!((S >> j) & 1)) P *= z[j];
    table[at + S] = v * g * P;
  }
}
