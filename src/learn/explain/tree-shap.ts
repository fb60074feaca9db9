// Exact path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2, as in shap's tree_shap.h) on a packed forest:
// per row, each feature's contribution to every output's raw score, and the expected value (cover-weighted mean leaf).

import { ValidationError } from "../../errors.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { ForestState } from "../gbdt/forest.js";
import { LeafPaths } from "./leaf-paths.js";

const DEFAULT_LEFT = 1;
const CATEGORICAL = 2;

/** Whether a row with value v (NaN = missing; categories as codes) goes left at `node`, as the scorers decide. */
function goesLeft(s: ForestState, node: number, v: number): boolean {
  const fl = s.flags[node];
  if (fl & CATEGORICAL) {
    if (v !== v) return (fl & DEFAULT_LEFT) !== 0;
    const w = v >>> 5;
    return w < s.catLen[node] && (s.catBits[s.catStart[node] + w] & (1 << (v & 31))) !== 0;
  }
  return v <= s.threshold[node] || (v !== v && (fl & DEFAULT_LEFT) !== 0);
}

/** The path of unique features from the root (one flat buffer; each recursion level owns a segment). */
class Path {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  w: Float64Array;

  constructor(maxDepth: number) {
    const size = ((maxDepth + 2) * (maxDepth + 3)) / 2;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.w = new Float64Array(size);
  }

  // A plain loop: n is the path length (a handful), where four copyWithin calls cost more than the copying.
  copy(from: number, to: number, n: number): void {
    const { feature, zero, one, w } = this;
    for (let i = 0; i < n; i++) {
      feature[to + i] = feature[from + i];
      zero[to + i] = zero[from + i];
      one[to + i] = one[from + i];
      w[to + i] = w[from + i];
    }
  }

  extend(p: number, depth: number, zero: number, one: number, feature: number): void {
    const { w } = this;
    this.feature[p + depth] = feature;
    this.zero[p + depth] = zero;
    this.one[p + depth] = one;
    w[p + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      w[p + i + 1] += (one * w[p + i] * (i + 1)) / (depth + 1);
      w[p + i] = (zero * w[p + i] * (depth - i)) / (depth + 1);
    }
  }

  unwind(p: number, depth: number, index: number): void {
    const { w } = this;
    const one = this.one[p + index];
    const zero = this.zero[p + index];
    let next = w[p + depth];
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const t = w[p + i];
        w[p + i] = (next * (depth + 1)) / ((i + 1) * one);
        next = t - (w[p + i] * zero * (depth - i)) / (depth + 1);
      } else w[p + i] = (w[p + i] * (depth + 1)) / (zero * (depth - i));
    }
    for (let i = index; i < depth; i++) {
      this.feature[p + i] = this.feature[p + i + 1];
      this.zero[p + i] = this.zero[p + i + 1];
      this.one[p + i] = this.one[p + i + 1];
    }
  }

  unwoundSum(p: number, depth: number, index: number): number {
    const { w } = this;
    const one = this.one[p + index];
    const zero = this.zero[p + index];
    let next = w[p + depth];
    let total = 0;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const t = (next * (depth + 1)) / ((i + 1) * one);
        total += t;
        next = w[p + i] - (t * zero * (depth - i)) / (depth + 1);
      } else total += w[p + i] / zero / ((depth - i) / (depth + 1));
    }
    return total;
  }
}

/** Explains forests row by row; reusable across rows (its path buffer is sized for the deepest tree). */
export class TreeExplainer {
  private readonly path: Path;
  /** Expected value (cover-weighted mean leaf value) of each tree. */
  readonly treeExpected: Float64Array;

