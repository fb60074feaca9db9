// Multiclass softmax gradients as WebAssembly: two rows per f64x2 instruction with the kernels' inline exp. On
// shuttle (7 classes, 46k rows, 200 rounds) the JS loop (Math.exp, strided class-major reads) was 2.7 of the fit's
// 3.5 CPU seconds.

import { assemble, compileModule, F64, I32, op, V128, wasmApi, type WasmFunction, type WasmMemory } from "./wasm-asm.js";
import { expOf, PAIR, SCALAR, type Lanes } from "./wasm-exp.js";
import type { GradientFn } from "./wasm-objective.js";

const { get, set, i32 } = op;

// Parameters: (y, raw, w, gh, start, end, stride = 8 n, classes); i32 locals; then 15 v128 and 15 f64 locals.
const [Y, RAW, W, GH, START, END, STRIDE, K] = [0, 1, 2, 3, 4, 5, 6, 7];
const [I, AT, STOP, P, C] = [8, 9, 10, 11, 12];
const NAMES = ["X", "KR", "KK", "R", "R2", "R4", "MX", "SUM", "Q", "YV", "WI", "CV", "G", "H", "FAC"] as const;
type Locals = Record<(typeof NAMES)[number], number>;
const lanesAt = (first: number): Locals => Object.fromEntries(NAMES.map((name, j) => [name, first + j])) as Locals;
const PAIR_LOCALS = lanesAt(13);
const SCALAR_LOCALS = lanesAt(13 + NAMES.length);

/** for (C = 0, P = AT; C < K; C++, P += STRIDE) body */
function eachClass(body: number[]): number[] {
  return [
    ...i32(0), ...set(C), ...get(AT), ...set(P),
    ...op.block, ...op.loop, ...get(C), ...get(K), ...op.i32GeU, ...op.brIf(1),
    ...body,
    ...get(C), ...i32(1), ...op.i32Add, ...set(C), ...get(P), ...get(STRIDE), ...op.i32Add, ...set(P),
    ...op.br(0), ...op.end, ...op.end,
  ];
}

/**
 * The row(s) at byte offset AT: max of the raw scores over classes; e_c = exp(raw_c - max) parked as f64 in the
 * gradient slot of (c, row) (16 bytes for a pair of rows: exactly their two f32 pairs); then q = e_c / sum,
 * gradient (q - [y = c]) w, hessian max(k/(k-1) q (1 - q), 1e-16) w written over it.
 */
function rowsBody(L: Lanes, pair: boolean, weighted: boolean, l: Locals): number[] {
  const at = (base: number, off: number) => [...get(base), ...get(off), ...op.i32Add];
  const isClass = pair
    ? [...get(l.YV), ...get(l.CV), ...op.f64x2Eq, ...L.c(1), ...op.v128And]
    : [...L.c(1), ...L.c(0), ...get(l.YV), ...get(l.CV), ...op.f64Eq, ...op.select];
  const scaled = (v: number[]) => (weighted ? [...v, ...get(l.WI), ...L.mul] : v);
  const storeE = pair ? [...op.v128Store(0, 3)] : [...op.f64Store(0)];
  const storeGH = pair
    ? [
        ...at(GH, P), ...get(l.G), ...op.f32x4DemoteF64x2Zero, ...get(l.H), ...op.f32x4DemoteF64x2Zero,
        ...op.i8x16Shuffle([0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23]), ...op.v128Store(0, 3),
      ]
    : [
        ...at(GH, P), ...get(l.G), ...op.f32DemoteF64, ...op.f32Store(0),
        ...at(GH, P), ...get(l.H), ...op.f32DemoteF64, ...op.f32Store(4),
      ];
  return [
    ...L.c(-Infinity), ...set(l.MX),
    ...eachClass([...get(l.MX), ...at(RAW, P), ...L.load(0), ...L.max, ...set(l.MX)]),
    ...L.c(0), ...set(l.SUM),
    ...eachClass([
      ...at(RAW, P), ...L.load(0), ...get(l.MX), ...L.sub, ...set(l.X),
      ...at(GH, P), ...expOf(L, l.X, l.KR, l.KK, l.R, l.R2, l.R4), ...op.tee(l.Q), ...storeE,
      ...get(l.SUM), ...get(l.Q), ...L.add, ...set(l.SUM),
    ]),
    ...at(Y, AT), ...L.load(0), ...set(l.YV),
    ...(weighted ? [...at(W, AT), ...L.load(0), ...set(l.WI)] : []),
    ...L.c(0), ...set(l.CV),
    ...eachClass([
      ...at(GH, P), ...L.load(0), ...get(l.SUM), ...L.div, ...set(l.Q),
      ...scaled([...get(l.Q), ...isClass, ...L.sub]), ...set(l.G),
      ...scaled([...get(l.FAC), ...get(l.Q), ...L.mul, ...L.c(1), ...get(l.Q), ...L.sub, ...L.mul, ...L.c(1e-16), ...L.max]), ...set(l.H),
      ...storeGH,
      ...get(l.CV), ...L.c(1), ...L.add, ...set(l.CV),
    ]),
  ];
}

