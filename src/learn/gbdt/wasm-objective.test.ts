// The wasm log-loss gradients against the JS objective: the same f32 gradient pairs, weighted or not, extremes included.
import { describe, expect, it } from "vitest";
import { BinaryLogLoss } from "../objectives/logloss.js";
import { Rng } from "../rng.js";
import { wasmApi } from "./wasm-asm.js";
import { wasmLogLossGradients } from "./wasm-objective.js";

describe("wasmLogLossGradients", () => {
  it("equals BinaryLogLoss.gradients bit for bit, from raw -1000 to 1000, with and without weights", () => {
    const n = 4000;
    const mem = new wasmApi!.Memory({ initial: 2, maximum: 2, shared: false });
    const y = new Float64Array(mem.buffer, 0, n);
    const raw = new Float64Array(mem.buffer, 8 * n, n);
    const w = new Float64Array(mem.buffer, 16 * n, n);
    const gh = new Float32Array(mem.buffer, 24 * n, 2 * n);
    const rng = new Rng(5);
    const extremes = [0, -0, 1e-300, -1e-300, 36.7, -36.7, 709, -709, 745, -745, 1000, -1000];
    for (let i = 0; i < n; i++) {
      y[i] = rng.next() < 0.4 ? 1 : 0;
      raw[i] = i < extremes.length ? extremes[i] : i % 2 ? rng.normal() * 3 : rng.normal() * 30;
      w[i] = i % 5 === 0 ? 0 : rng.next() * 4;
    }
    const js = new BinaryLogLoss();
    const fast = wasmLogLossGradients(mem, false);
    for (const weights of [undefined, w]) {
      const want = new Float32Array(2 * n);
      js.gradients(y, raw, weights, want, 0, n);
      gh.fill(9);
      fast(y, raw, weights, gh, 3, n);
      for (let i = 0; i < 6; i++) expect(gh[i]).toBe(9); // rows before start untouched
      for (let i = 6; i < 2 * n; i++) if (!Object.is(gh[i], want[i])) throw new Error(`row ${i >> 1}: ${gh[i]} vs ${want[i]} (raw ${raw[i >> 1]})`);
    }
  });
  it("refuses arrays outside its memory", () => {
    const mem = new wasmApi!.Memory({ initial: 1, maximum: 1, shared: false });
    const fast = wasmLogLossGradients(mem, false);
    expect(() => fast(new Float64Array(2), new Float64Array(2), undefined, new Float32Array(4), 0, 2)).toThrow(/outside/);
  });
});
