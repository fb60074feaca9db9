// TreeSHAP in O(leaves × depth) per row (the idea of Fast TreeSHAP v2, Yang 2021): for one row, every feature on a
// leaf's path is either satisfied (the row follows the path at every split on it) or not, and the leaf's Shapley
// values depend only on that set S. With z_j the path's cover fraction for feature j, d unique path features,
// c(k) = k! (d-k-1)! / d! and g(S) = sum over T ⊆ S of c(|T|) prod_{j in S\T} z_j (tabled per leaf at load, 2^d values):
//   j not in S: phi_j -= v g(S) P,   j in S: phi_j += v (1 - z_j) g(S \ {j}) P,   P = prod_{j not in S} z_j.
// The table holds A(S) = v g(S) P(S) (leaf value and P folded in): as P(S \ {j}) = z_j P(S), a slot in S reads
// r_j A(S \ {j}) with r_j = (1 - z_j) / z_j, one not in S reads A(S) = A(S \ {j}); per leaf no product and no
// data-dependent branch. A tree with a zero cover fraction on a path (no r_j) is left to the recursion.
// Per row: one decision per internal node over arrays laid out parents first (S pushed down from the roots, the
// direction as bit arithmetic: it is random from node to node, so branches on it mispredict half the time), then the
// leaves in order of d (a steady inner trip count), accumulated per (output, feature) slot. Rows of contributions per
// S (2^d × d values) instead of A alone read less per leaf but the tables grow 4-5x past the caches and were slower
// (wa_churn: 5.9 MB, 385 vs 336 µs). 200-tree wa_churn GBDT, CPU per record: 386 µs (recursion), 372-378 (A tables,
// tree order), 180 (this layout; 324 before it in the same process, load 15).
// Trees with a path of more than MAX_UNIQUE features (deep forests) keep the recursive algorithm (tree-shap.ts).

import type { ForestState } from "../gbdt/forest-state.js";

const DEFAULT_LEFT = 1;
const CATEGORICAL = 2;
/** 2^10 table entries per leaf at most; deeper paths fall back to the recursive TreeSHAP. */
export const MAX_UNIQUE = 10;
/** Bound on all tables of one forest (8 bytes each): 64 MB. */
const MAX_TABLE = 8 * 2 ** 20;

interface Leaf {
  leaf: number;
  tree: number;
  feats: number[];
  zeros: number[];
}

export class LeafPaths {
  /** Per tree: whether it is tabled here (else the caller runs the recursive algorithm on it). */
  readonly tabled: Uint8Array;
  /** Internal nodes of the tabled trees, each tree's parents first: split, and where its children's S go in sOf. */
  private readonly nodeFeature: Int32Array;
  /** NaN for a categorical node. */
  private readonly nodeThreshold: Float64Array;
  private readonly nodeDefaultLeft: Uint8Array;
  /** The node's index in the forest (its category set). */
  private readonly nodeIndex: Int32Array;
  /** The categorical nodes, and row scratch: whether the row's category is in the left set (0 at numeric nodes). */
  private readonly catNodes: Int32Array;
  private readonly catLeft: Uint8Array;
  /** 1 << the slot of the node's feature on its path. */
  private readonly nodeBit: Int32Array;
  private readonly nodeLeft: Int32Array;
  private readonly nodeRight: Int32Array;
  /**
   * Row scratch: S of every node (tabled internal node q at q, leaf l at nNodes + l), pushed down from the roots
   * (all bits set, never overwritten).
   */
  private readonly sOf: Int32Array;
  /** Per leaf: d, its output, where its slots and its table start. */
  private readonly leafD: Int32Array;
  private readonly leafOutput: Int32Array;
  private readonly slotStart: Int32Array;
  private readonly tableStart: Int32Array;
  /** Per path slot: feature and r = (1 - z) / z of its cover fraction z. */
  private readonly slotFeature: Int32Array;
  private readonly slotR: Float64Array;
  private readonly table: Float64Array;
  /** slotFeature as indices into phi for the F last seen (output × (F + 1) + feature), and an accumulator. */
  private slotPhi = new Int32Array(0);
  private phiF = -1;
  private acc = new Float64Array(0);

