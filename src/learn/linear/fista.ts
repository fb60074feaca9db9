// FISTA (Beck & Teboulle 2009): accelerated proximal gradient for a smooth loss plus an L1 term,
// with backtracking on the step size. Used for L1 / elastic-net logistic regression.

import type { ValueAndGradient } from "./lbfgs.js";

export interface FistaOptions {
  maxIter: number;
  /** Stop when no coordinate moves more than tol in an iteration. */
  tol: number;
  /** L1 weight per coordinate (0 leaves a coordinate unpenalised, e.g. intercepts). */
  l1: Float64Array;
  /** Called after every iteration (a stopper may throw from it). */
  onIteration?: (iteration: number) => void;
}

export function fista(fg: ValueAndGradient, x0: Float64Array, opts: FistaOptions): { x: Float64Array; iterations: number; converged: boolean } {
  const d = x0.length;
  let x = x0.slice();
  let yk = x0.slice();
  const g = new Float64Array(d);
  const gNew = new Float64Array(d);
  const xNew = new Float64Array(d);
  let L = 1;
  let t = 1;
  for (let iter = 0; iter < opts.maxIter; iter++) {
    const fy = fg(yk, g);
    for (;;) {
      let quad = 0;
      let lin = 0;
      for (let i = 0; i < d; i++) {
        const z = yk[i] - g[i] / L;
        const thr = opts.l1[i] / L;
        xNew[i] = z > thr ? z - thr : z < -thr ? z + thr : 0;
        const diff = xNew[i] - yk[i];
        lin += g[i] * diff;
        quad += diff * diff;
      }
      const fx = fg(xNew, gNew);
      if (fx <= fy + lin + (L / 2) * quad + 1e-15 * Math.abs(fy) || L > 1e15) break;
      L *= 2;
    }
    let move = 0;
    const tNew = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const next = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      move = Math.max(move, Math.abs(xNew[i] - x[i]));
      next[i] = xNew[i] + ((t - 1) / tNew) * (xNew[i] - x[i]);
    }
    x = xNew.slice();
    yk = next;
    t = tNew;
    if (move <= opts.tol) return { x, iterations: iter + 1, converged: true };
    opts.onIteration?.(iter + 1);
  }
  return { x, iterations: opts.maxIter, converged: false };
}