/** while (I < STOP) { AT = 8 I; body; I += step } */
function rowLoop(step: number, body: number[]): number[] {
  return [
    ...op.block, ...op.loop, ...get(I), ...get(STOP), ...op.i32GeU, ...op.brIf(1),
    ...get(I), ...i32(3), ...op.i32Shl, ...set(AT), ...body,
    ...get(I), ...i32(step), ...op.i32Add, ...set(I), ...op.br(0), ...op.end, ...op.end,
  ];
}

function softmaxFn(weighted: boolean, factor: number): WasmFunction {
  return {
    name: weighted ? "weighted" : "plain",
    params: [I32, I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [[5, I32], [NAMES.length, V128], [NAMES.length, F64]],
    code: [
      ...PAIR.c(factor), ...set(PAIR_LOCALS.FAC), ...SCALAR.c(factor), ...set(SCALAR_LOCALS.FAC),
      ...get(START), ...set(I),
      ...get(END), ...get(START), ...op.i32Sub, ...i32(-2), ...op.i32And, ...get(START), ...op.i32Add, ...set(STOP),
      ...rowLoop(2, rowsBody(PAIR, true, weighted, PAIR_LOCALS)),
      ...get(END), ...set(STOP),
      ...rowLoop(1, rowsBody(SCALAR, false, weighted, SCALAR_LOCALS)),
    ],
  };
}

/** Softmax gradients of `classes` outputs over arrays in `memory` (y, raw, w, gh must all live there). */
export function wasmSoftmaxGradients(memory: WasmMemory, shared: boolean, classes: number): GradientFn {
  const api = wasmApi!;
  const pages = memory.buffer.byteLength / 65536;
  // Diagonal Newton steps overshoot with many classes; k/(k-1) is LightGBM's correction (as objectives/softmax.ts).
  const factor = classes / (classes - 1);
  const mod = compileModule(assemble([softmaxFn(false, factor), softmaxFn(true, factor)], pages, shared));
  type Fn = (y: number, raw: number, w: number, gh: number, s: number, e: number, stride: number, k: number) => void;
  const exp = new api.Instance(mod, { e: { m: memory } }).exports as unknown as Record<"plain" | "weighted", Fn>;
  return (y, raw, w, gh, start, end) => {
    for (const x of [y, raw, gh, ...(w ? [w] : [])]) if (x.buffer !== memory.buffer) throw new Error("wasm softmax gradients: array outside their memory");
    const n = y.length;
    if (raw.length !== n * classes || gh.length !== 2 * n * classes) throw new Error(`wasm softmax gradients: raw / gh sized for ${raw.length / n} classes, not ${classes}`);
    if (w) exp.weighted(y.byteOffset, raw.byteOffset, w.byteOffset, gh.byteOffset, start, end, 8 * n, classes);
    else exp.plain(y.byteOffset, raw.byteOffset, 0, gh.byteOffset, start, end, 8 * n, classes);
  };
}