  constructor(private readonly s: ForestState) {
    const nTrees = s.treeRoot.length;
    const cover = (c: number) => (c >= 0 ? s.cover![c] : s.leafCover![~c]);
    const leaves: Leaf[] = [];
    const nodes: number[] = [];
    /** Slot of each tabled node's feature on its path. */
    const slotOf = new Int32Array(s.feature.length);
    this.tabled = new Uint8Array(nTrees);
    let tableSize = 0;
    const feats: number[] = [];
    const zeros: number[] = [];
    for (let t = 0; t < nTrees; t++) {
      if (s.treeRoot[t] < 0) continue;
      const mine: Leaf[] = [];
      const visited: number[] = [];
      let ok = true;
      let size = 0;
      // Depth first with the path's unique features in feats/zeros, restored on the way back.
      const walk = (node: number): void => {
        if (!ok) return;
        if (node < 0) {
          mine.push({ leaf: ~node, tree: t, feats: feats.slice(), zeros: zeros.slice() });
          size += 1 << feats.length;
          return;
        }
        visited.push(node);
        const f = s.feature[node];
        const w = s.cover![node];
        let slot = feats.indexOf(f);
        const fresh = slot < 0;
        if (fresh) slot = feats.length;
        slotOf[node] = slot;
        if (slot >= MAX_UNIQUE) {
          ok = false;
          return;
        }
        if (fresh) feats.push(f), zeros.push(1);
        const before = zeros[slot];
        for (const child of [s.left[node], s.right[node]]) {
          const z = w > 0 ? cover(child) / w : 0;
          if (!(z > 0)) ok = false; // no r_j for this path
          zeros[slot] = before * z;
          walk(child);
        }
        zeros[slot] = before;
        if (fresh) feats.pop(), zeros.pop();
      };
      walk(s.treeRoot[t]);
      feats.length = zeros.length = 0;
      if (ok && tableSize + size <= MAX_TABLE) {
        this.tabled[t] = 1;
        tableSize += size;
        leaves.push(...mine);
        nodes.push(...visited);
      }
    }
    // Leaves of equal d side by side: the inner loop's trip count stays the same for long runs, so the CPU predicts
    // it and runs ahead into the next leaves' table reads.
    leaves.sort((a, b) => a.feats.length - b.feats.length);
    const L = leaves.length;
    const Q = nodes.length;
    // Where each tabled node's and leaf's S lives in sOf.
    const nodeAt = new Int32Array(s.feature.length);
    nodes.forEach((k, q) => (nodeAt[k] = q));
    const leafAt = new Int32Array(s.leafValue.length);
    leaves.forEach((l, i) => (leafAt[l.leaf] = Q + i));
    const at = (c: number) => (c >= 0 ? nodeAt[c] : leafAt[~c]);
    this.nodeIndex = Int32Array.from(nodes);
    this.nodeFeature = Int32Array.from(nodes, (k) => s.feature[k]);
    this.nodeThreshold = Float64Array.from(nodes, (k) => (s.flags[k] & CATEGORICAL ? NaN : s.threshold[k]));
    this.nodeDefaultLeft = Uint8Array.from(nodes, (k) => s.flags[k] & DEFAULT_LEFT);
    this.catNodes = Int32Array.from(nodes.flatMap((k, q) => (s.flags[k] & CATEGORICAL ? [q] : [])));
    this.catLeft = new Uint8Array(Q);
    this.nodeBit = Int32Array.from(nodes, (k) => 1 << slotOf[k]);
    this.nodeLeft = Int32Array.from(nodes, (k) => at(s.left[k]));
    this.nodeRight = Int32Array.from(nodes, (k) => at(s.right[k]));
    this.sOf = new Int32Array(Q + L);
    for (let t = 0; t < nTrees; t++) if (this.tabled[t]) this.sOf[nodeAt[s.treeRoot[t]]] = -1;
    this.leafD = Int32Array.from(leaves, (l) => l.feats.length);
    this.leafOutput = Int32Array.from(leaves, (l) => s.treeOutput[l.tree]);
    this.slotStart = new Int32Array(L + 1);
    this.tableStart = new Int32Array(L + 1);
    for (let l = 0; l < L; l++) {
      const d = leaves[l].feats.length;
      this.slotStart[l + 1] = this.slotStart[l] + d;
      this.tableStart[l + 1] = this.tableStart[l] + (1 << d);
    }
    this.slotFeature = Int32Array.from(leaves.flatMap((l) => l.feats));
    this.slotR = Float64Array.from(leaves.flatMap((l) => l.zeros.map((z) => (1 - z) / z)));
    this.table = new Float64Array(this.tableStart[L]);
    for (let l = 0; l < L; l++) fillTable(leaves[l].zeros, s.leafValue[leaves[l].leaf], this.table, this.tableStart[l]);
  }

