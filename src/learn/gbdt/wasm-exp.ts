// The exp of the WebAssembly gradient kernels (log loss, softmax): Cody-Waite reduction and a Taylor series,
// written once for a lane width of one f64 (a row) or an f64x2 (two rows).

import { op } from "./wasm-asm.js";

const { get, set, tee, i32 } = op;

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700;
/** 1.5 * 2^52: adding it rounds to an integer (to nearest, ties to even) and leaves that integer in the low bits. */
const ROUND = 6755399441055744;
/** Taylor terms of e^r for |r| <= ln2 / 2: the first omitted term is below 1e-17 relative. */
const TERMS = 14;

/** The arithmetic of one lane width: scalar f64 (one row) or f64x2 (two rows); the same operations per row. */
export interface Lanes {
  add: readonly number[];
  sub: readonly number[];
  mul: readonly number[];
  div: readonly number[];
  min: readonly number[];
  max: readonly number[];
  c: (v: number) => number[];
  load: (offset: number) => number[];
  /** The f64 on the stack (an integer + ROUND) -> 2^integer, from its low bits. */
  pow2: readonly number[];
}

const f64Bytes = (v: number) => new Uint8Array(Float64Array.of(v).buffer);

export const SCALAR: Lanes = {
  add: op.f64Add,
  sub: op.f64Sub,
  mul: op.f64Mul,
  div: op.f64Div,
  min: op.f64Min,
  max: op.f64Max,
  c: op.f64,
  load: op.f64Load,
  pow2: [...op.i64ReinterpretF64, ...op.i64(1023), ...op.i64Add, ...op.i64(52), ...op.i64Shl, ...op.f64ReinterpretI64],
};

export const PAIR: Lanes = {
  add: op.f64x2Add,
  sub: op.f64x2Sub,
  mul: op.f64x2Mul,
  div: op.f64x2Div,
  // Same results as min/max here: no operand is NaN, and -0 never meets 0 (the bounds are -708, 709, 1e-16).
  min: op.f64x2PMin,
  max: op.f64x2PMax,
  c: (v) => op.v128Const(new Uint8Array([...f64Bytes(v), ...f64Bytes(v)])),
  load: (offset) => op.v128Load(offset, 3),
  pow2: [...op.v128Const(new Uint8Array(BigInt64Array.of(1023n, 1023n).buffer)), ...op.i64x2Add, ...i32(52), ...op.i64x2Shl],
};

/**
 * exp of local `x` (clamped to [-708, 709], where the sigmoid is already 0 or 1 to f32 precision): x = k ln2 + r
 * (Cody-Waite), e^r by its Taylor series in Estrin's scheme, 2^k from k's bits. Leaves it on the stack.
 */
export function expOf(L: Lanes, x: number, kr: number, k: number, r: number, r2: number, r4: number): number[] {
  const coef = [1];
  for (let j = 1; j < TERMS; j++) coef.push(coef[j - 1] / j);
  const pair = (j: number) => [...L.c(coef[j]), ...L.c(coef[j + 1]), ...get(r), ...L.mul, ...L.add];
  const quad = (j: number) => [...pair(j), ...pair(j + 2), ...get(r2), ...L.mul, ...L.add];
  return [
    ...get(x), ...L.c(-708), ...L.max, ...L.c(709), ...L.min, ...tee(x),
    ...L.c(INV_LN2), ...L.mul, ...L.c(ROUND), ...L.add, ...tee(kr), ...L.c(ROUND), ...L.sub, ...set(k),
    ...get(x), ...get(k), ...L.c(LN2_HI), ...L.mul, ...L.sub, ...get(k), ...L.c(LN2_LO), ...L.mul, ...L.sub, ...set(r),
    ...get(r), ...get(r), ...L.mul, ...set(r2), ...get(r2), ...get(r2), ...L.mul, ...set(r4),
    // terms 0-7 and 8-13 (TERMS = 14): t0 + r4^2 t1
    ...quad(0), ...quad(4), ...get(r4), ...L.mul, ...L.add,
    ...quad(8), ...pair(12), ...get(r4), ...L.mul, ...L.add, ...get(r4), ...get(r4), ...L.mul, ...L.mul, ...L.add,
    ...get(kr), ...L.pow2, ...L.mul,
  ];
}
