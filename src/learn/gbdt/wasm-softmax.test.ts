// The wasm softmax gradients against the JS objective: the same f32 gradient pairs (to an f32 rounding), weighted
// or not, odd row ranges and extreme scores included.
import { describe, expect, it } from "vitest";
import { Softmax } from "../objectives/softmax.js";
import { Rng } from "../rng.js";
import { wasmApi } from "./wasm-asm.js";
import { wasmSoftmaxGradients } from "./wasm-softmax.js";

function arrays(n: number, k: number) {
  const mem = new wasmApi!.Memory({ initial: 16, maximum: 16, shared: false });
  let at = 0;
  const take = <T>(make: (b: ArrayBufferLike, o: number) => T, bytes: number): T => {
    const v = make(mem.buffer, at);
    at += bytes;
    return v;
  };
  const y = take((b, o) => new Float64Array(b, o, n), 8 * n);
  const raw = take((b, o) => new Float64Array(b, o, n * k), 8 * n * k);
  const w = take((b, o) => new Float64Array(b, o, n), 8 * n);
  const gh = take((b, o) => new Float32Array(b, o, 2 * n * k), 8 * n * k);
  return { mem, y, raw, w, gh };
}

describe("wasmSoftmaxGradients", () => {
  for (const k of [3, 7]) {
    it(`equals Softmax.gradients for ${k} classes, scores from -800 to 800, with and without weights`, () => {
      const n = 2001;
      const { mem, y, raw, w, gh } = arrays(n, k);
      const rng = new Rng(k);
      const extremes = [0, 1e-300, 36.7, -36.7, 709, -709, 745, -800, 800];
      for (let i = 0; i < n; i++) {
        y[i] = Math.floor(rng.next() * k);
        w[i] = i % 5 === 0 ? 0 : rng.next() * 4;
        for (let c = 0; c < k; c++) raw[c * n + i] = i < 40 ? extremes[(i + c) % extremes.length] : rng.normal() * (i % 2 ? 3 : 30);
      }
      const js = new Softmax(k);
      const fast = wasmSoftmaxGradients(mem, false, k);
      for (const weights of [undefined, w]) {
        const want = new Float32Array(2 * n * k);
        js.gradients(y, raw, weights, want, 3, n);
        gh.fill(9);
        fast(y, raw, weights, gh, 3, n);
        let exact = 0;
        for (let c = 0; c < k; c++) {
          for (let i = 0; i < n; i++) {
            const j = 2 * (c * n + i);
            if (i < 3) {
              expect([gh[j], gh[j + 1]]).toEqual([9, 9]); // rows before start untouched
              continue;
            }
            for (const d of [0, 1]) {
              const [a, b] = [gh[j + d], want[j + d]];
              if (Object.is(a, b)) exact++;
              else if (!(Math.abs(a - b) <= 2e-7 * Math.max(Math.abs(b), 1e-30))) throw new Error(`class ${c} row ${i} ${d ? "hessian" : "gradient"}: ${a} vs ${b}`);
            }
          }
        }
        // Division then f32 rounding, as the JS code: nearly every value is bit-identical.
        expect(exact).toBeGreaterThan(0.99 * 2 * (n - 3) * k);
      }
    });
  }
  it("refuses arrays outside its memory or sized for another class count", () => {
    const { mem, y, raw, gh } = arrays(10, 3);
    expect(() => wasmSoftmaxGradients(mem, false, 3)(new Float64Array(10), raw, undefined, gh, 0, 10)).toThrow(/outside/);
    expect(() => wasmSoftmaxGradients(mem, false, 4)(y, raw, undefined, gh, 0, 10)).toThrow(/classes/);
  });
});
