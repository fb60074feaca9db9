// Limited-memory BFGS for smooth convex objectives (two-loop recursion, backtracking Armijo line search).

export type ValueAndGradient = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIter: number;
  /** Stop when max |gradient| <= gtol (scikit-learn's lbfgs `tol`). */
  gtol: number;
  /** Also stop when the relative decrease of f falls below ftol. */
  ftol?: number;
  memory?: number;
  /**
   * Diagonal of the initial inverse Hessian up to a scalar (a preconditioner; default all ones): for one-hot designs
   * 1 / (rows with the level + penalty), so a rare level's weight moves as far per step as a common one's.
   */
  scale?: Float64Array;
  /** Called after every iteration (a stopper may throw from it). */
  onIteration?: (iteration: number) => void;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  converged: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function lbfgs(fg: ValueAndGradient, x0: Float64Array, opts: LbfgsOptions): LbfgsResult {
  const d = x0.length;
  const m = opts.memory ?? 10;
  const ftol = opts.ftol ?? 1e-12;
  const scale = opts.scale;
  const x = x0.slice();
  const g = new Float64Array(d);
  let f = fg(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(d);
  const xNew = new Float64Array(d);
  const gNew = new Float64Array(d);
  const alpha = new Float64Array(m);
  let iter = 0;
  for (; iter < opts.maxIter; iter++) {
    if (maxAbs(g) <= opts.gtol) return { x, f, iterations: iter, converged: true };
    // Two-loop recursion: dir = -H g.
    for (let i = 0; i < d; i++) dir[i] = -g[i];
    for (let j = S.length - 1; j >= 0; j--) {
      const a = (alpha[j] = rho[j] * dot(S[j], dir));
      const Yj = Y[j];
      for (let i = 0; i < d; i++) dir[i] -= a * Yj[i];
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const Yl = Y[last];
      let yHy = 0;
      if (scale) for (let i = 0; i < d; i++) yHy += Yl[i] * scale[i] * Yl[i];
      else yHy = dot(Yl, Yl);
      const gamma = dot(S[last], Yl) / yHy;
      if (scale) for (let i = 0; i < d; i++) dir[i] *= gamma * scale[i];
      else for (let i = 0; i < d; i++) dir[i] *= gamma;
    } else {
      if (scale) for (let i = 0; i < d; i++) dir[i] *= scale[i];
      const gn = Math.sqrt(dot(dir, dir));
      for (let i = 0; i < d; i++) dir[i] /= Math.max(gn, 1);
    }
    for (let j = 0; j < S.length; j++) {
      const c = alpha[j] - rho[j] * dot(Y[j], dir);
      const Sj = S[j];
      for (let i = 0; i < d; i++) dir[i] += Sj[i] * c;
    }
    let slope = dot(g, dir);
    if (slope >= 0) {
      // Not a descent direction (curvature pairs went stale): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < d; i++) dir[i] = -g[i] * (scale ? scale[i] : 1);
      slope = dot(g, dir);
    }
    let step = 1;
    let fNew = NaN;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < d; i++) xNew[i] = x[i] + step * dir[i];
      fNew = fg(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) return { x, f, iterations: iter, converged: false };
    const s = new Float64Array(d);
    const y = new Float64Array(d);
    for (let i = 0; i < d; i++) (s[i] = xNew[i] - x[i]), (y[i] = gNew[i] - g[i]);
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (S.length === m) (S.shift(), Y.shift(), rho.shift());
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const decrease = f - fNew;
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    if (decrease <= ftol * Math.max(Math.abs(f), 1)) return { x, f, iterations: iter + 1, converged: true };
    opts.onIteration?.(iter + 1);
  }
  return { x, f, iterations: iter, converged: maxAbs(g) <= opts.gtol };
}
