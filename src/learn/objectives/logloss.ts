// Binary log loss on a raw log-odds score (class 1 = positive).

import { HESS_FLOOR, weightedMean, type Objective } from "./objective.js";

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export class BinaryLogLoss implements Objective {
  readonly name = "binary_logloss";
  readonly outputs = 1;

  initScore(y: Float64Array, w: Float64Array | undefined): Float64Array {
    const p = Math.min(Math.max(weightedMean(y, w), 1e-7), 1 - 1e-7);
    return Float64Array.of(Math.log(p / (1 - p)));
  }

  gradients(y: Float64Array, raw: Float64Array, w: Float64Array | undefined, gh: Float32Array, start = 0, end = y.length): void {
    for (let i = start; i < end; i++) {
      const p = 1 / (1 + Math.exp(-raw[i]));
      const wi = w ? w[i] : 1;
      gh[2 * i] = (p - y[i]) * wi;
      gh[2 * i + 1] = Math.max(p * (1 - p), HESS_FLOOR) * wi;
    }
  }

  transform(raw: Float64Array, n: number): Float64Array {
    const out = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-raw[i]));
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }

  loss(y: Float64Array, raw: Float64Array, w: Float64Array | undefined): number {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i] : 1;
      // log(1 + e^z) - y z, written to stay finite for large |z|
      const z = raw[i];
      const l = (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i] * z;
      s += wi * l;
      sw += wi;
    }
    return s / sw;
  }
}
