// The small neural-network kit of the two-tower model, on Float64Array with hand-written backpropagation: a
// trainable parameter, a dense layer (its products in gemm.ts), an MLP with ReLU between layers, embedding tables and Adam.

import type { Rng } from "../../learn/rng.js";
import { gemm } from "./gemm.js";

/** A trainable tensor: value, gradient and Adam's two moments, all flat. */
export class Param {
  readonly g: Float64Array;
  readonly m: Float64Array;
  readonly s: Float64Array;
  constructor(readonly v: Float64Array) {
    this.g = new Float64Array(v.length);
    this.m = new Float64Array(v.length);
    this.s = new Float64Array(v.length);
  }

  static uniform(n: number, bound: number, rng: Rng): Param {
    return new Param(Float64Array.from({ length: n }, () => (2 * rng.next() - 1) * bound));
  }

  static normal(n: number, sd: number, rng: Rng): Param {
    return new Param(Float64Array.from({ length: n }, () => sd * rng.normal()));
  }
}

/** y = x W + b for a batch of rows (x: n x in, W: in x out), PyTorch's default initialisation U(±1/√in). */
export class Linear {
  readonly W: Param;
  readonly b: Param;
  private x: Float64Array = new Float64Array(0);
  private n = 0;
  constructor(
    readonly nIn: number,
    readonly nOut: number,
    rng: Rng,
  ) {
    const bound = 1 / Math.sqrt(nIn);
    this.W = Param.uniform(nIn * nOut, bound, rng);
    this.b = Param.uniform(nOut, bound, rng);
  }

  forward(x: Float64Array, n: number): Float64Array {
    this.x = x;
    this.n = n;
    const y = new Float64Array(n * this.nOut);
    gemm.forward(x, n, this.nIn, this.W.v, this.nOut, this.b.v, y);
    return y;
  }

  /** Accumulates dW, db from the last forward's input; returns dx. */
  backward(dy: Float64Array): Float64Array {
    const { nIn, nOut, x, n } = this;
    const dx = new Float64Array(n * nIn);
    gemm.backWeights(x, n, nIn, dy, nOut, this.W.g, this.b.g);
    gemm.backInput(dy, n, nOut, this.W.v, nIn, dx);
    return dx;
  }

  params(): Param[] {
    return [this.W, this.b];
  }
}

/** Dense layers with ReLU between them (the last one linear). */
export class MLP {
  readonly layers: Linear[];
  private masks: Uint8Array[] = [];
  constructor(nIn: number, sizes: number[], rng: Rng) {
    this.layers = sizes.map((d, j) => new Linear(j === 0 ? nIn : sizes[j - 1], d, rng));
  }

  forward(x: Float64Array, n: number): Float64Array {
    let h = x;
    this.masks = [];
    this.layers.forEach((l, j) => {
      h = l.forward(h, n);
      if (j < this.layers.length - 1) {
        const mask = new Uint8Array(h.length);
        for (let t = 0; t < h.length; t++) h[t] > 0 ? (mask[t] = 1) : (h[t] = 0);
        this.masks.push(mask);
      }
    });
    return h;
  }

  backward(dy: Float64Array): Float64Array {
    let d = dy;
    for (let j = this.layers.length - 1; j >= 0; j--) {
      if (j < this.layers.length - 1) {
        const mask = this.masks[j];
        for (let t = 0; t < d.length; t++) if (!mask[t]) d[t] = 0;
      }
      d = this.layers[j].backward(d);
    }
    return d;
  }

  params(): Param[] {
    return this.layers.flatMap((l) => l.params());
  }
}

/** Adam (Kingma & Ba) with PyTorch's defaults; step() applies and clears every gradient. */
export class Adam {
  private t = 0;
  constructor(
    private readonly params: Param[],
    private readonly lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {}

  step(): void {
    this.t++;
    const { lr, beta1: b1, beta2: b2, eps } = this;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (const p of this.params) {
      const { v, g, m, s } = p;
      for (let j = 0; j < v.length; j++) {
        const gj = g[j];
        m[j] = b1 * m[j] + (1 - b1) * gj;
        s[j] = b2 * s[j] + (1 - b2) * gj * gj;
        v[j] -= (lr * (m[j] / c1)) / (Math.sqrt(s[j] / c2) + eps);
        g[j] = 0;
      }
    }
  }
}

/** Copies of every parameter's value (early stopping keeps the best epoch's). */
export const snapshot = (ps: Param[]): Float64Array[] => ps.map((p) => p.v.slice());
export const restore = (ps: Param[], snap: Float64Array[]): void => ps.forEach((p, j) => p.v.set(snap[j]));
