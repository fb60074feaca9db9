// Scores of the whole catalogue for one user as one matrix-vector product: every dot-product recommender (baseline,
// svd, svdpp, nmf, als, two_tower) is score(u, i) = base(u) + [V_i, b_i] · [U_u, 1], so the item side is packed
// once into a padded row-major f32 matrix in a WebAssembly memory; each request screens the catalogue with a
// hand-assembled f32x4 kernel (four items per pass, the user vector streamed beside them) and the index rescores
// in f64 only the items within the screen's error bound of the top K. Other learners (item_knn) keep scoreItems.
// svd, 100 factors, 10,000 items: JS scoreItems 864 µs CPU per recommend() call; see bench/RESULTS.md for this.

import { assemble, I32, op, uleb, V128, wasmApi, type WasmFunction, type WasmMemory } from "../learn/gbdt/wasm-asm.js";
import { FittedALS, type ALSState } from "../recommend/als.js";
import { FittedBiasedMF, type BiasedMFState } from "../recommend/biased-mf.js";
import type { FittedRecommender } from "../recommend/estimator.js";
import { dot } from "../recommend/interactions.js";
import { FittedNMF, type NMFState } from "../recommend/nmf.js";
import { FittedTwoTower } from "../recommend/two-tower/model.js";

/** score(u, i) = mu + userBias[u] + itemBias[i] + users[u]·items[i] (absent biases are 0). */
export interface DotForm {
  mu: number;
  dim: number;
  users: Float64Array;
  items: Float64Array;
  userBias?: Float64Array;
  itemBias?: Float64Array;
}

/** One entry per learner whose scores are a dot product; the registry of the fast path. */
const DOT_FORMS: Array<(f: FittedRecommender) => DotForm | null> = [
  (f) => {
    if (!(f instanceof FittedBiasedMF)) return null;
    const s = f.state() as unknown as BiasedMFState;
    return { mu: s.mu, dim: s.k, users: s.P, items: s.Q, userBias: s.bu, itemBias: s.bi };
  },
  (f) => {
    if (!(f instanceof FittedALS)) return null;
    const s = f.state() as unknown as ALSState;
    return { mu: 0, dim: s.k, users: s.X, items: s.Y };
  },
  (f) => {
    if (!(f instanceof FittedNMF)) return null;
    const s = f.state() as unknown as NMFState;
    return { mu: 0, dim: s.k, users: s.P, items: s.Q }; // FittedNMF.scoreItems ranks by P·Q alone
  },
  (f) => (f instanceof FittedTwoTower ? { mu: f.s.mu, dim: f.s.dim, users: f.s.U, items: f.s.V } : null),
];

export const dotForm = (f: FittedRecommender): DotForm | null => DOT_FORMS.reduce<DotForm | null>((hit, form) => hit ?? form(f), null);

// matvec(m, w, out, rows, quads): out[i] = Σ_t m[i, t] w[t] in f32 for rows (a multiple of 4) of 4·quads floats.
const [M, W, OUT, ROWS, QUADS] = [0, 1, 2, 3, 4];
const [I, T, P0, PW, STRIDE] = [5, 6, 7, 11, 12];
const [A0, WV] = [13, 17];
const load = (offset: number) => [0xfd, ...uleb(0x00), 4, ...uleb(offset)];
const lane = (j: number) => [0xfd, ...uleb(0x1f), j]; // f32x4.extract_lane
const [F32X4_ADD, F32X4_MUL, F32_ADD] = [[0xfd, ...uleb(0xe4)], [0xfd, ...uleb(0xe6)], [0x92]];
const f32Store = (offset: number) => [0x38, 2, ...uleb(offset)];

function matvecFn(): WasmFunction {
  const { get, set, i32 } = op;
  const zero = op.v128Const(new Uint8Array(16));
  const inner = [
    ...get(W), ...set(PW), ...get(QUADS), ...set(T),
    ...op.block, ...op.loop, ...get(T), ...op.i32Eqz, ...op.brIf(1),
    ...get(PW), ...load(0), ...set(WV),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get(A0 + r), ...get(P0 + r), ...load(0), ...get(WV), ...F32X4_MUL, ...F32X4_ADD, ...set(A0 + r),
      ...get(P0 + r), ...i32(16), ...op.i32Add, ...set(P0 + r),
    ]),
    ...get(PW), ...i32(16), ...op.i32Add, ...set(PW),
    ...get(T), ...i32(1), ...op.i32Sub, ...set(T), ...op.br(0), ...op.end, ...op.end,
  ];
  const row = [
    ...[0, 1, 2, 3].flatMap((r) => [...zero, ...set(A0 + r)]),
    ...[1, 2, 3].flatMap((r) => [...get(P0 + r - 1), ...get(STRIDE), ...op.i32Add, ...set(P0 + r)]),
    ...inner,
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get(OUT), ...get(I), ...i32(2), ...op.i32Shl, ...op.i32Add,
      ...get(A0 + r), ...lane(0), ...get(A0 + r), ...lane(1), ...F32_ADD, ...get(A0 + r), ...lane(2), ...F32_ADD, ...get(A0 + r), ...lane(3), ...F32_ADD,
      ...f32Store(r * 4),
    ]),
    ...get(P0 + 3), ...set(P0),
  ];
  return {
    name: "matvec",
    params: [I32, I32, I32, I32, I32],
    results: [],
    locals: [[8, I32], [5, V128]],
    code: [
      ...get(QUADS), ...i32(4), ...op.i32Shl, ...set(STRIDE), ...get(M), ...set(P0),
      ...i32(0), ...set(I),
      ...op.block, ...op.loop, ...get(I), ...get(ROWS), ...op.i32GeU, ...op.brIf(1),
      ...row,
      ...get(I), ...i32(4), ...op.i32Add, ...set(I), ...op.br(0), ...op.end, ...op.end,
    ],
  };
}