  constructor(private readonly s: ForestState) {
    // A model saved before explanations existed: the caller asked for something this artifact cannot give (a 400).
    if (!s.cover || !s.leafCover) throw new ValidationError("this model was saved without node covers, so it cannot explain its predictions", { path: "explain", hint: "retrain it with this Millrace version" });
    let maxDepth = 0;
    const nTrees = s.treeRoot.length;
    this.treeExpected = new Float64Array(nTrees);
    const cover = (c: number) => (c >= 0 ? s.cover![c] : s.leafCover![~c]);
    const walk = (node: number, d: number): number => {
      if (node < 0) {
        maxDepth = Math.max(maxDepth, d);
        return s.leafValue[~node] * s.leafCover![~node];
      }
      return walk(s.left[node], d + 1) + walk(s.right[node], d + 1);
    };
    for (let t = 0; t < nTrees; t++) {
      const root = s.treeRoot[t];
      const total = cover(root);
      const sum = walk(root, 0);
      this.treeExpected[t] = total > 0 ? sum / total : root < 0 ? s.leafValue[~root] : 0;
    }
    this.path = new Path(maxDepth + 1);
  }

  /**
   * Adds tree t's contributions for the row x[base .. base + F) to phi[output * (F + 1) + f] (f = F: the expected
   * value), scaled by `scale` (a forest's 1 / nTrees).
   */
  addTree(t: number, x: Float64Array, base: number, F: number, phi: Float64Array, scale: number): void {
    phi[this.s.treeOutput[t] * (F + 1) + F] += scale * this.treeExpected[t];
    this.addPaths(t, x, base, F, phi, scale);
  }

  /** addTree without the expected value. */
  addPaths(t: number, x: Float64Array, base: number, F: number, phi: Float64Array, scale: number): void {
    const s = this.s;
    const o = s.treeOutput[t] * (F + 1);
    const root = s.treeRoot[t];
    if (root < 0) return;
    this.recurse(root, x, base, phi, o, scale, 0, 0, 1, 1, -1);
  }

  private recurse(node: number, x: Float64Array, base: number, phi: Float64Array, o: number, scale: number, parentP: number, depth: number, zero: number, one: number, feature: number): void {
    const s = this.s;
    const path = this.path;
    // This level's segment starts after the parent's, holding a copy of it (shap's tree_shap_recursive).
    const p = parentP + depth + 1;
    path.copy(parentP, p, depth + 1);
    path.extend(p, depth, zero, one, feature);
    if (node < 0) {
      const v = scale * s.leafValue[~node];
      for (let i = 1; i <= depth; i++) {
        const w = path.unwoundSum(p, depth, i);
        phi[o + path.feature[p + i]] += w * (path.one[p + i] - path.zero[p + i]) * v;
      }
      return;
    }
    const f = s.feature[node];
    const left = s.left[node];
    const right = s.right[node];
    const toLeft = goesLeft(s, node, x[base + f]);
    const hot = toLeft ? left : right;
    const cold = toLeft ? right : left;
    const nc = s.cover!;
    const lc = s.leafCover!;
    const w = nc[node];
    const hotZero = w > 0 ? (hot >= 0 ? nc[hot] : lc[~hot]) / w : 0;
    const coldZero = w > 0 ? (cold >= 0 ? nc[cold] : lc[~cold]) / w : 0;
    let inZero = 1;
    let inOne = 1;
    let d = depth;
    let k = 0;
    for (; k <= d; k++) if (path.feature[p + k] === f) break;
    if (k !== d + 1) {
      inZero = path.zero[p + k];
      inOne = path.one[p + k];
      path.unwind(p, d, k);
      d -= 1;
    }
    this.recurse(hot, x, base, phi, o, scale, p, d + 1, hotZero * inZero, inOne, f);
    this.recurse(cold, x, base, phi, o, scale, p, d + 1, coldZero * inZero, 0, f);
  }
}

/**
 * A forest's explainer, built once (a server explains record by record): the expected value per output, the leaf
 * tables of leaf-paths.ts, and the recursive algorithm for the trees too deep to table.
 */
