// Regression losses on a raw score: squared error, Huber, and Poisson (log link).

import { HESS_FLOOR, weightedMean, type Objective } from "./objective.js";

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

/** Huber loss: squared near the target, linear beyond `delta` (robust to outliers). Hessian 1, as LightGBM. */
export class Huber extends SquaredError {
  override readonly name = "huber";

  constructor(readonly delta: number) {
    super();
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
