// The wasm squared-error gradients against the JS objective: the same f32 gradient pairs, weighted or not.
import { describe, expect, it } from "vitest";
import { SquaredError } from "../objectives/regression.js";
import { Rng } from "../rng.js";
import { wasmApi } from "./wasm-asm.js";
import { wasmSquaredGradients } from "./wasm-squared.js";

describe("wasmSquaredGradients", () => {
  it("equals SquaredError.gradients bit for bit, with and without weights, rows before start untouched", () => {
    const n = 4001;
    const mem = new wasmApi!.Memory({ initial: 2, maximum: 2, shared: false });
    const y = new Float64Array(mem.buffer, 0, n);
    const raw = new Float64Array(mem.buffer, 8 * n, n);
    const w = new Float64Array(mem.buffer, 16 * n, n);
    const gh = new Float32Array(mem.buffer, 24 * n, 2 * n);
    const rng = new Rng(6);
    for (let i = 0; i < n; i++) {
      y[i] = i % 7 === 0 ? 1e30 : rng.normal() * 1000;
      raw[i] = i % 11 === 0 ? -0 : rng.normal() * 10 ** (i % 9);
      w[i] = i % 5 === 0 ? 0 : rng.next() * 4;
    }
    const fast = wasmSquaredGradients(mem, false);
    for (const weights of [undefined, w]) {
      const want = new Float32Array(2 * n);
      new SquaredError().gradients(y, raw, weights, want, 0, n);
      gh.fill(9);
      fast(y, raw, weights, gh, 3, n);
      for (let i = 0; i < 6; i++) expect(gh[i]).toBe(9);
      for (let i = 6; i < 2 * n; i++) if (!Object.is(gh[i], want[i])) throw new Error(`row ${i >> 1}: ${gh[i]} vs ${want[i]}`);
    }
  });
  it("refuses arrays outside its memory", () => {
    const mem = new wasmApi!.Memory({ initial: 1, maximum: 1, shared: false });
    const fast = wasmSquaredGradients(mem, false);
    expect(() => fast(new Float64Array(2), new Float64Array(2), undefined, new Float32Array(4), 0, 2)).toThrow(/outside/);
  });
});
