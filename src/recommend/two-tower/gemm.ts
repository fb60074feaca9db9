// The three matrix products of a dense layer, as a hand-assembled WebAssembly SIMD kernel (f64x2, a 4 x 4 block of
// the output held in eight registers while the inner dimension streams by), with the plain loops as the fallback
// and the reference. Operands are copied into the kernel's memory (rows padded to 4, columns to 4, transposed
// where the product needs it): the copies are O(n·k) against the product's O(n·k·m), m ≥ 32 here.
// Measured on InstEval's two_tower fit (2 × EPYC, one thread): the JS loops ran ~0.8 G multiply-adds/s and were
// 90% of the fit's CPU (node --cpu-prof); see bench/RESULTS.md for the kernel's figure.

import { assemble, I32, op, uleb, V128, wasmApi, type WasmFunction, type WasmMemory } from "../../learn/gbdt/wasm-asm.js";

const { get, set, i32 } = op;

/** y (n x m) = x (n x k) W (k x m) + b; dx (n x k) = dy (n x m) Wᵀ; gW (k x m) += xᵀ dy and gb += Σ rows of dy. */
export interface Gemm {
  forward(x: Float64Array, n: number, k: number, W: Float64Array, m: number, b: Float64Array, y: Float64Array): void;
  backInput(dy: Float64Array, n: number, m: number, W: Float64Array, k: number, dx: Float64Array): void;
  backWeights(x: Float64Array, n: number, k: number, dy: Float64Array, m: number, gW: Float64Array, gb: Float64Array): void;
}

/** The plain loops (row-major, the inner loop over contiguous output columns). */
export const jsGemm: Gemm = {
  forward(x, n, k, W, m, b, y) {
    for (let i = 0; i < n; i++) {
      const yo = i * m;
      for (let j = 0; j < m; j++) y[yo + j] = b[j];
      for (let t = 0; t < k; t++) {
        const xit = x[i * k + t];
        if (xit === 0) continue;
        const wo = t * m;
        for (let j = 0; j < m; j++) y[yo + j] += xit * W[wo + j];
      }
    }
  },
  backInput(dy, n, m, W, k, dx) {
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += dy[i * m + j] * W[t * m + j];
        dx[i * k + t] = s;
      }
    }
  },
  backWeights(x, n, k, dy, m, gW, gb) {
    for (let i = 0; i < n; i++) {
      const yo = i * m;
      for (let j = 0; j < m; j++) gb[j] += dy[yo + j];
      for (let t = 0; t < k; t++) {
        const xit = x[i * k + t];
        if (xit === 0) continue;
        const wo = t * m;
        for (let j = 0; j < m; j++) gW[wo + j] += xit * dy[yo + j];
      }
    }
  },
};

