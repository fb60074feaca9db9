// The per-node histogram work of the fit as WebAssembly over the fit's memory: the sibling subtraction (f64x2) and
// the numeric split scan (split-finder.ts's numericScan in its plain form: no L1, no step clip, no row minimum) over
// a run of features. The same doubles as the JavaScript: each f64 operation is IEEE, in the same order, and the
// comparisons are the same (NaN compares false in both). Wasm runs fast from its first call (Liftoff), where the
// JavaScript scan starts in V8's interpreter: on small sets a first fit spent ~40% of its time in cold code.

import { assemble, compileModule, F64, I32, op, V128, wasmApi, type WasmFunction, type WasmMemory } from "./wasm-asm.js";

const { get, set, tee, i32 } = op;
/** Opcodes the shared assembler does not list. */
const x = {
  ifVoid: [0x04, 0x40],
  i32GtS: [0x4a],
  i32Eq: [0x46],
  f64Lt: [0x63],
  f64Le: [0x65],
  f64Ge: [0x66],
  f64ConvertI32S: [0xb7],
  f64Const0: op.f64(0),
  f64x2Splat: [0xfd, 0x14],
  f64x2ExtractLane: (lane: number) => [0xfd, 0x21, lane],
  f64x2ReplaceLane: (lane: number) => [0xfd, 0x22, lane],
};

/** `name`(out, a, b, bytes): out = a - b (f64x2Sub) or a + b (f64x2Add) over f64 pairs (bytes a multiple of 16, all 16-byte aligned). */
function pairwiseFn(name: string, f64x2Op: readonly number[]): WasmFunction {
  const [OUT, A, B, BYTES, I] = [0, 1, 2, 3, 4];
  const at = (base: number) => [...get(base), ...get(I), ...op.i32Add];
  return {
    name,
    params: [I32, I32, I32, I32],
    results: [],
    locals: [[1, I32]],
    code: [
      ...op.block, ...op.loop, ...get(I), ...get(BYTES), ...op.i32GeU, ...op.brIf(1),
      ...at(OUT), ...at(A), ...op.v128Load(0), ...at(B), ...op.v128Load(0), ...f64x2Op, ...op.v128Store(0),
      ...get(I), ...i32(16), ...op.i32Add, ...set(I), ...op.br(0), ...op.end, ...op.end,
    ],
  };
}

