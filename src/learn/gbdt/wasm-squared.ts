// Squared-error gradients as WebAssembly over the fit's memory: gradient (raw - y) w and hessian w as f32 pairs, the
// same doubles and roundings as the JavaScript objective (objectives/regression.ts); the JS loop cost ~2 ns a row,
// 7% of a small regression fit (cps1988).

import { assemble, compileModule, I32, op, wasmApi, type WasmFunction, type WasmMemory } from "./wasm-asm.js";
import type { GradientFn } from "./wasm-objective.js";

const { get, set, i32 } = op;
const [Y, RAW, W, GH, START, END, I, AT] = [0, 1, 2, 3, 4, 5, 6, 7];

/** squared(y, raw, w, gh, start, end): rows start..end-1 (w = 1 when `weighted` is false). */
function squaredFn(weighted: boolean): WasmFunction {
  const at = (base: number) => [...get(base), ...get(AT), ...op.i32Add];
  const weight = weighted ? [...at(W), ...op.f64Load(0)] : op.f64(1);
  const body = [
    // gh + 2 * 4 * i: the f32 pair of row i; AT = 8 * i addresses the f64 arrays and is the pair's offset too.
    ...at(GH), ...at(RAW), ...op.f64Load(0), ...at(Y), ...op.f64Load(0), ...op.f64Sub, ...weight, ...op.f64Mul, ...op.f32DemoteF64, ...op.f32Store(0),
    ...at(GH), ...weight, ...op.f32DemoteF64, ...op.f32Store(4),
  ];
  return {
    name: weighted ? "weighted" : "plain",
    params: [I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [[2, I32]],
    code: [
      ...get(START), ...set(I),
      ...op.block, ...op.loop, ...get(I), ...get(END), ...op.i32GeU, ...op.brIf(1),
      ...get(I), ...i32(3), ...op.i32Shl, ...set(AT), ...body,
      ...get(I), ...i32(1), ...op.i32Add, ...set(I), ...op.br(0), ...op.end, ...op.end,
    ],
  };
}

/** Squared-error gradients over arrays in `memory` (y, raw, w, gh must all live there). */
export function wasmSquaredGradients(memory: WasmMemory, shared: boolean): GradientFn {
  const api = wasmApi!;
  const pages = memory.buffer.byteLength / 65536;
  const mod = compileModule(assemble([squaredFn(false), squaredFn(true)], pages, shared));
  const exp = new api.Instance(mod, { e: { m: memory } }).exports as unknown as Record<"plain" | "weighted", (y: number, raw: number, w: number, gh: number, s: number, e: number) => void>;
  const checked = new WeakSet<ArrayBufferView>();
  const check = (x: ArrayBufferView) => {
    if (checked.has(x)) return;
    if (x.buffer !== memory.buffer) throw new Error("wasm squared-error gradients: array outside their memory");
    checked.add(x);
  };
  return (y, raw, w, gh, start, end) => {
    check(y);
    check(raw);
    check(gh);
    if (w) check(w);
    if (w) exp.weighted(y.byteOffset, raw.byteOffset, w.byteOffset, gh.byteOffset, start, end);
    else exp.plain(y.byteOffset, raw.byteOffset, 0, gh.byteOffset, start, end);
  };
}
