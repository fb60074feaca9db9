// A one-layer Transformer encoder over users' interaction histories: item embeddings + learned positional
// embeddings, multi-head self-attention (each sequence attends only within its own tokens, which is the padding
// mask), a residual, a ReLU feed-forward block with a residual, then masked mean pooling to one vector per user.
// No layer normalisation (one layer, small widths: it trained stably without; said here so nobody assumes it).

import type { Rng } from "../../learn/rng.js";
import { Linear, MLP, Param } from "./layers.js";

/** Sequences packed end to end: tokens of sequence s are tokens[offsets[s]..offsets[s+1]). */
export interface PackedSequences {
  tokens: Int32Array;
  offsets: Int32Array;
}

export class HistoryEncoder {
  readonly itemEmb: Param;
  readonly posEmb: Param;
  private readonly q: Linear;
  private readonly k: Linear;
  private readonly v: Linear;
  private readonly o: Linear;
  private readonly ffn: MLP;
  private readonly dh: number;
  // forward state for backward
  private seq: PackedSequences = { tokens: new Int32Array(0), offsets: new Int32Array(1) };
  private Q: Float64Array = new Float64Array(0);
  private K: Float64Array = new Float64Array(0);
  private V: Float64Array = new Float64Array(0);
  private P = new Float64Array(0);
  private pOff = new Int32Array(1);

  constructor(
    nItems: number,
    readonly maxLen: number,
    readonly d: number,
    readonly heads: number,
    ffnDim: number,
    rng: Rng,
  ) {
    this.dh = d / heads;
    this.itemEmb = Param.normal(nItems * d, 1, rng);
    this.posEmb = Param.normal(maxLen * d, 1, rng);
    this.q = new Linear(d, d, rng);
    this.k = new Linear(d, d, rng);
    this.v = new Linear(d, d, rng);
    this.o = new Linear(d, d, rng);
    this.ffn = new MLP(d, [ffnDim, d], rng);
  }

  params(): Param[] {
    return [this.itemEmb, this.posEmb, ...[this.q, this.k, this.v, this.o].flatMap((l) => l.params()), ...this.ffn.params()];
  }

  /** One pooled d-vector per sequence (nSeq x d); every sequence must hold at least one token. */
  forward(seq: PackedSequences): Float64Array {
    this.seq = seq;
    const { d, heads, dh } = this;
    const T = seq.tokens.length;
    const nSeq = seq.offsets.length - 1;
    const X = new Float64Array(T * d);
    for (let s = 0; s < nSeq; s++) {
      for (let t = seq.offsets[s]; t < seq.offsets[s + 1]; t++) {
        const e = seq.tokens[t] * d;
        const p = (t - seq.offsets[s]) * d;
        for (let f = 0; f < d; f++) X[t * d + f] = this.itemEmb.v[e + f] + this.posEmb.v[p + f];
      }
    }
    this.Q = this.q.forward(X, T);
    this.K = this.k.forward(X, T);
    this.V = this.v.forward(X, T);
    this.pOff = new Int32Array(nSeq + 1);
    for (let s = 0; s < nSeq; s++) this.pOff[s + 1] = this.pOff[s] + heads * (seq.offsets[s + 1] - seq.offsets[s]) ** 2;
    this.P = new Float64Array(this.pOff[nSeq]);
    const O = new Float64Array(T * d);
    const scale = 1 / Math.sqrt(dh);
    const { Q, K, V, P } = this;
    for (let s = 0; s < nSeq; s++) {
      const s0 = seq.offsets[s];
      const L = seq.offsets[s + 1] - s0;
      for (let h = 0; h < heads; h++) {
        const base = this.pOff[s] + h * L * L;
        const c = h * dh;
        for (let a = 0; a < L; a++) {
          let max = -Infinity;
          for (let b = 0; b < L; b++) {
            let dot = 0;
            for (let f = 0; f < dh; f++) dot += Q[(s0 + a) * d + c + f] * K[(s0 + b) * d + c + f];
            P[base + a * L + b] = dot * scale;
            if (dot * scale > max) max = dot * scale;
          }
          let z = 0;
          for (let b = 0; b < L; b++) z += P[base + a * L + b] = Math.exp(P[base + a * L + b] - max);
          for (let b = 0; b < L; b++) {
            const pab = (P[base + a * L + b] /= z);
            for (let f = 0; f < dh; f++) O[(s0 + a) * d + c + f] += pab * V[(s0 + b) * d + c + f];
          }
        }
      }
    }
    const A = this.o.forward(O, T);
    for (let j = 0; j < A.length; j++) A[j] += X[j]; // H1 = X + attention
    const F = this.ffn.forward(A, T);
    const pooled = new Float64Array(nSeq * d);
    for (let s = 0; s < nSeq; s++) {
      const L = seq.offsets[s + 1] - seq.offsets[s];
      for (let t = seq.offsets[s]; t < seq.offsets[s + 1]; t++) for (let f = 0; f < d; f++) pooled[s * d + f] += (A[t * d + f] + F[t * d + f]) / L;
    }
    return pooled;
  }

