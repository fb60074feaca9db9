// The row kernels as WebAssembly, generated per feature layout and thread: histogram building (dense, and over a
// row list by gathering blocks of rows first) with SIMD f64x2 sums, and the stable row partition of a split. They
// work on arrays inside one WebAssembly.Memory (shared across threads); a thread's histogram accumulates in its
// own scratch area there (its address baked into the code), then is flushed to the caller's buffer.

import { flushInto, type RowKernels } from "./histogram.js";
import { assemble, compileModule, I32, joined, op, V128, wasmApi, type WasmFunction, type WasmMemory } from "./wasm-asm.js";

export { wasmApi, type WasmMemory } from "./wasm-asm.js";

const { get, set, tee, i32 } = op;

/*
 * Measured on the 800k x 28 synthetic set, 2-core EPYC (bench/learn/kernels.mjs), ns per (row, feature) update:
 * - one unrolled pass per row, scalar f64 sums: 1.06 dense; 3-6 over a deep leaf's rows (each row's cache miss
 *   stalls: its 28 updates fill the reorder window, so few misses overlap);
 * - rows gathered in blocks by a short copy loop first (many misses in flight): 1.1-1.4 for any leaf;
 * - features in groups whose histogram part fits L1 (16 KB), one pass per group over a block of rows that stays
 *   in L2, the histogram address a constant: 0.72 dense, 0.85-1.3 over rows.
 */
/** Histogram bytes per feature group: a group's part of the histogram stays in the 32 KB L1 during its pass. */
const GROUP_BYTES = 16384;
/** Rows per block of the dense pass (each group re-reads the block from L2). */
const DENSE_BLOCK = 4096;
/** Bytes of gathered rows per block (the block stays in L2 while every group reads it). */
const GATHER_TARGET = 65536;

/** Bytes of one gathered row: the row's bins padded to 16. */
export const gatherStride = (nFeatures: number): number => Math.max(16, Math.ceil(nFeatures / 16) * 16);
/** Rows per gathered block. */
export const gatherRows = (nFeatures: number): number => Math.max(32, Math.min(2048, Math.floor(GATHER_TARGET / gatherStride(nFeatures))));
/** Bytes of a thread's gather buffer: a block of rows, then their gradient pairs. */
export const gatherBytes = (nFeatures: number): number => gatherRows(nFeatures) * (gatherStride(nFeatures) + 8);