class ForestExplainer {
  readonly recursive: TreeExplainer;
  readonly paths: LeafPaths;
  /** Trees left to the recursive algorithm. */
  readonly deep: Int32Array;
  private readonly expected = new Map<number, Float64Array>();

  constructor(readonly s: ForestState) {
    this.recursive = new TreeExplainer(s);
    this.paths = new LeafPaths(s);
    this.deep = Int32Array.from([...this.paths.tabled.keys()].filter((t) => !this.paths.tabled[t]));
  }

  /** Sum of scale x the trees' expected values, per output. */
  expectedOf(outputs: number, scale: number): Float64Array {
    let e = this.expected.get(scale);
    if (!e) {
      e = new Float64Array(outputs);
      const te = this.recursive.treeExpected;
      for (let t = 0; t < te.length; t++) e[this.s.treeOutput[t]] += scale * te[t];
      this.expected.set(scale, e);
    }
    return e;
  }
}

const explainers = new WeakMap<ForestState, ForestExplainer>();

/**
 * Rough nanoseconds to explain one row of forest s, from its shape alone (no row explained): tabled trees cost ~9 ns
 * per internal node and ~18 ns per leaf (wa_churn's 200-tree gbdt, 2026-12-05, load 15: ~60 + ~120 µs); a tree left to the
 * recursive algorithm ~4 ns per step, (depth + 1)² steps per leaf. A deep forest (100 fully grown trees on diamonds)
 * comes to seconds a row, which is what callers that explain many rows must know before they start.
 */
export function explainNanosPerRow(s: ForestState): number {
  const { paths } = forestExplainer(s);
  let ns = 0;
  const stack: number[] = [];
  for (let t = 0; t < s.treeRoot.length; t++) {
    const tabled = paths.tabled[t] === 1;
    stack.length = 0;
    stack.push(s.treeRoot[t], 0);
    while (stack.length > 0) {
      const d = stack.pop()!;
      const node = stack.pop()!;
      if (node < 0) ns += tabled ? 18 : 4 * (d + 1) * (d + 1);
      else {
        if (tabled) ns += 9;
        stack.push(s.left[node], d + 1, s.right[node], d + 1);
      }
    }
  }
  return ns;
}

function forestExplainer(s: ForestState): ForestExplainer {
  let explainer = explainers.get(s);
  if (!explainer) explainers.set(s, (explainer = new ForestExplainer(s)));
  return explainer;
}

/** Contributions of every feature per row and output: values[(i * outputs + k) * (F + 1) + f], f = F the expected value. */
export interface Explanation {
  features: string[];
  outputs: number;
  values: Float64Array;
  /** What the slots add up to: "log-odds", "margin" (softmax input), "probability" or "value". */
  scale: string;
}

/**
 * TreeSHAP of every row of X for a forest whose raw score is `base[k]` + `scale` × the sum of output k's trees; the
 * expected value slot includes `base`, so each row's slots sum to its raw score.
 */
export function explainForest(s: ForestState, X: FeatureMatrix, outputs: number, base: ArrayLike<number>, what: string, scale = 1): Explanation {
  const explainer = forestExplainer(s);
  const expected = explainer.expectedOf(outputs, scale);
  const { paths, deep, recursive } = explainer;
  const F = X.columns.length;
  const n = X.nRows;
  const width = outputs * (F + 1);
  const values = new Float64Array(n * width);
  const x = new Float64Array(F);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) {
      const c = X.columns[f];
      x[f] = c.kind === "numeric" ? c.values[i] : c.codes[i] < 0 ? NaN : c.codes[i];
    }
    const phi = values.subarray(i * width, (i + 1) * width);
    for (let k = 0; k < outputs; k++) phi[k * (F + 1) + F] = base[k] + expected[k];
    paths.addRow(x, 0, F, phi, scale);
    for (let j = 0; j < deep.length; j++) recursive.addPaths(deep[j], x, 0, F, phi, scale);
  }
  return { features: X.columns.map((c) => c.name), outputs, values, scale: what };
}