// gemm(a, aRow, aStep, b, c, init, initRow, rows, inner, cols): C (rows x cols) = INIT + A (rows x inner) B
// (inner x cols); byte offsets and strides. A's element (i, t) is at a + i·aRow + t·aStep, so a row-major x is
// (k·e, e) and its transpose, read in place, is (e, k·e) (e = element bytes). INIT row i is at init + i·initRow (0:
// one bias row for all; C itself with C's stride: accumulate). B and C are row-major with `cols` (a multiple of the
// column block) columns; rows a multiple of 4. Locals: four row pointers into A, the pointer into B, strides,
// 8 accumulators (4 rows x 2 vectors), 2 B vectors, x. f64: 4 x 4 blocks (f64x2); f32: 4 x 8 blocks (f32x4).
const [A, AROW, ASTEP, B, C, INIT, INITROW, ROWS, INNER, COLS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [I, J, KK, PA0, PB, SB, PC, PI] = [10, 11, 12, 13, 17, 18, 19, 20];
const ACC = 21;
const [B0, B1, X] = [29, 30, 31];

interface Precision {
  name: "f64" | "f32";
  /** log2 of the element bytes */
  shift: number;
  /** columns per block: two vectors */
  block: number;
  splat: number[];
  mul: number[];
  add: number[];
}
const F64P: Precision = { name: "f64", shift: 3, block: 4, splat: [0xfd, ...uleb(0x0a), 3, 0], mul: [...op.f64x2Mul], add: [...op.f64x2Add] };
const F32P: Precision = { name: "f32", shift: 2, block: 8, splat: [0xfd, ...uleb(0x09), 2, 0], mul: [0xfd, ...uleb(0xe6)], add: [0xfd, ...uleb(0xe4)] };

const whileLt = (ctr: number, limit: number, step: number, body: number[]) => [
  ...i32(0), ...set(ctr),
  ...op.block, ...op.loop, ...get(ctr), ...get(limit), ...op.i32GeU, ...op.brIf(1),
  ...body,
  ...get(ctr), ...i32(step), ...op.i32Add, ...set(ctr), ...op.br(0), ...op.end, ...op.end,
];
const rowPtr = (base: number, stride: number, row: number[]) => [...get(base), ...row, ...get(stride), ...op.i32Mul, ...op.i32Add];

function gemmFn(P: Precision): WasmFunction {
  const col = [...get(J), ...i32(P.shift), ...op.i32Shl, ...op.i32Add];
  const fma = (acc: number, lane: number) => [...get(acc), ...get(X), ...get(lane), ...P.mul, ...P.add, ...set(acc)];
  const inner = [
    ...get(INNER), ...set(KK),
    ...op.block, ...op.loop, ...get(KK), ...op.i32Eqz, ...op.brIf(1),
    ...get(PB), ...op.v128Load(0), ...set(B0), ...get(PB), ...op.v128Load(16), ...set(B1),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get(PA0 + r), ...P.splat, ...set(X),
      ...fma(ACC + 2 * r, B0), ...fma(ACC + 2 * r + 1, B1),
      ...get(PA0 + r), ...get(ASTEP), ...op.i32Add, ...set(PA0 + r),
    ]),
    ...get(PB), ...get(SB), ...op.i32Add, ...set(PB),
    ...get(KK), ...i32(1), ...op.i32Sub, ...set(KK), ...op.br(0), ...op.end, ...op.end,
  ];
  const block = [
    ...rowPtr(INIT, INITROW, get(I)), ...col, ...set(PI),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get(PI), ...op.v128Load(0), ...set(ACC + 2 * r), ...get(PI), ...op.v128Load(16), ...set(ACC + 2 * r + 1),
      ...get(PI), ...get(INITROW), ...op.i32Add, ...set(PI),
    ]),
    ...rowPtr(A, AROW, get(I)), ...set(PA0),
    ...[1, 2, 3].flatMap((r) => [...get(PA0 + r - 1), ...get(AROW), ...op.i32Add, ...set(PA0 + r)]),
    ...get(B), ...col, ...set(PB),
    ...inner,
    ...rowPtr(C, SB, get(I)), ...col, ...set(PC),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get(PC), ...get(ACC + 2 * r), ...op.v128Store(0),
      ...get(PC), ...get(ACC + 2 * r + 1), ...op.v128Store(16),
      ...get(PC), ...get(SB), ...op.i32Add, ...set(PC),
    ]),
  ];
  return {
    name: "gemm",
    params: Array(10).fill(I32),
    results: [],
    locals: [[11, I32], [11, V128]],
    code: [...get(COLS), ...i32(P.shift), ...op.i32Shl, ...set(SB), ...whileLt(I, ROWS, 4, whileLt(J, COLS, P.block, block))],
  };
}

const up = (v: number, to: number) => Math.ceil(v / to) * to;
const PAGE = 65536;

class WasmGemm implements Gemm {
  private mem!: Float64Array | Float32Array;
  private run!: (a: number, aRow: number, aStep: number, b: number, c: number, init: number, initRow: number, rows: number, inner: number, cols: number) => void;
  private bytes = 0;
  private readonly e: number;
  private readonly cb: number;

  constructor(private readonly P: Precision) {
    this.e = 1 << P.shift;
    this.cb = P.block;
  }

  /** Offsets (in elements) of A, B, C and a bias row of `nz` in the kernel's memory, rebuilt larger when needed. */
  private layout(na: number, nb: number, nc: number, nz: number): [number, number, number] {
    // A row past A's end may be read (a transposed A's padding rows): 4 rows of slack before B.
    const bo = up(na, 8) + 4 * up(nz, 8), co = bo + up(nb, 8), zo = co + up(nc, 8);
    const need = (zo + up(nz, 8)) * this.e;
    if (need > this.bytes) {
      const pages = Math.max(16, Math.ceil((need * 1.5) / PAGE));
      const api = wasmApi!;
      const memory: WasmMemory = new api.Memory({ initial: pages, maximum: pages, shared: false });
      const inst = new api.Instance(new api.Module(assemble([gemmFn(this.P)], pages, false)), { e: { m: memory } });
      this.run = inst.exports.gemm as WasmGemm["run"];
      this.mem = this.P.name === "f64" ? new Float64Array(memory.buffer) : new Float32Array(memory.buffer);
      this.bytes = pages * PAGE;
    }
    return [bo, co, zo];
  }