/** Features in consecutive groups of at most GROUP_BYTES of histogram (a wider feature gets a group alone). */
export function featureGroups(nFeatures: number, off: Int32Array): number[][] {
  const groups: number[][] = [];
  let cur: number[] = [];
  let bytes = 0;
  for (let f = 0; f < nFeatures; f++) {
    const b = 16 * (off[f + 1] - off[f]);
    if (cur.length > 0 && bytes + b > GROUP_BYTES) (groups.push(cur), (cur = []), (bytes = 0));
    cur.push(f);
    bytes += b;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/**
 * For each feature f of `group`, of the row whose bins start at local `row`: hist[bins[f] + off[f]] (an f64 pair
 * at byte histAt + 16 slot, a constant offset) += the gradient pair in v128 local `pair`.
 */
function featureUpdates(group: number[], off: Int32Array, histAt: number, row: number, addr: number, pair: number): number[] {
  const c: number[] = [];
  for (const f of group) {
    const at = histAt + 16 * off[f];
    c.push(...get(row), ...op.load8u(f), ...i32(4), ...op.i32Shl, ...tee(addr));
    c.push(...get(addr), ...op.v128Load(at), ...get(pair), ...op.f64x2Add, ...op.v128Store(at));
  }
  return c;
}

/** for (local p = from; p < local to; p++) { body } */
function forLoop(p: number, from: number[], to: number, body: number[]): number[] {
  return joined([
    from, set(p), op.block, op.loop, get(p), get(to), op.i32GeU, op.brIf(1),
    body, get(p), i32(1), op.i32Add, set(p), op.br(0), op.end, op.end,
  ]);
}

/** for (local p = start; p < end; p = blockEnd) { blockEnd = min(p + size, end); body } */
function forBlocks(p: number, blockEnd: number, start: number, end: number, size: number, body: number[]): number[] {
  return joined([
    get(start), set(p), op.block, op.loop, get(p), get(end), op.i32GeU, op.brIf(1),
    get(p), i32(size), op.i32Add, tee(blockEnd), get(end), get(blockEnd), get(end), op.i32LtU, op.select, set(blockEnd),
    body, get(blockEnd), set(p), op.br(0), op.end, op.end,
  ]);
}

/** dense(bins, gh, start, end): adds rows start..end-1 themselves, block by block, one pass per feature group. */
function denseFn(F: number, off: Int32Array, histAt: number): WasmFunction {
  const [BINS, GH, START, END, P, Q, QE, ROW, ADDR, PAIR] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const pass = (group: number[]) =>
    forLoop(Q, get(P), QE, [
      ...get(GH), ...get(Q), ...i32(3), ...op.i32Shl, ...op.i32Add, ...op.v128Load64Zero(0), ...op.f64x2PromoteLowF32x4, ...set(PAIR),
      ...get(BINS), ...get(Q), ...i32(F), ...op.i32Mul, ...op.i32Add, ...set(ROW),
      ...featureUpdates(group, off, histAt, ROW, ADDR, PAIR),
    ]);
  return {
    name: "dense",
    params: [I32, I32, I32, I32],
    results: [],
    locals: [[5, I32], [1, V128]],
    code: forBlocks(P, QE, START, END, DENSE_BLOCK, joined(featureGroups(F, off).map(pass))),
  };
}

/** Copies F bytes from the address in local `src` to the one in local `dst` (overlapping wide moves). */
function copyRow(F: number, src: number, dst: number): number[] {
  const c: number[] = [];
  const move = (load: number[], store: number[]) => c.push(...get(dst), ...get(src), ...load, ...store);
  if (F >= 16) {
    const starts: number[] = [];
    for (let o = 0; o + 16 <= F; o += 16) starts.push(o);
    if (F % 16) starts.push(F - 16);
    for (const o of starts) move(op.v128Load(o, 0), op.v128Store(o, 0));
  } else if (F >= 8) for (const o of [0, F - 8]) move(op.i64Load(o), op.i64Store(o));
  else if (F >= 4) for (const o of [0, F - 4]) move(op.i32Load(o), op.i32Store(o));
  else for (let o = 0; o < F; o++) move(op.load8u(o), op.store8(o));
  return c;
}

/**
 * rows(bins, gh, rows, start, end): adds rows rows[start..end-1], block by block: the block's bins (stride S) and
 * gradient pairs are copied into the gather buffer, then summed from there one feature group at a time.
 */
function rowsFn(F: number, off: Int32Array, histAt: number, bufAt: number): WasmFunction {
  const S = gatherStride(F);
  const pairsAt = bufAt + gatherRows(F) * S;
  const [BINS, GH, ROWS, START, END, P, Q, QE, R, SRC, DST, J, PAIR] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const gather = forLoop(Q, get(P), QE, [
    ...get(ROWS), ...get(Q), ...i32(2), ...op.i32Shl, ...op.i32Add, ...op.i32Load(0), ...set(R),
    ...get(BINS), ...get(R), ...i32(F), ...op.i32Mul, ...op.i32Add, ...set(SRC),
    ...get(Q), ...get(P), ...op.i32Sub, ...tee(J), ...i32(S), ...op.i32Mul, ...i32(bufAt), ...op.i32Add, ...set(DST),
    ...copyRow(F, SRC, DST),
    ...get(J), ...i32(3), ...op.i32Shl,
    ...get(GH), ...get(R), ...i32(3), ...op.i32Shl, ...op.i32Add, ...op.i64Load(0), ...op.i64Store(pairsAt),
  ]);
  const pass = (group: number[]) =>
    forLoop(Q, get(P), QE, [
      ...get(Q), ...get(P), ...op.i32Sub, ...tee(J), ...i32(3), ...op.i32Shl, ...op.v128Load64Zero(pairsAt), ...op.f64x2PromoteLowF32x4, ...set(PAIR),
      ...get(J), ...i32(S), ...op.i32Mul, ...i32(bufAt), ...op.i32Add, ...set(SRC),
      ...featureUpdates(group, off, histAt, SRC, DST, PAIR),
    ]);
  return {
    name: "rows",
    params: [I32, I32, I32, I32, I32],
    results: [],
    locals: [[7, I32], [1, V128]],
    code: forBlocks(P, QE, START, END, gatherRows(F), gather.concat(joined(featureGroups(F, off).map(pass)))),
  };
}

/**
 * part(rows, scratch, col, table, start, end) -> l: stable split of rows[start..end-1] by table[col[row]]
 * (1 = left): left rows compacted in place, right rows through scratch[start..] to rows[l..end-1].
 * Branch-free: a data-dependent branch mispredicts on about half the rows.
 */
function partitionFn(): WasmFunction {
  const [ROWS, SCRATCH, COL, TABLE, START, END, P, L, R, ROW, LEFT] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const body = [
    ...get(ROWS), ...get(P), ...i32(2), ...op.i32Shl, ...op.i32Add, ...op.i32Load(0), ...set(ROW),
    ...get(TABLE), ...get(COL), ...get(ROW), ...op.i32Add, ...op.load8u(0), ...op.i32Add, ...op.load8u(0), ...set(LEFT),
    ...get(ROWS), ...get(L), ...i32(2), ...op.i32Shl, ...op.i32Add, ...get(ROW), ...op.i32Store(0),
    ...get(SCRATCH), ...get(R), ...i32(2), ...op.i32Shl, ...op.i32Add, ...get(ROW), ...op.i32Store(0),
    ...get(L), ...get(LEFT), ...op.i32Add, ...set(L),
    ...get(R), ...i32(1), ...get(LEFT), ...op.i32Sub, ...op.i32Add, ...set(R),
  ];
  const copyBack = [
    ...get(ROWS), ...get(L), ...i32(2), ...op.i32Shl, ...op.i32Add,
    ...get(SCRATCH), ...get(START), ...i32(2), ...op.i32Shl, ...op.i32Add,
    ...get(R), ...get(START), ...op.i32Sub, ...i32(2), ...op.i32Shl, ...op.memoryCopy,
  ];
  return {
    name: "part",
    params: [I32, I32, I32, I32, I32, I32],
    results: [I32],
    locals: [[5, I32]],
    code: [...get(START), ...tee(L), ...set(R), ...forLoop(P, get(START), END, body), ...copyBack, ...get(L)],
  };
}

/**
 * The module's bytes for a layout and a thread (exports dense, rows, part): its histogram is summed at byte
 * histAt and its rows gathered at byte bufAt; it imports `pages` pages of memory "e"."m".
 */
export function rowKernelModule(nFeatures: number, off: Int32Array, histAt: number, bufAt: number, pages: number, shared: boolean): Uint8Array {
  return assemble([denseFn(nFeatures, off, histAt), rowsFn(nFeatures, off, histAt, bufAt), partitionFn(), ...bulkFns], pages, shared);
}

/**
 * zero(at, bytes) and copy(to, from, bytes): the accumulator's clear and flush as memory.fill / memory.copy. On the
 * shared memory TypedArray fill and set went element by element: 10 vs 2.7 us to clear 7,700 slots, 12% of
 * breast_cancer's fit.
 */
const bulkFns: WasmFunction[] = [
  { name: "zero", params: [I32, I32], results: [], locals: [], code: [...get(0), ...i32(0), ...get(1), ...op.memoryFill] },
  { name: "copy", params: [I32, I32, I32], results: [], locals: [], code: [...get(0), ...get(1), ...get(2), ...op.memoryCopy] },
];

/** The runtime's answer, once per process (assembling and validating the probe module cost ~1 ms a fit). */
let supported: boolean | undefined;

/** Whether this runtime runs the kernels (WebAssembly with SIMD and bulk memory). */
export function wasmKernelsSupported(): boolean {
  if (supported !== undefined) return supported;
  if (!wasmApi) return (supported = false);
  try {
    supported = wasmApi.validate(rowKernelModule(1, Int32Array.of(0, 2), 0, 64, 1, false));
  } catch {
    supported = false;
  }
  return supported;
}

/**
 * Kernels over arrays in `memory`: `scratch` (2 x slots doubles, 16-byte aligned) is the histogram accumulator;
 * `gather` (gatherBytes(F)) is this thread's gather buffer.
 */
export function wasmRowKernels(nFeatures: number, off: Int32Array, memory: WasmMemory, shared: boolean, scratch: Float64Array, gather: Uint8Array): RowKernels {
  const api = wasmApi!;
  const pages = memory.buffer.byteLength / 65536;
  // Each array is checked once (reading .buffer per call was 3% of a small fit): the fits pass the same views.
  const checked = new WeakSet<ArrayBufferView>();
  const check = (x: ArrayBufferView) => {
    if (checked.has(x)) return;
    if (x.buffer !== memory.buffer) throw new Error("wasm row kernels: array outside their memory");
    checked.add(x);
  };
  check(scratch);
  check(gather);
  if (scratch.byteOffset % 16 || scratch.length < 2 * off[nFeatures] || gather.length < gatherBytes(nFeatures)) {
    throw new Error("wasm row kernels: scratch histogram misaligned or buffers too small");
  }
  const mod = compileModule(rowKernelModule(nFeatures, off, scratch.byteOffset, gather.byteOffset, pages, shared));
  const exp = new api.Instance(mod, { e: { m: memory } }).exports as unknown as {
    dense: (bins: number, gh: number, start: number, end: number) => void;
    rows: (bins: number, gh: number, rows: number, start: number, end: number) => void;
    part: (rows: number, scratch: number, col: number, table: number, start: number, end: number) => number;
    zero: (at: number, bytes: number) => void;
    copy: (to: number, from: number, bytes: number) => void;
  };
  const hist = scratch.subarray(0, 2 * off[nFeatures]);
  return {
    clear: () => exp.zero(hist.byteOffset, hist.byteLength),
    addRows: (bins, gh, rows, start, end) => {
      check(bins);
      check(gh);
      check(rows);
      exp.rows(bins.byteOffset, gh.byteOffset, rows.byteOffset, start, end);
    },
    addDense: (bins, gh, start, end) => {
      check(bins);
      check(gh);
      exp.dense(bins.byteOffset, gh.byteOffset, start, end);
    },
    flush: (out, add) => (!add && out.buffer === memory.buffer && out.length >= hist.length ? exp.copy(out.byteOffset, hist.byteOffset, hist.byteLength) : flushInto(out, hist, add)),
    partition: (rows, tmp, col, table, start, end) => {
      check(rows);
      check(tmp);
      check(col);
      check(table);
      return exp.part(rows.byteOffset, tmp.byteOffset, col.byteOffset, table.byteOffset, start, end);
    },
  };
}