  /** Accumulates every parameter's gradient from d(loss)/d(pooled). */
  backward(dPooled: Float64Array): void {
    const { d, heads, dh, seq, Q, K, V, P } = this;
    const T = seq.tokens.length;
    const nSeq = seq.offsets.length - 1;
    const dH2 = new Float64Array(T * d);
    for (let s = 0; s < nSeq; s++) {
      const L = seq.offsets[s + 1] - seq.offsets[s];
      for (let t = seq.offsets[s]; t < seq.offsets[s + 1]; t++) for (let f = 0; f < d; f++) dH2[t * d + f] = dPooled[s * d + f] / L;
    }
    const dH1 = this.ffn.backward(dH2.slice());
    for (let j = 0; j < dH1.length; j++) dH1[j] += dH2[j];
    const dO = this.o.backward(dH1);
    const dQ = new Float64Array(T * d);
    const dK = new Float64Array(T * d);
    const dV = new Float64Array(T * d);
    const scale = 1 / Math.sqrt(dh);
    let dP = new Float64Array(0);
    for (let s = 0; s < nSeq; s++) {
      const s0 = seq.offsets[s];
      const L = seq.offsets[s + 1] - s0;
      if (dP.length < L) dP = new Float64Array(L);
      for (let h = 0; h < heads; h++) {
        const base = this.pOff[s] + h * L * L;
        const c = h * dh;
        for (let a = 0; a < L; a++) {
          const ra = (s0 + a) * d + c;
          let sum = 0;
          for (let b = 0; b < L; b++) {
            const pab = P[base + a * L + b];
            const rb = (s0 + b) * d + c;
            let dot = 0;
            for (let f = 0; f < dh; f++) {
              dot += dO[ra + f] * V[rb + f];
              dV[rb + f] += pab * dO[ra + f];
            }
            dP[b] = dot;
            sum += pab * dot;
          }
          for (let b = 0; b < L; b++) {
            const dS = P[base + a * L + b] * (dP[b] - sum) * scale;
            const rb = (s0 + b) * d + c;
            for (let f = 0; f < dh; f++) {
              dQ[ra + f] += dS * K[rb + f];
              dK[rb + f] += dS * Q[ra + f];
            }
          }
        }
      }
    }
    const dX = dH1; // the residual path
    for (const [lin, g] of [[this.q, dQ], [this.k, dK], [this.v, dV]] as const) {
      const dx = lin.backward(g);
      for (let j = 0; j < dX.length; j++) dX[j] += dx[j];
    }
    for (let s = 0; s < nSeq; s++) {
      for (let t = seq.offsets[s]; t < seq.offsets[s + 1]; t++) {
        const e = seq.tokens[t] * d;
        const p = (t - seq.offsets[s]) * d;
        for (let f = 0; f < d; f++) (this.itemEmb.g[e + f] += dX[t * d + f]), (this.posEmb.g[p + f] += dX[t * d + f]);
      }
    }
  }
}