// scan's parameters, then its locals.
const [HIST, OFF, F0, F1, G, H, CNT, PARENT, MINH, MINCNT, LAMBDA, MINGAIN, BEST, OUT, SKIP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const [F, NB, DIR, B, LAST, FOUND, P, BASE, SEEN] = [15, 16, 17, 18, 19, 20, 21, 22, 23];
const [GM, HM, GL, HL, GV, HV, HR, GR, GAIN] = [24, 25, 26, 27, 28, 29, 30, 31, 32];
const [PAIR, QUOT, LAMBDAS] = [33, 34, 35];

/** Writes the candidate of bin B, feature F into out (8 doubles) and records it as the best. */
function record(): number[] {
  const store = (k: number, value: number[]) => [...get(OUT), ...value, ...op.f64Store(8 * k)];
  // defaultLeft = hm > 0 ? missingLeft (dir 1) : hl >= hr
  const defaultLeft = [...get(DIR), ...get(HL), ...get(HR), ...x.f64Ge, ...get(HM), ...x.f64Const0, ...op.f64Gt, ...op.select, ...x.f64ConvertI32S];
  return [
    ...get(GAIN), ...set(BEST), ...i32(1), ...set(FOUND),
    ...store(0, get(GAIN)), ...store(1, [...get(F), ...x.f64ConvertI32S]), ...store(2, [...get(B), ...x.f64ConvertI32S]),
    ...store(3, defaultLeft), ...store(4, get(GL)), ...store(5, get(HL)), ...store(6, get(GR)), ...store(7, get(HR)),
  ];
}

/** One bin of a scan (inside block $next (depth 0), loop $bin (1), block $bins (2)). */
function binStep(): number[] {
  const fails = (side: number) => [...get(side), ...get(MINH), ...x.f64Lt, ...get(side), ...get(CNT), ...op.f64Mul, ...get(MINCNT), ...x.f64Lt, ...op.i32Or];
  // Both sides' g^2 / (h + lambda) by one f64x2 division (per lane the same IEEE doubles as two scalar ones; the
  // divisions bound the scan), then left + right - parent in the scalar order.
  const pair = (a: number, b: number) => [...get(a), ...x.f64x2Splat, ...get(b), ...x.f64x2ReplaceLane(1)];
  const gain = [
    ...pair(GL, GR), ...tee(PAIR), ...get(PAIR), ...op.f64x2Mul, ...pair(HL, HR), ...get(LAMBDAS), ...op.f64x2Add, ...op.f64x2Div, ...tee(QUOT),
    ...x.f64x2ExtractLane(0), ...get(QUOT), ...x.f64x2ExtractLane(1), ...op.f64Add, ...get(PARENT), ...op.f64Sub, ...set(GAIN),
  ];
  return [
    ...get(P), ...op.f64Load(0), ...set(GV), ...get(P), ...op.f64Load(8), ...set(HV),
    // An empty bin repeats the candidate before it, which cannot win a strict comparison: skipped when `skip` (sparse
    // nodes), else evaluated (dense nodes: the branch on emptiness mispredicted, ~20% of the scan), except before the
    // first non-empty bin, where there is no candidate before it to repeat.
    ...get(GV), ...x.f64Const0, ...op.f64Eq, ...get(HV), ...x.f64Const0, ...op.f64Eq, ...op.i32And,
    ...get(SKIP), ...get(SEEN), ...op.i32Eqz, ...op.i32Or, ...op.i32And, ...op.brIf(0),
    ...i32(1), ...set(SEEN),
    ...get(GL), ...get(GV), ...op.f64Add, ...set(GL), ...get(HL), ...get(HV), ...op.f64Add, ...set(HL),
    ...fails(HL), ...op.brIf(0),
    ...get(H), ...get(HL), ...op.f64Sub, ...set(HR),
    ...fails(HR), ...op.brIf(2),
    ...get(G), ...get(GL), ...op.f64Sub, ...set(GR),
    ...gain,
    ...get(GAIN), ...get(BEST), ...op.f64Gt, ...get(GAIN), ...get(MINGAIN), ...op.f64Gt, ...op.i32And,
    ...x.ifVoid, ...record(), ...op.end,
  ];
}

/**
 * scan(hist, off, f0, f1, G, H, cntFactor, parent, minH, minCnt, lambda, minSplitGain, bestGain, out, skip) -> found:
 * features f0..f1-1 (numeric; slot offsets at off, an i32 per feature and one past the last) scanned as numericScan
 * does, missing values right then left. Returns 1 when a candidate beat bestGain; the last such is in out (gain,
 * feature, bin, defaultLeft, gl, hl, gr, hr as doubles).
 */
function scanFn(): WasmFunction {
  const dirLoop = [
    // dir 1 (missing left) only when the feature has missing rows.
    ...get(DIR), ...get(HM), ...x.f64Const0, ...x.f64Le, ...op.i32And, ...op.brIf(1),
    ...get(GM), ...x.f64Const0, ...get(DIR), ...op.select, ...set(GL),
    ...get(HM), ...x.f64Const0, ...get(DIR), ...op.select, ...set(HL),
    // last = !missingLeft && hm > 0 ? nb - 1 : nb - 2
    ...get(NB), ...i32(1), ...op.i32Sub, ...get(NB), ...i32(2), ...op.i32Sub,
    ...get(DIR), ...op.i32Eqz, ...get(HM), ...x.f64Const0, ...op.f64Gt, ...op.i32And, ...op.select, ...set(LAST),
    ...i32(0), ...set(B), ...get(BASE), ...set(P), ...i32(0), ...set(SEEN),
    ...op.block, ...op.loop, ...get(B), ...get(LAST), ...x.i32GtS, ...op.brIf(1),
    ...op.block, ...binStep(), ...op.end,
    ...get(B), ...i32(1), ...op.i32Add, ...set(B), ...get(P), ...i32(16), ...op.i32Add, ...set(P), ...op.br(0),
    ...op.end, ...op.end,
    ...get(DIR), ...i32(1), ...op.i32Add, ...tee(DIR), ...i32(2), ...op.i32LtU, ...op.brIf(0),
  ];
  const offAt = (k: number) => [...get(OFF), ...get(F), ...i32(2), ...op.i32Shl, ...op.i32Add, ...op.i32Load(k)];
  const featLoop = [
    ...get(F), ...get(F1), ...op.i32GeU, ...op.brIf(1),
    ...offAt(4), ...offAt(0), ...op.i32Sub, ...i32(1), ...op.i32Sub, ...set(NB),
    ...get(HIST), ...offAt(0), ...i32(4), ...op.i32Shl, ...op.i32Add, ...set(BASE),
    ...get(BASE), ...get(NB), ...i32(4), ...op.i32Shl, ...op.i32Add, ...tee(P), ...op.f64Load(0), ...set(GM),
    ...get(P), ...op.f64Load(8), ...set(HM),
    ...i32(0), ...set(DIR),
    ...op.block, ...op.loop, ...dirLoop, ...op.end, ...op.end,
    ...get(F), ...i32(1), ...op.i32Add, ...set(F), ...op.br(0),
  ];
  return {
    name: "scan",
    params: [I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64, F64, F64, I32, I32],
    results: [I32],
    locals: [[9, I32], [9, F64], [3, V128]],
    code: [...get(LAMBDA), ...x.f64x2Splat, ...set(LAMBDAS), ...get(F0), ...set(F), ...op.block, ...op.loop, ...featLoop, ...op.end, ...op.end, ...get(FOUND)],
  };
}

export interface WasmHistOps {
  /** out = parent - child (all three 16-byte aligned in the memory, whole f64 pairs). */
  subtract(out: Float64Array, parent: Float64Array, child: Float64Array): void;
  /** out += part (both 16-byte aligned in the memory, whole f64 pairs). */
  accumulate(out: Float64Array, part: Float64Array): void;
  /** The scan of numeric features f0..f1-1 (see scanFn); true when `out` holds a better candidate than bestGain. */
  scan(hist: Float64Array, f0: number, f1: number, G: number, H: number, cntFactor: number, parent: number, minH: number, minCnt: number, lambda: number, minSplitGain: number, bestGain: number, skip: boolean): boolean;
  /** The last candidate a scan found: gain, feature, bin, defaultLeft, gl, hl, gr, hr. */
  readonly out: Float64Array;
}

/** The module's bytes for a memory of `pages` pages. */
export function histOpsModule(pages: number, shared: boolean): Uint8Array {
  return assemble([pairwiseFn("sub", op.f64x2Sub), scanFn(), pairwiseFn("add", op.f64x2Add)], pages, shared);
}

/**
 * Histogram ops over `memory`; `off` (the feature slot offsets, Int32) and `out` (8 doubles, this thread's) must
 * live in it. Histograms passed must live in it too (checked by the caller: see hist-ops.ts).
 */
export function wasmHistOps(memory: WasmMemory, shared: boolean, off: Int32Array, out: Float64Array): WasmHistOps {
  if (off.buffer !== memory.buffer || out.buffer !== memory.buffer || out.length < 8 || out.byteOffset % 8) {
    throw new Error("wasm histogram ops: offsets or result outside their memory");
  }
  const pages = memory.buffer.byteLength / 65536;
  const exp = new wasmApi!.Instance(compileModule(histOpsModule(pages, shared)), { e: { m: memory } }).exports as unknown as {
    sub: (out: number, a: number, b: number, bytes: number) => void;
    add: (out: number, a: number, b: number, bytes: number) => void;
    scan: (...args: number[]) => number;
  };
  const offAt = off.byteOffset;
  const outAt = out.byteOffset;
  return {
    subtract: (o, p, c) => exp.sub(o.byteOffset, p.byteOffset, c.byteOffset, o.byteLength),
    accumulate: (o, part) => exp.add(o.byteOffset, o.byteOffset, part.byteOffset, o.byteLength),
    scan: (hist, f0, f1, G, H, cntFactor, parent, minH, minCnt, lambda, minSplitGain, bestGain, skip) =>
      exp.scan(hist.byteOffset, offAt, f0, f1, G, H, cntFactor, parent, minH, minCnt, lambda, minSplitGain, bestGain, outAt, skip ? 1 : 0) === 1,
    out,
  };
}
