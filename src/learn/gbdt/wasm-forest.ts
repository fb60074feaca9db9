// Batch prediction of a forest in WebAssembly: trees packed into 16-byte node records (children adjacent, leaves
// pointing at themselves), walked without branches by 8 rows in lockstep. A compiled JS tree branches on every
// node and mispredicts about half the time; here the 8 rows' independent load chains overlap instead.
// Measured on 200k rows x 200 depth-6 trees x 28 features: ~10 ns per tree and row vs ~25 for compiled JS.
// Each thread has its own block of rows and accumulators in the memory, and its own walk functions.

import type { FeatureMatrix } from "../../features/matrix.js";
import type { ForestState } from "./forest.js";
import { assemble, F64, I32, op, wasmApi, type WasmFunction, type WasmMemory } from "./wasm-asm.js";

const { get, set, tee, i32 } = op;

const DEFAULT_LEFT = 1;
const CATEGORICAL = 2;
/** Rows per block (their features copied row-major into the module's memory). */
export const PREDICT_BLOCK = 256;
/** Rows walked in lockstep (8 measured best: 16 runs out of registers). */
const LANES = 8;

interface Layout {
  /** Per tree: root record address, output, depth (i32 x 4). */
  trees: number;
  nodes: number;
  /** Leaf value of record r at values + 8 r. */
  values: number;
  /** Word 0 is zero (rows whose code is past a bitset read it); node bitsets start at word 1. */
  catBits: number;
  /** Per thread t: a block of rows (row-major f64) at block[t], accumulators acc[t][output * PREDICT_BLOCK + row]. */
  block: number[];
  acc: number[];
  /** Rows handed to a worker: jobRows rows column-major (f64, NaN = missing), their scores output-major. */
  jobRows: number;
  input: number;
  output: number;
  bytes: number;
}

export interface PackedForest {
  layout: Layout;
  buf: ArrayBuffer;
  hasCat: boolean;
  nTrees: number;
}

/**
 * Node record (16 bytes): numeric nodes: threshold (f64); categorical: start and length (i32) of their bitset in
 * catBits; then the feature's byte offset in a row (i32); then (left child's address | categorical << 1 |
 * default-right) (i32). A row goes to the left child + 16 when it goes right. Leaves: threshold +Infinity and
 * themselves as left child, so a row stays there for the rest of the tree's depth.
 */
export function packForest(s: ForestState, F: number, outputs: number, threads: number, jobRows: number): PackedForest {
  const nTrees = s.treeRoot.length;
  const records = s.feature.length + s.leafValue.length;
  let end = 0;
  const at = (bytes: number) => {
    const r = end;
    end += Math.ceil(bytes / 64) * 64;
    return r;
  };
  const layout: Layout = {
    trees: at(nTrees * 16),
    nodes: at(records * 16),
    values: at(records * 8),
    catBits: at((1 + s.catBits.length) * 4),
    block: Array.from({ length: threads }, () => at(PREDICT_BLOCK * F * 8)),
    acc: Array.from({ length: threads }, () => at(outputs * PREDICT_BLOCK * 8)),
    jobRows,
    input: at(threads > 1 ? jobRows * F * 8 : 0),
    output: at(threads > 1 ? jobRows * outputs * 8 : 0),
    bytes: 0,
  };
  layout.bytes = end;
  const buf = new ArrayBuffer(end);
  const f64 = new Float64Array(buf);
  const w32 = new Int32Array(buf);
  let hasCat = false;
  let next = 0;
  for (let t = 0; t < nTrees; t++) {
    const base = next;
    let depth = 0;
    // Breadth first: a node's two children get consecutive records.
    const queue: [number, number][] = [[s.treeRoot[t], 0]];
    next++;
    for (let q = 0; q < queue.length; q++) {
      const [node, d] = queue[q];
      const rec = base + q;
      const r4 = (layout.nodes >> 2) + 4 * rec;
      if (node < 0) {
        f64[(layout.nodes >> 3) + 2 * rec] = Infinity;
        w32[r4 + 3] = layout.nodes + 16 * rec;
        f64[(layout.values >> 3) + rec] = s.leafValue[~node];
        depth = Math.max(depth, d);
        continue;
      }
      const child = base + queue.length;
      queue.push([s.left[node], d + 1], [s.right[node], d + 1]);
      next += 2;
      const fl = s.flags[node];
      const cat = (fl & CATEGORICAL) !== 0;
      hasCat ||= cat;
      if (cat) (w32[r4] = 1 + s.catStart[node]), (w32[r4 + 1] = s.catLen[node]);
      else f64[(layout.nodes >> 3) + 2 * rec] = s.threshold[node];
      w32[r4 + 2] = 8 * s.feature[node];
      w32[r4 + 3] = (layout.nodes + 16 * child) | (cat ? 2 : 0) | (fl & DEFAULT_LEFT ? 0 : 1);
    }
    w32.set([layout.nodes + 16 * base, s.treeOutput[t], depth], (layout.trees >> 2) + 4 * t);
  }
  new Uint32Array(buf, layout.catBits + 4, s.catBits.length).set(s.catBits);
  return { layout, buf, hasCat, nTrees };
}

