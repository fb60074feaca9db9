// The wasm SIMD kernels (f64x2 and f32x4) against the plain f64 loops on odd shapes (rows and columns not multiples of 4, zeros in x).
import { describe, expect, it } from "vitest";
import { Rng } from "../../learn/rng.js";
import { gemmKind, jsGemm, wasmGemm } from "./gemm.js";

describe("dense-layer products", () => {
  it.each([["f64", 1e-12], ["f32", 2e-5]] as const)("the wasm SIMD %s kernel runs here and matches the loops for every product", (kind, tol) => {
    expect(gemmKind()).toBe("wasm-simd-f32"); // the default of every dense layer
    const gemm = wasmGemm[kind]!;
    const rng = new Rng(7);
    const r = (len: number) => Float64Array.from({ length: len }, () => (rng.next() < 0.2 ? 0 : rng.normal()));
    for (const [n, k, m] of [[1, 1, 1], [5, 34, 128], [7, 3, 6], [64, 128, 64], [13, 64, 32], [3000, 9, 5]]) {
      const x = r(n * k), W = r(k * m), b = r(m), dy = r(n * m);
      const y1 = new Float64Array(n * m), y2 = new Float64Array(n * m);
      jsGemm.forward(x, n, k, W, m, b, y1);
      gemm.forward(x, n, k, W, m, b, y2);
      const dx1 = new Float64Array(n * k), dx2 = new Float64Array(n * k);
      jsGemm.backInput(dy, n, m, W, k, dx1);
      gemm.backInput(dy, n, m, W, k, dx2);
      const g0 = r(k * m), gb0 = r(m);
      const [gW1, gb1, gW2, gb2] = [g0.slice(), gb0.slice(), g0.slice(), gb0.slice()];
      jsGemm.backWeights(x, n, k, dy, m, gW1, gb1);
      gemm.backWeights(x, n, k, dy, m, gW2, gb2);
      for (const [a, c] of [[y1, y2], [dx1, dx2], [gW1, gW2], [gb1, gb2]]) {
        let worst = 0;
        for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j] - c[j]) / (1 + Math.abs(a[j])));
        expect(worst, `${n}x${k}x${m}`).toBeLessThan(tol);
      }
    }
  });
});
