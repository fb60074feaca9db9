// Held-out rows for recommenders: a seeded random share, or by time (each user's latest interactions, the peer's
// rule: round(fraction · n_u) of them, always leaving the user one training interaction).

import { ValidationError } from "../errors.js";
import { Rng } from "../learn/rng.js";

export function randomTestRows(n: number, fraction: number, seed: number): Uint32Array {
  if (!(fraction > 0 && fraction < 1)) throw new ValidationError(`test fraction must be in (0, 1), got ${fraction}`, { path: "--test-fraction" });
  const perm = new Rng(seed).shuffle(Uint32Array.from({ length: n }, (_, j) => j));
  return perm.slice(0, Math.round(fraction * n)).sort();
}

export function byTimeTestRows(users: readonly string[], time: Float64Array, fraction: number): Uint32Array {
  if (!(fraction > 0 && fraction < 1)) throw new ValidationError(`test fraction must be in (0, 1), got ${fraction}`, { path: "--test-fraction" });
  const rowsOf = new Map<string, number[]>();
  users.forEach((u, r) => {
    const l = rowsOf.get(u);
    if (l) l.push(r);
    else rowsOf.set(u, [r]);
  });
  const out: number[] = [];
  for (const rows of rowsOf.values()) {
    rows.sort((a, b) => time[a] - time[b] || a - b);
    const nTest = Math.min(Math.floor(fraction * rows.length + 0.5), Math.max(rows.length - 1, 0));
    out.push(...rows.slice(rows.length - nTest));
  }
  return Uint32Array.from(out).sort();
}

/** k folds of all rows (seeded): fold f's test rows. */
export function kFoldRows(n: number, k: number, seed: number): Uint32Array[] {
  if (!Number.isInteger(k) || k < 2) throw new ValidationError(`--cv must be an integer >= 2, got ${k}`, { path: "--cv" });
  const perm = new Rng(seed).shuffle(Uint32Array.from({ length: n }, (_, j) => j));
  return Array.from({ length: k }, (_, f) => perm.filter((_, x) => x % k === f).sort());
}
