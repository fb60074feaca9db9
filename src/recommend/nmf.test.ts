// NMF does Surprise's arithmetic (matrix_factorization.pyx, NMF.sgd, biased=False): from the same initial factors,
// a rating-by-rating transcription of that loop — nested arrays, no shared helper — ends at the same factors.
import { describe, expect, it } from "vitest";
import { Rng } from "../learn/rng.js";
import { NMFRecommender } from "./nmf.js";
import type { RecTrainingData } from "./interactions.js";

/** Surprise's NMF.sgd (unbiased) on ratings already shifted by the offset, rating by rating, in its order. */
function surpriseNMF(d: RecTrainingData, r: number[], pu: number[][], qi: number[][], epochs: number, reg: number): void {
  const k = pu[0].length;
  const nRu = Array(d.nUsers).fill(0), nRi = Array(d.nItems).fill(0);
  for (let j = 0; j < r.length; j++) nRu[d.users[j]]++, nRi[d.items[j]]++;
  for (let e = 0; e < epochs; e++) {
    const un = pu.map(() => Array(k).fill(0)), ud = pu.map(() => Array(k).fill(0));
    const inum = qi.map(() => Array(k).fill(0)), id = qi.map(() => Array(k).fill(0));
    for (let j = 0; j < r.length; j++) {
      const [u, i] = [d.users[j], d.items[j]];
      let est = 0;
      for (let f = 0; f < k; f++) est += qi[i][f] * pu[u][f];
      for (let f = 0; f < k; f++) {
        un[u][f] += qi[i][f] * r[j];
        ud[u][f] += qi[i][f] * est;
        inum[i][f] += pu[u][f] * r[j];
        id[i][f] += pu[u][f] * est;
      }
    }
    for (let u = 0; u < d.nUsers; u++)
      for (let f = 0; f < k; f++) if (nRu[u] > 0 && pu[u][f] !== 0) pu[u][f] *= un[u][f] / (ud[u][f] + nRu[u] * reg * pu[u][f]);
    for (let i = 0; i < d.nItems; i++)
      for (let f = 0; f < k; f++) if (nRi[i] > 0 && qi[i][f] !== 0) qi[i][f] *= inum[i][f] / (id[i][f] + nRi[i] * reg * qi[i][f]);
  }
}

function data(seed: number, nUsers: number, nItems: number, n: number, lo: number): RecTrainingData {
  const rng = new Rng(seed);
  const users = Int32Array.from({ length: n }, () => rng.int(nUsers - 1)); // the last user and item have no rating
  const items = Int32Array.from({ length: n }, () => rng.int(nItems - 1));
  const ratings = Float64Array.from({ length: n }, () => lo + Math.round(rng.next() * 8) / 2);
  return { users, items, ratings, nUsers, nItems, seed: 5 };
}

describe("nmf follows Surprise's multiplicative updates", () => {
  for (const [name, lo] of [["ratings 1..5", 1], ["ratings -1..3 (offset 2)", -1]] as const) {
    it(`${name}: the same factors and predictions as the transcription of Surprise's loop`, () => {
      const d = data(3, 40, 30, 600, lo);
      const k = 4;
      const rng = new Rng(d.seed); // ours draws P then Q, row by row, uniform(init_low, init_high)
      const pu = Array.from({ length: d.nUsers }, () => Array.from({ length: k }, () => rng.next()));
      const qi = Array.from({ length: d.nItems }, () => Array.from({ length: k }, () => rng.next()));
      const offset = lo <= 0 ? 1 - Math.min(...d.ratings) : 0;
      surpriseNMF(d, Array.from(d.ratings, (v) => v + offset), pu, qi, 20, 0.06);

      const fitted = new NMFRecommender({ n_factors: k, n_epochs: 20 }).fit(d);
      const s = fitted.state() as { P: Float64Array; Q: Float64Array; offset: number };
      expect(s.offset).toBe(offset);
      let maxDiff = 0;
      pu.forEach((row, u) => row.forEach((v, f) => (maxDiff = Math.max(maxDiff, Math.abs(v - s.P[u * k + f])))));
      qi.forEach((row, i) => row.forEach((v, f) => (maxDiff = Math.max(maxDiff, Math.abs(v - s.Q[i * k + f])))));
      expect(maxDiff).toBeLessThan(1e-9);
      // (the last user and item have no rating: both sides leave their initial factors alone); r̂ = q_i·p_u − offset
      const want = pu[2].reduce((a, v, f) => a + v * qi[7][f], 0) - offset;
      expect(fitted.predict(Int32Array.of(2), Int32Array.of(7))[0]).toBeCloseTo(want, 9);
    });
  }

  it("an unknown user or item gets the global mean of the training ratings", () => {
    const d = data(3, 40, 30, 600, 1);
    const mean = d.ratings.reduce((a, v) => a + v, 0) / d.ratings.length;
    const out = new NMFRecommender({ n_epochs: 3 }).fit(d).predict(Int32Array.of(-1, 0), Int32Array.of(0, -1));
    expect(out[0]).toBeCloseTo(mean, 12);
    expect(out[1]).toBeCloseTo(mean, 12);
  });
});
