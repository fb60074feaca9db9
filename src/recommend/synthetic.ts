// Seeded synthetic ratings with a known latent structure, for tests and the example (no licence questions):
// rating = 3.5 + b_u + b_i + p_u · q_i + N(0, noise²) on random (user, item) cells, the peer's --make-synthetic recipe,
// plus per-user / per-item side features and timestamps.

import { Rng } from "../learn/rng.js";
import type { InteractionTable } from "./train.js";

export interface SyntheticOptions {
  users?: number;
  items?: number;
  rank?: number;
  ratings?: number;
  noise?: number;
  seed?: number;
}

export interface SyntheticRatings extends InteractionTable {
  ratings: Float64Array;
  time: Float64Array;
  /** The noiseless rating of each row: RMSE against it is the floor no model can beat on average. */
  truth: Float64Array;
}

export function syntheticRatings(o: SyntheticOptions = {}): SyntheticRatings {
  const [nu, ni, rank, n, noise] = [o.users ?? 500, o.items ?? 300, o.rank ?? 5, o.ratings ?? 20000, o.noise ?? 0.3];
  if (n > nu * ni) throw new RangeError(`${n} ratings do not fit in ${nu} x ${ni} cells`);
  const rng = new Rng(o.seed ?? 42);
  const P = Float64Array.from({ length: nu * rank }, () => 0.6 * rng.normal());
  const Q = Float64Array.from({ length: ni * rank }, () => 0.6 * rng.normal());
  const bu = Float64Array.from({ length: nu }, () => 0.3 * rng.normal());
  const bi = Float64Array.from({ length: ni }, () => 0.3 * rng.normal());
  // Distinct cells: a partial Fisher-Yates over the nu*ni grid (a map of swapped positions keeps it sparse).
  const swapped = new Map<number, number>();
  const users: string[] = [];
  const items: string[] = [];
  const ratings = new Float64Array(n);
  const truth = new Float64Array(n);
  const time = new Float64Array(n);
  const total = nu * ni;
  for (let j = 0; j < n; j++) {
    const x = j + rng.int(total - j);
    const cell = swapped.get(x) ?? x;
    swapped.set(x, swapped.get(j) ?? j);
    const u = Math.floor(cell / ni);
    const i = cell % ni;
    let t = 3.5 + bu[u] + bi[i];
    for (let f = 0; f < rank; f++) t += P[u * rank + f] * Q[i * rank + f];
    users.push(`u${String(u).padStart(4, "0")}`);
    items.push(`i${String(i).padStart(4, "0")}`);
    truth[j] = t;
    ratings[j] = Math.round((t + noise * rng.normal()) * 1e4) / 1e4;
    time[j] = 1_600_000_000 + rng.int(86400 * 365);
  }
  const ids = (p: string, m: number) => Array.from({ length: m }, (_, c) => `${p}${String(c).padStart(4, "0")}`);
  // Side features that carry part of the structure: the first latent factor (noisy) and a 3-level segment of the bias.
  const seg = (b: number) => (b < -0.15 ? "low" : b > 0.15 ? "high" : "mid");
  return {
    users,
    items,
    ratings,
    time,
    truth,
    columns: { user: "user", item: "item", rating: "rating", time: "ts" },
    userFeatures: {
      ids: ids("u", nu),
      numeric: { taste: Float64Array.from({ length: nu }, (_, u) => P[u * rank] + 0.2 * rng.normal()) },
      categorical: { segment: Array.from(bu, seg) },
    },
    itemFeatures: {
      ids: ids("i", ni),
      numeric: { style: Float64Array.from({ length: ni }, (_, i) => Q[i * rank] + 0.2 * rng.normal()) },
      categorical: { tier: Array.from(bi, seg) },
    },
  };
}

/**
 * Implicit feedback with a latent structure: each user interacts with `perUser` distinct items drawn with probability
 * ∝ exp(sharpness · p_u · q_i) (rank-`rank` factors ~ N(0, 1/√rank)) times a Zipf-like item popularity. Strength 1.
 */
export function syntheticInteractions(o: { users?: number; items?: number; rank?: number; perUser?: number; sharpness?: number; seed?: number } = {}): InteractionTable {
  const [nu, ni, rank, m, sharp] = [o.users ?? 400, o.items ?? 200, o.rank ?? 4, o.perUser ?? 20, o.sharpness ?? 3];
  const rng = new Rng(o.seed ?? 7);
  const sd = 1 / Math.sqrt(rank);
  const P = Float64Array.from({ length: nu * rank }, () => sd * rng.normal());
  const Q = Float64Array.from({ length: ni * rank }, () => sd * rng.normal());
  const users: string[] = [];
  const items: string[] = [];
  const w = new Float64Array(ni);
  for (let u = 0; u < nu; u++) {
    let total = 0;
    for (let i = 0; i < ni; i++) {
      let dot = 0;
      for (let f = 0; f < rank; f++) dot += P[u * rank + f] * Q[i * rank + f];
      total += w[i] = Math.exp(sharp * dot) / Math.sqrt(i + 1);
    }
    for (let t = 0; t < Math.min(m, ni); t++) {
      let x = rng.next() * total;
      let i = 0;
      while (i < ni - 1 && (x -= w[i]) > 0) i++;
      total -= w[i];
      w[i] = 0; // without replacement
      users.push(`u${String(u).padStart(4, "0")}`);
      items.push(`i${String(i).padStart(4, "0")}`);
    }
  }
  return { users, items, ratings: null, columns: { user: "user", item: "item", rating: null } };
}
