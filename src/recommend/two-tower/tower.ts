// One tower of the two-tower model: [id embedding ++ one embedding per categorical feature ++ numeric features
// (++ the history encoder's pooled vector)] → MLP. Works on the distinct ids of a batch. A dropped id (user_id_dropout)
// is shown as a cold user: id embedding, the trailing `coldCols` numeric columns (id statistics) and the pooled
// history at zero, and its embedding gets no gradient — so the tower also learns to answer from features alone.

import type { Rng } from "../../learn/rng.js";
import type { SideFeatures } from "../interactions.js";
import { MLP, Param } from "./layers.js";

export interface TowerBatch {
  /** Distinct ids of the batch, in first-seen order. */
  ids: Int32Array;
  /** For each batch row, its id's position in `ids`. */
  slot: Int32Array;
}

export class Tower {
  readonly idEmb: Param;
  readonly catEmb: Param[];
  readonly mlp: MLP;
  readonly width: number;
  private readonly nNum: number;
  private readonly nCat: number;
  private readonly seen: Int32Array;
  private last: TowerBatch = { ids: new Int32Array(0), slot: new Int32Array(0) };
  private dropped: Uint8Array | null = null;

  constructor(
    nIds: number,
    readonly embDim: number,
    readonly catDim: number,
    readonly features: SideFeatures | undefined,
    readonly extraDim: number,
    layers: number[],
    rng: Rng,
    readonly coldCols = 0,
  ) {
    this.nNum = features?.numericNames.length ?? 0;
    this.nCat = features?.categoricalNames.length ?? 0;
    this.idEmb = Param.normal(nIds * embDim, 1, rng); // nn.Embedding's N(0, 1)
    this.catEmb = (features?.cardinality ?? []).map((card) => Param.normal(card * catDim, 1, rng));
    this.width = embDim + this.nCat * catDim + this.nNum + extraDim;
    this.mlp = new MLP(this.width, layers, rng);
    this.seen = new Int32Array(nIds).fill(-1);
  }

  params(): Param[] {
    return [this.idEmb, ...this.catEmb, ...this.mlp.params()];
  }

  batch(codes: Int32Array): TowerBatch {
    const ids: number[] = [];
    const slot = new Int32Array(codes.length);
    for (let x = 0; x < codes.length; x++) {
      const c = codes[x];
      if (this.seen[c] < 0) (this.seen[c] = ids.length), ids.push(c);
      slot[x] = this.seen[c];
    }
    for (const c of ids) this.seen[c] = -1;
    return { ids: Int32Array.from(ids), slot };
  }

  /** Tower outputs, one row per distinct id of the batch. */
  forward(b: TowerBatch, pooled: Float64Array | null, drop: Uint8Array | null = null): Float64Array {
    this.last = b;
    this.dropped = drop;
    const { embDim, catDim, nCat, nNum, width, extraDim, features } = this;
    const n = b.ids.length;
    const X = new Float64Array(n * width);
    for (let s = 0; s < n; s++) {
      const c = b.ids[s];
      const cold = drop !== null && drop[s] === 1;
      let o = s * width;
      if (!cold) X.set(this.idEmb.v.subarray(c * embDim, c * embDim + embDim), o);
      o += embDim;
      for (let j = 0; j < nCat; j++, o += catDim) {
        const level = features!.categorical[c * nCat + j];
        X.set(this.catEmb[j].v.subarray(level * catDim, level * catDim + catDim), o);
      }
      const warm = cold ? nNum - this.coldCols : nNum;
      for (let j = 0; j < warm; j++) X[o + j] = features!.numeric[c * nNum + j];
      o += nNum;
      if (pooled && !cold) X.set(pooled.subarray(s * extraDim, s * extraDim + extraDim), o);
    }
    return this.mlp.forward(X, n);
  }

  /** Gradients into the embeddings and the MLP; returns d(loss)/d(pooled) when the tower reads one. */
  backward(dOut: Float64Array): Float64Array | null {
    const dX = this.mlp.backward(dOut);
    const { embDim, catDim, nCat, nNum, width, extraDim, features } = this;
    const b = this.last;
    const n = b.ids.length;
    const dPooled = extraDim ? new Float64Array(n * extraDim) : null;
    for (let s = 0; s < n; s++) {
      const c = b.ids[s];
      const cold = this.dropped !== null && this.dropped[s] === 1;
      let o = s * width;
      if (!cold) for (let f = 0; f < embDim; f++) this.idEmb.g[c * embDim + f] += dX[o + f];
      o += embDim;
      for (let j = 0; j < nCat; j++, o += catDim) {
        const level = features!.categorical[c * nCat + j];
        for (let f = 0; f < catDim; f++) this.catEmb[j].g[level * catDim + f] += dX[o + f];
      }
      o += nNum;
      if (dPooled && !cold) dPooled.set(dX.subarray(o, o + extraDim), s * extraDim);
    }
    return dPooled;
  }
}