/**
 * One depth step of a lane: node <- its left child, + 16 when the row goes right. `cat`: categorical nodes
 * branch to their bitset test (a branch, not both sides computed: most nodes are numeric); `missing`: rows
 * with a missing value take the node's default side.
 */
function step(L: Layout, cat: boolean, missing: boolean, row: number, node: number, w: number, c: number, v: number): number[] {
  const load = [...get(node), ...op.i32Load(12), ...set(w), ...get(row), ...get(node), ...op.i32Load(8), ...op.i32Add, ...op.f64Load(0), ...set(v)];
  const numericRight = [...get(v), ...get(node), ...op.f64Load(0), ...op.f64Gt];
  const move = [...i32(4), ...op.i32Shl, ...get(w), ...i32(-4), ...op.i32And, ...op.i32Add, ...set(node)];
  // Categorical: right when the code's bit is clear; a code past the bitset reads word 0 (= 0).
  const word = [...get(c), ...i32(5), ...op.i32ShrU];
  const categoricalRight = [
    ...get(v), ...op.i32TruncSatF64U, ...set(c),
    ...get(node), ...op.i32Load(0), ...word, ...op.i32Add, ...i32(0), ...word, ...get(node), ...op.i32Load(4), ...op.i32LtU,
    ...op.select, ...i32(2), ...op.i32Shl, ...op.i32Load(L.catBits),
    ...get(c), ...i32(31), ...op.i32And, ...op.i32ShrU, ...i32(1), ...op.i32And, ...i32(1), ...op.i32Xor,
  ];
  const right = cat ? [...get(w), ...i32(2), ...op.i32And, ...op.ifI32, ...categoricalRight, ...op.else, ...numericRight, ...op.end] : numericRight;
  if (!missing) return [...load, ...right, ...move];
  return [...load, ...get(w), ...i32(1), ...op.i32And, ...right, ...get(v), ...get(v), ...op.f64Ne, ...op.select, ...move];
}

/**
 * walk(t0, t1, m): trees t0..t1-1 over block rows 0..m-1 (m a multiple of `lanes`): acc[output][row] += leaf
 * value, trees in order.
 */
