// Multiclass softmax cross-entropy over k raw scores per row.

import { HESS_FLOOR, type Objective } from "./objective.js";

export class Softmax implements Objective {
  readonly name = "multiclass_softmax";

  constructor(readonly outputs: number) {}

  initScore(y: Float64Array, w: Float64Array | undefined): Float64Array {
    // Log class priors: tiny classes start near their rate instead of at 1/k (keeps early trees sane).
    const k = this.outputs;
    const counts = new Float64Array(k);
    let total = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i] : 1;
      counts[y[i]] += wi;
      total += wi;
    }
    const init = new Float64Array(k);
    for (let c = 0; c < k; c++) init[c] = Math.log(Math.max(counts[c] / total, 1e-7));
    return init;
  }

  gradients(y: Float64Array, raw: Float64Array, w: Float64Array | undefined, gh: Float32Array, start = 0, end = y.length): void {
    const n = y.length;
    const k = this.outputs;
    // Diagonal Newton steps overshoot with many classes; k/(k-1) is LightGBM's correction factor.
    const factor = k / (k - 1);
    const p = new Float64Array(k);
    for (let i = start; i < end; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (raw[c * n + i] > max) max = raw[c * n + i];
      let sum = 0;
      for (let c = 0; c < k; c++) sum += p[c] = Math.exp(raw[c * n + i] - max);
      const wi = w ? w[i] : 1;
      for (let c = 0; c < k; c++) {
        const q = p[c] / sum;
        const j = 2 * (c * n + i);
        gh[j] = (q - (y[i] === c ? 1 : 0)) * wi;
        gh[j + 1] = Math.max(factor * q * (1 - q), HESS_FLOOR) * wi;
      }
    }
  }

  transform(raw: Float64Array, n: number): Float64Array {
    const k = this.outputs;
    const out = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (raw[c * n + i] > max) max = raw[c * n + i];
      let sum = 0;
      for (let c = 0; c < k; c++) sum += out[i * k + c] = Math.exp(raw[c * n + i] - max);
      for (let c = 0; c < k; c++) out[i * k + c] /= sum;
    }
    return out;
  }

  loss(y: Float64Array, raw: Float64Array, w: Float64Array | undefined): number {
    const n = y.length;
    const k = this.outputs;
    let s = 0;
    let sw = 0;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (raw[c * n + i] > max) max = raw[c * n + i];
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(raw[c * n + i] - max);
      const wi = w ? w[i] : 1;
      s += wi * (max + Math.log(sum) - raw[y[i] * n + i]);
      sw += wi;
    }
    return s / sw;
  }
}
