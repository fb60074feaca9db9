// Tree-structured Parzen estimator (Bergstra et al. 2011, as Optuna does it): split finished trials into the
// best gamma share and the rest, and propose the point maximising l(x) / g(x), one parameter at a time.

import type { ParamValue } from "../params.js";
import type { Rng } from "../rng.js";
import { fromUnit, sampleParam, toUnit, type Distribution, type SearchSpace } from "./space.js";

export interface Observation {
  params: Record<string, ParamValue>;
  /** Higher is better. */
  score: number;
}

export interface TpeOptions {
  /** Share of trials counted as good. */
  gamma: number;
  /** Candidates drawn from l(x) per parameter. */
  candidates: number;
  /** Random trials before the model takes over. */
  startup: number;
}

export const TPE_DEFAULTS: TpeOptions = { gamma: 0.25, candidates: 24, startup: 10 };

/** Parzen density on the unit interval: a Gaussian per point plus a flat prior, bandwidth by neighbour gaps. */
function kde(points: number[]): (u: number) => number {
  const sorted = [...points].sort((a, b) => a - b);
  const n = sorted.length;
  const sigma = sorted.map((p, i) => {
    const left = i > 0 ? p - sorted[i - 1] : p;
    const right = i < n - 1 ? sorted[i + 1] - p : 1 - p;
    return Math.min(1, Math.max(Math.max(left, right), 1 / Math.min(100, n + 1)));
  });
  return (u) => {
    let s = 1; // the prior: uniform on [0, 1], weight of one point
    for (let i = 0; i < n; i++) s += Math.exp(-0.5 * ((u - sorted[i]) / sigma[i]) ** 2) / (sigma[i] * Math.sqrt(2 * Math.PI));
    return s / (n + 1);
  };
}

function categorical(indices: number[], k: number): (i: number) => number {
  const counts = new Array(k).fill(1); // add-one prior
  for (const i of indices) counts[i]++;
  const total = counts.reduce((a, b) => a + b, 0);
  return (i) => counts[i] / total;
}

function proposeOne(d: Distribution, good: ParamValue[], bad: ParamValue[], rng: Rng, m: number): ParamValue {
  if (d.type === "choice") {
    const k = d.values.length;
    const l = categorical(good.map((v) => toUnit(d, v)), k);
    const g = categorical(bad.map((v) => toUnit(d, v)), k);
    let best = 0;
    for (let i = 1; i < k; i++) if (l(i) / g(i) > l(best) / g(best)) best = i;
    return d.values[best];
  }
  const gu = good.map((v) => toUnit(d, v));
  const l = kde(gu);
  const g = kde(bad.map((v) => toUnit(d, v)));
  let bestU = rng.next();
  let bestRatio = -Infinity;
  for (let c = 0; c < m; c++) {
    // Draw from l: pick a good point, jitter it (or from the prior one time in (n + 1)).
    const j = rng.int(gu.length + 1);
    const u = j === gu.length ? rng.next() : Math.min(1, Math.max(0, gu[j] + rng.normal() * 0.1));
    const ratio = l(u) / g(u);
    if (ratio > bestRatio) (bestRatio = ratio), (bestU = u);
  }
  return fromUnit(d, bestU);
}

/** Next parameters to try given the finished trials (random until `startup` of them exist). */
export function proposeTpe(space: SearchSpace, done: Observation[], rng: Rng, opts: TpeOptions = TPE_DEFAULTS): Record<string, ParamValue> {
  if (done.length < opts.startup) return Object.fromEntries(Object.entries(space).map(([k, d]) => [k, sampleParam(d, rng)]));
  const sorted = [...done].sort((a, b) => b.score - a.score);
  const nGood = Math.max(1, Math.ceil(opts.gamma * sorted.length));
  const good = sorted.slice(0, nGood);
  const bad = sorted.slice(nGood);
  return Object.fromEntries(
    Object.entries(space).map(([k, d]) => [k, proposeOne(d, good.map((o) => o.params[k]), bad.map((o) => o.params[k]), rng, opts.candidates)]),
  );
}
