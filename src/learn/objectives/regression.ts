// Regression losses on a raw score: squared error, Huber, and Poisson (log link).

import { HESS_FLOOR, weightedMean, weightedQuantile, type Objective } from "./objective.js";

export class SquaredError implements Objective {
  readonly name: string = "squared_error";
  readonly outputs = 1;

  initScore(y: Float64Array, w: Float64Array | undefined): Float64Array {
    return Float64Array.of(weightedMean(y, w));
  }

  gradients(y: Float64Array, raw: Float64Array, w: Float64Array | undefined, gh: Float32Array, start = 0, end = y.length): void {
    for (let i = start; i < end; i++) {
      const wi = w ? w[i] : 1;
      gh[2 * i] = (raw[i] - y[i]) * wi;
      gh[2 * i + 1] = wi;
    }
  }

  transform(raw: Float64Array, n: number): Float64Array {
    return raw.slice(0, n);
  }

  loss(y: Float64Array, raw: Float64Array, w: Float64Array | undefined): number {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i] : 1;
      s += wi * 0.5 * (raw[i] - y[i]) ** 2;
      sw += wi;
    }
    return s / sw;
  }
}

/**
 * Huber loss: squared within `delta` of the target, linear beyond (robust to outliers). Hessian 1, as LightGBM.
 * It starts from the (weighted) median, as scikit-learn's GradientBoostingRegressor(loss="huber"): a few outliers put
 * the mean anywhere, and gradients clipped at delta move a row's score by at most delta x learning rate a round.
 * delta is in target units: the one given, else the alpha-quantile of |y - median| over the training rows, found by
 * initScore. That is scikit-learn's rule at its first round; it recomputes it every round, here it stays fixed for
 * the fit (like LightGBM's alpha), so the gradient threads are given one number.
 */
export class Huber extends SquaredError {
  override readonly name = "huber";
  private given: number | null;

  constructor(
    delta: number | null,
    readonly alpha = 0.9,
  ) {
    super();
    this.given = delta;
  }

  /** The delta in use: the one given, or the one initScore derived from the targets. */
  get delta(): number {
    if (this.given === null) throw new Error("Huber: delta is derived from the targets by initScore; call it first");
    return this.given;
  }

  override initScore(y: Float64Array, w: Float64Array | undefined): Float64Array {
    const median = weightedQuantile(y, w, 0.5);
    if (this.given === null) this.given = deltaFromTargets(y, w, median, this.alpha);
    return Float64Array.of(median);
  }

  override gradients(y: Float64Array, raw: Float64Array, w: Float64Array | undefined, gh: Float32Array, start = 0, end = y.length): void {
    const d = this.delta;
    for (let i = start; i < end; i++) {
      const wi = w ? w[i] : 1;
      const r = raw[i] - y[i];
      gh[2 * i] = (r > d ? d : r < -d ? -d : r) * wi;
      gh[2 * i + 1] = wi;
    }
  }

  override loss(y: Float64Array, raw: Float64Array, w: Float64Array | undefined): number {
    const d = this.delta;
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i] : 1;
      const a = Math.abs(raw[i] - y[i]);
      s += wi * (a <= d ? 0.5 * a * a : d * (a - 0.5 * d));
      sw += wi;
    }
    return s / sw;
  }
}

/**
 * The alpha-quantile of |y - median|. When that is 0 (most targets equal the median, e.g. zero-inflated amounts), the
 * alpha-quantile of the nonzero deviations; 1 when all targets are equal (any delta fits a constant).
 */
function deltaFromTargets(y: Float64Array, w: Float64Array | undefined, median: number, alpha: number): number {
  const dev = Float64Array.from(y, (v) => Math.abs(v - median));
  const q = weightedQuantile(dev, w, alpha);
  if (q > 0) return q;
  const keep = Uint32Array.from(dev.keys()).filter((i) => dev[i] > 0 && (!w || w[i] > 0));
  if (keep.length === 0) return 1;
  return weightedQuantile(Float64Array.from(keep, (i) => dev[i]), w && Float64Array.from(keep, (i) => w[i]), alpha);
}

/** Poisson deviance with a log link, for counts (targets must be >= 0). */
export class Poisson implements Objective {
  readonly name = "poisson";
  readonly outputs = 1;

  initScore(y: Float64Array, w: Float64Array | undefined): Float64Array {
    return Float64Array.of(Math.log(Math.max(weightedMean(y, w), 1e-7)));
  }

  gradients(y: Float64Array, raw: Float64Array, w: Float64Array | undefined, gh: Float32Array, start = 0, end = y.length): void {
    for (let i = start; i < end; i++) {
      const wi = w ? w[i] : 1;
      const mu = Math.exp(raw[i]);
      gh[2 * i] = (mu - y[i]) * wi;
      gh[2 * i + 1] = Math.max(mu, HESS_FLOOR) * wi;
    }
  }

  transform(raw: Float64Array, n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.exp(raw[i]);
    return out;
  }

  loss(y: Float64Array, raw: Float64Array, w: Float64Array | undefined): number {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i] : 1;
      s += wi * (Math.exp(raw[i]) - y[i] * raw[i]);
      sw += wi;
    }
    return s / sw;
  }
}