  /** Copies rows of `w` columns into rows of `w4` columns (padding left as it is: its results are never read). */
  private put(src: Float64Array, rows: number, w: number, w4: number, at: number): void {
    if (w === w4) this.mem.set(src.subarray(0, rows * w), at);
    else for (let r = 0; r < rows; r++) this.mem.set(src.subarray(r * w, r * w + w), at + r * w4);
  }

  private take(dst: Float64Array, rows: number, w: number, w4: number, at: number): void {
    if (w === w4) dst.set(this.mem.subarray(at, at + rows * w));
    else for (let r = 0; r < rows; r++) dst.set(this.mem.subarray(at + r * w4, at + r * w4 + w), r * w);
  }

  forward(x: Float64Array, n: number, k: number, W: Float64Array, m: number, b: Float64Array, y: Float64Array): void {
    const { e, cb } = this;
    const n4 = up(n, 4), m4 = up(m, cb);
    const [bo, co, zo] = this.layout(n4 * k, k * m4, n4 * m4, m4);
    this.mem.set(x.subarray(0, n * k), 0);
    this.put(W, k, m, m4, bo);
    this.mem.set(b.subarray(0, m), zo);
    this.run(0, k * e, e, bo * e, co * e, zo * e, 0, n4, k, m4);
    this.take(y, n, m, m4, co);
  }

  backInput(dy: Float64Array, n: number, m: number, W: Float64Array, k: number, dx: Float64Array): void {
    const { e, cb } = this;
    const n4 = up(n, 4), k4 = up(k, cb);
    const [bo, co, zo] = this.layout(n4 * m, m * k4, n4 * k4, k4);
    const mem = this.mem;
    mem.set(dy.subarray(0, n * m), 0);
    for (let t = 0; t < k; t++) for (let j = 0; j < m; j++) mem[bo + j * k4 + t] = W[t * m + j];
    mem.fill(0, zo, zo + k4);
    this.run(0, m * e, e, bo * e, co * e, zo * e, 0, n4, m, k4);
    this.take(dx, n, k, k4, co);
  }

  backWeights(x: Float64Array, n: number, k: number, dy: Float64Array, m: number, gW: Float64Array, gb: Float64Array): void {
    const { e, cb } = this;
    const k4 = up(k, 4), m4 = up(m, cb);
    const [bo, co] = this.layout(n * k, n * m4, k4 * m4, k4);
    this.mem.set(x.subarray(0, n * k), 0);
    this.put(dy, n, m, m4, bo);
    this.put(gW, k, m, m4, co);
    this.run(0, e, k * e, bo * e, co * e, co * e, m4 * e, k4, n, m4);
    this.take(gW, k, m, m4, co);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) gb[j] += dy[i * m + j];
  }
}

function wasmGemmOrNull(P: Precision): Gemm | null {
  if (!wasmApi) return null;
  try {
    if (!wasmApi.validate(assemble([gemmFn(P)], 1, false))) return null;
    return new WasmGemm(P);
  } catch {
    return null;
  }
}

/** The wasm kernels (null where WebAssembly SIMD does not run; Node 20 runs it). */
export const wasmGemm = { f64: wasmGemmOrNull(F64P), f32: wasmGemmOrNull(F32P) };

let current: Gemm = wasmGemm.f32 ?? jsGemm;

/**
 * The kernel every dense layer uses: f32 products (f64 kept between layers, as PyTorch's float32 model does them in
 * f32) unless set otherwise; "f64" for the finite-difference gradient check, which needs f64 products to resolve.
 */
export const gemm: Gemm = {
  forward: (...a) => current.forward(...a),
  backInput: (...a) => current.backInput(...a),
  backWeights: (...a) => current.backWeights(...a),
};

export function useGemm(kind: "f32" | "f64" | "js"): void {
  current = (kind === "js" ? jsGemm : wasmGemm[kind]) ?? jsGemm;
}

export const gemmKind = (): string => (current === jsGemm ? "js" : current === wasmGemm.f32 ? "wasm-simd-f32" : "wasm-simd-f64");