function walkFn(name: string, L: Layout, t: number, F: number, lanes: number, cat: boolean, missing: boolean): WasmFunction {
  const [T0, T1, M, T, J, D, DEPTH, ROOT, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const lane = (r: number) => ({ row: 9 + 4 * r, node: 10 + 4 * r, w: 11 + 4 * r, c: 12 + 4 * r, v: 9 + 4 * lanes + r });
  const start: number[] = [];
  const steps: number[] = [];
  const finish: number[] = [];
  for (let r = 0; r < lanes; r++) {
    const l = lane(r);
    start.push(...get(J), ...i32(r), ...op.i32Add, ...i32(8 * F), ...op.i32Mul, ...i32(L.block[t]), ...op.i32Add, ...set(l.row), ...get(ROOT), ...set(l.node));
    steps.push(...step(L, cat, missing, l.row, l.node, l.w, l.c, l.v));
    // acc[row] += the leaf's value (at half its record's offset from the nodes)
    finish.push(
      ...get(ACC), ...get(J), ...i32(r), ...op.i32Add, ...i32(3), ...op.i32Shl, ...op.i32Add, ...tee(l.w),
      ...get(l.w), ...op.f64Load(0), ...get(l.node), ...i32(L.nodes), ...op.i32Sub, ...i32(1), ...op.i32ShrU, ...op.f64Load(L.values), ...op.f64Add,
      ...op.f64Store(0),
    );
  }
  const rows = [
    ...start,
    ...get(DEPTH), ...set(D), ...op.block, ...op.loop, ...get(D), ...op.i32Eqz, ...op.brIf(1),
    ...steps, ...get(D), ...i32(1), ...op.i32Sub, ...set(D), ...op.br(0), ...op.end, ...op.end,
    ...finish,
  ];
  const code = [
    ...get(T0), ...set(T), ...op.block, ...op.loop, ...get(T), ...get(T1), ...op.i32GeU, ...op.brIf(1),
    ...get(T), ...i32(4), ...op.i32Shl, ...tee(J), ...op.i32Load(L.trees), ...set(ROOT),
    ...get(J), ...op.i32Load(L.trees + 8), ...set(DEPTH),
    ...get(J), ...op.i32Load(L.trees + 4), ...i32(8 * PREDICT_BLOCK), ...op.i32Mul, ...i32(L.acc[t]), ...op.i32Add, ...set(ACC),
    ...i32(0), ...set(J), ...op.block, ...op.loop, ...get(J), ...get(M), ...op.i32GeU, ...op.brIf(1),
    ...rows, ...get(J), ...i32(lanes), ...op.i32Add, ...set(J), ...op.br(0), ...op.end, ...op.end,
    ...get(T), ...i32(1), ...op.i32Add, ...set(T), ...op.br(0), ...op.end, ...op.end,
  ];
  return { name, params: [I32, I32, I32], results: [], locals: [[6 + 4 * lanes, I32], [lanes, F64]], code };
}

/** The module of thread t's walks (exports w0: blocks without missing values, w1: with). */
export function walkModule(p: PackedForest, F: number, t: number, pages: number, shared: boolean): Uint8Array {
  const fns = [walkFn("w0", p.layout, t, F, LANES, p.hasCat, false), walkFn("w1", p.layout, t, F, LANES, p.hasCat, true)];
  return assemble(fns, pages, shared);
}

type Walk = (t0: number, t1: number, m: number) => void;

/** Where rows come from: per feature its values (f64, NaN = missing) or category codes (-1 = missing). */
export type RowSource = (Float64Array | Int32Array)[];

/** The feature columns of a matrix as a row source. */
export const matrixSource = (X: FeatureMatrix): RowSource => X.columns.map((c) => (c.kind === "numeric" ? c.values : c.codes));

/** One thread's view of a packed forest in a wasm memory: its walks, block and accumulators. */
export class ForestWalker {
  private readonly walks: Walk[];
  private readonly block: Float64Array;
  private readonly acc: Float64Array;

  constructor(
    private readonly p: Omit<PackedForest, "buf">,
    private readonly nFeatures: number,
    private readonly outputs: number,
    memory: WasmMemory,
    t: number,
    module: object,
  ) {
    const exp = new wasmApi!.Instance(module, { e: { m: memory } }).exports as unknown as Record<string, Walk>;
    this.walks = [exp.w0, exp.w1];
    this.block = new Float64Array(memory.buffer, p.layout.block[t], PREDICT_BLOCK * nFeatures);
    this.acc = new Float64Array(memory.buffer, p.layout.acc[t], outputs * PREDICT_BLOCK);
  }

  /**
   * Rows from..from+count-1 of `src`: out[k * stride + at + j] += the trees' outputs for row from + j. The scores
   * pass through the accumulators, so trees add onto them in the same order as the JS walk (same last bits).
   */
  score(src: RowSource, from: number, count: number, out: Float64Array, stride: number, at: number): void {
    const F = this.nFeatures;
    const { block, acc, outputs } = this;
    for (let j0 = 0; j0 < count; j0 += PREDICT_BLOCK) {
      const m = Math.min(PREDICT_BLOCK, count - j0);
      let missing = false;
      for (let f = 0; f < F; f++) {
        const c = src[f];
        const base = from + j0;
        if (c instanceof Float64Array) {
          for (let j = 0; j < m; j++) {
            const x = c[base + j];
            block[j * F + f] = x;
            missing ||= x !== x;
          }
        } else {
          for (let j = 0; j < m; j++) {
            const x = c[base + j];
            block[j * F + f] = x < 0 ? NaN : x;
            missing ||= x < 0;
          }
        }
      }
      for (let k = 0; k < outputs; k++) acc.set(out.subarray(k * stride + at + j0, k * stride + at + j0 + m), k * PREDICT_BLOCK);
      // Rows past m repeat stale block data: their sums are dropped.
      this.walks[missing ? 1 : 0](0, this.p.nTrees, Math.ceil(m / LANES) * LANES);
      for (let k = 0; k < outputs; k++) out.set(acc.subarray(k * PREDICT_BLOCK, k * PREDICT_BLOCK + m), k * stride + at + j0);
    }
  }
}
