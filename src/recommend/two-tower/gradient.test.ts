// Hand-written backpropagation checked against finite differences: every parameter tensor of a user tower fed
// by the Transformer history encoder (attention, feed-forward, embeddings, MLP).
import { describe, expect, it } from "vitest";
import { Rng } from "../../learn/rng.js";
import { HistoryEncoder } from "./encoder.js";
import { useGemm } from "./gemm.js";
import { Adam, Param } from "./layers.js";
import { Tower } from "./tower.js";

describe("two-tower gradients", () => {
  // drop: the cold-start training (user_id_dropout) shows id 0 of the batch without its embedding, id statistics
  // (the last numeric column here) and history; its embedding row must get exactly no gradient.
  it.each([["all ids", null], ["the first id dropped", Uint8Array.of(1, 0, 0)]] as const)("match central finite differences for the tower, the attention encoder and the embeddings (%s)", (_, drop) => {
    // f64 products: a 1e-5 step is below what the default f32 products resolve (gemm.test.ts checks those).
    useGemm("f64");
    const rng = new Rng(3);
    const nIds = 5;
    const features = {
      numeric: Float32Array.from({ length: nIds * 2 }, () => rng.normal()),
      numericNames: ["a", "b"],
      categorical: Int32Array.from({ length: nIds }, (_, c) => c % 3),
      categoricalNames: ["seg"],
      cardinality: [3],
    };
    const enc = new HistoryEncoder(7, 4, 6, 2, 5, rng);
    const tower = new Tower(nIds, 3, 2, features, 6, [8, 4], rng, 1);
    const seq = { tokens: Int32Array.from([1, 4, 2, 6, 0, 3]), offsets: Int32Array.from([0, 3, 4, 6]) };
    const b = tower.batch(Int32Array.from([2, 0, 4, 2]));
    expect(Array.from(b.ids)).toEqual([2, 0, 4]);
    const c = Float64Array.from({ length: 3 * 4 }, () => rng.normal());
    const loss = () => {
      const out = tower.forward(b, enc.forward(seq), drop);
      let l = 0;
      for (let j = 0; j < out.length; j++) l += c[j] * out[j] + 0.5 * out[j] * out[j];
      return { l, out };
    };
    const params: Param[] = [...tower.params(), ...enc.params()];
    const { out } = loss();
    const dOut = Float64Array.from(out, (o, j) => c[j] + o);
    enc.backward(tower.backward(dOut)!);
    let checked = 0;
    for (const p of params) {
      for (let t = 0; t < 6 && t < p.v.length; t++) {
        const j = (t * 7919) % p.v.length;
        const keep = p.v[j];
        p.v[j] = keep + 1e-5;
        const up = loss().l;
        p.v[j] = keep - 1e-5;
        const down = loss().l;
        p.v[j] = keep;
        const numeric = (up - down) / 2e-5;
        expect(p.g[j]).toBeCloseTo(numeric, 5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
    if (drop) expect(Array.from(tower.idEmb.g.subarray(2 * 3, 3 * 3))).toEqual([0, 0, 0]); // id 2, dropped
    // Adam moves against the gradient and clears it.
    const q = new Param(Float64Array.from([1, -1]));
    q.g.set([2, -3]);
    new Adam([q], 0.1).step();
    expect(Array.from(q.v)).toEqual([expect.closeTo(0.9, 9), expect.closeTo(-0.9, 9)]);
    expect(Array.from(q.g)).toEqual([0, 0]);
    useGemm("f32");
  });
});