/**
 * The catalogue of a dot-form learner packed as f32 for a screening pass; the exact score (the learner's own f64
 * arithmetic, bit for bit) is computed for the few items the screen cannot rule out. score(u) fills `approx` (a view,
 * valid until the next call) and returns the screen's error bound: |approx_i − (exact_i − base)| ≤ bound for every i.
 */
export class DotScorer {
  readonly approx: Float32Array;
  private readonly mem: Float32Array;
  private readonly run: (m: number, w: number, out: number, rows: number, quads: number) => void;
  private readonly width: number;
  private readonly wAt: number;
  private readonly rows: number;
  private readonly outAt: number;
  /** The largest Euclidean norm of an item row [V_i, b_i] (with the f32 rounding of its entries). */
  private readonly maxNorm: number;
  private readonly vec: Float64Array;
  private base = 0;

  constructor(private readonly form: DotForm, readonly nItems: number) {
    const api = wasmApi;
    if (!api) throw new Error("WebAssembly is not available");
    this.width = (form.dim + 4) & ~3; // factors, the item bias, padding to a multiple of 4
    this.rows = (nItems + 3) & ~3;
    const wAt = this.rows * this.width;
    const outAt = wAt + this.width;
    const pages = Math.ceil(((outAt + this.rows) * 4) / 65536) || 1;
    const memory: WasmMemory = new api.Memory({ initial: pages, maximum: pages, shared: false });
    this.mem = new Float32Array(memory.buffer);
    const { dim, items, itemBias } = form;
    let maxNorm = 0;
    for (let i = 0; i < nItems; i++) {
      this.mem.set(items.subarray(i * dim, i * dim + dim), i * this.width);
      this.mem[i * this.width + dim] = itemBias ? itemBias[i] : 0;
      let n2 = itemBias ? itemBias[i] ** 2 : 0;
      for (let t = 0; t < dim; t++) n2 += items[i * dim + t] ** 2;
      maxNorm = Math.max(maxNorm, Math.sqrt(n2));
    }
    this.maxNorm = maxNorm * (1 + 2 ** -20);
    this.wAt = wAt;
    this.outAt = outAt;
    this.approx = this.mem.subarray(outAt, outAt + nItems);
    this.vec = new Float64Array(dim);
    const exports = new api.Instance(new api.Module(assemble([matvecFn()], pages, false)), { e: { m: memory } }).exports;
    this.run = exports.matvec as DotScorer["run"];
  }

  /** Screens every item for known user u; returns the error bound of `approx`. */
  score(u: number): number {
    const { dim, users, userBias, mu } = this.form;
    return this.scoreVector(users.subarray(u * dim, u * dim + dim), mu + (userBias ? userBias[u] : 0));
  }

  /** Screens every item for a user vector of `dim` values (scores base + item bias + vector · item factors). */
  scoreVector(vec: Float64Array, base: number): number {
    const { dim } = this.form;
    this.vec.set(vec.subarray(0, dim));
    this.base = base;
    const w = this.mem;
    let n2 = 1; // the 1 that meets the item bias
    for (let t = 0; t < dim; t++) (w[this.wAt + t] = vec[t]), (n2 += vec[t] * vec[t]);
    w[this.wAt + dim] = 1;
    for (let t = dim + 1; t < this.width; t++) w[this.wAt + t] = 0;
    this.run(0, this.wAt * 4, this.outAt * 4, this.rows, this.width / 4);
    // Rounding the inputs to f32 and summing `width` products in f32: within (width + 2)·2^-24 of Σ|m||w| ≤ ‖m‖‖w‖
    // (Cauchy–Schwarz); twice that for margin.
    return (this.width + 2) * 2 ** -23 * this.maxNorm * Math.sqrt(n2) * (1 + 2 ** -20);
  }

  /** The exact score of item i for the last screened user, in the learner's own arithmetic (scoreItems). */
  exact(i: number): number {
    const { dim, items, itemBias } = this.form;
    return this.base + (itemBias ? itemBias[i] : 0) + dot(this.vec, 0, items, i * dim, dim);
  }
}