  /**
   * Adds the tabled trees' contributions for the row x[base .. base + F) to phi[output * (F + 1) + f], leaf values
   * times `scale` (a forest's 1 / nTrees). The expected values are the caller's.
   */
  addRow(x: Float64Array, base: number, F: number, phi: Float64Array, scale: number): void {
    const { catStart, catLen, catBits } = this.s;
    const { nodeFeature, nodeThreshold, nodeDefaultLeft, nodeIndex, nodeBit, nodeLeft, nodeRight, catNodes, catLeft, sOf } = this;
    // Categorical splits first, into catLeft (a category in the left set; a missing value is the numeric rule's).
    for (let c = 0; c < catNodes.length; c++) {
      const q = catNodes[c];
      const v = x[base + nodeFeature[q]];
      const k = nodeIndex[q];
      const w = v >>> 5;
      catLeft[q] = v === v && w < catLen[k] && (catBits[catStart[k] + w] & (1 << (v & 31))) !== 0 ? 1 : 0;
    }
    const Q = nodeFeature.length;
    for (let q = 0; q < Q; q++) {
      const v = x[base + nodeFeature[q]];
      // g = 1 when the row goes left, in bit arithmetic, not branches: the direction is random from node to node.
      // A categorical node's threshold is NaN (v <= NaN is false).
      const g = ((v <= nodeThreshold[q]) as unknown as number) | (((v !== v) as unknown as number) & nodeDefaultLeft[q]) | catLeft[q];
      // The side not taken loses the feature's bit: its S says the row does not follow the path there.
      const bit = nodeBit[q];
      const m = sOf[q];
      sOf[nodeLeft[q]] = m & ~(bit & (g - 1));
      sOf[nodeRight[q]] = m & ~(bit & -g);
    }
    if (this.phiF !== F) this.phiFor(F);
    const { leafD, slotPhi, slotR, tableStart, slotStart, table, acc } = this;
    const L = leafD.length;
    acc.fill(0);
    for (let l = 0; l < L; l++) {
      const d = leafD[l];
      const S = sOf[Q + l] & ((1 << d) - 1);
      const s0 = slotStart[l];
      const tb = tableStart[l];
      // Slot j in S: + r_j A(S \ {j}); else - A(S) (= A(S \ {j}) as well). Arithmetic, not a branch (S is random).
      for (let j = 0; j < d; j++) {
        const inS = (S >> j) & 1;
        acc[slotPhi[s0 + j]] += (inS * slotR[s0 + j] - (1 - inS)) * table[tb + (S & ~(1 << j))];
      }
    }
    for (let i = 0; i < acc.length; i++) phi[i] += scale * acc[i];
  }

  /** slotPhi and acc for rows of F features. */
  private phiFor(F: number): void {
    const { leafOutput, slotStart, slotFeature } = this;
    let outputs = 1;
    for (let l = 0; l < leafOutput.length; l++) outputs = Math.max(outputs, leafOutput[l] + 1);
    this.slotPhi = new Int32Array(slotFeature.length);
    for (let l = 0; l < leafOutput.length; l++) {
      for (let p = slotStart[l]; p < slotStart[l + 1]; p++) this.slotPhi[p] = leafOutput[l] * (F + 1) + slotFeature[p];
    }
    this.acc = new Float64Array(outputs * (F + 1));
    this.phiF = F;
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
