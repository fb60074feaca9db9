// The two-tower recommender: a user tower (id embedding ++ categorical embeddings ++ numeric features ++ an
// optional Transformer summary of the user's history → MLP) and an item tower (id ++ categorical embeddings ++
// numeric → MLP) meet in a dot product, r̂ = mu + u·v, trained with a weighted MSE by Adam with early stopping on
// a seeded share of the training rows (the best epoch's weights are kept). Tower outputs depend only on the id,
// so a batch runs each tower once per distinct user / item in it; the fitted model keeps the final vectors.

import { z } from "zod";
import { ValidationError } from "../../errors.js";
import { ParamHolder } from "../../learn/params.js";
import { Rng } from "../../learn/rng.js";
import type { FittedRecommender } from "../estimator.js";
import { byUser, checkInteractions, counts, dot, globalMean, type RecTrainingData, type SideFeatures } from "../interactions.js";
import { coldUserVector, featureTowerState, type FeatureTowerState } from "./cold-start.js";
import { HistoryEncoder, type PackedSequences } from "./encoder.js";
import { Adam, restore, snapshot, type Param } from "./layers.js";
import { Tower } from "./tower.js";

const layers = z.string().regex(/^\d+(,\d+)*$/, "comma-separated layer widths, e.g. 128,64,32");

export const TWO_TOWER_PARAMS = z.strictObject({
  emb_dim: z.number().int().min(1).default(32).describe("width of the user and item id embeddings"),
  cat_dim: z.number().int().min(1).default(8).describe("width of each categorical feature's embedding"),
  user_layers: layers.default("128,64,32").describe("user tower MLP widths; the last is the shared dimension"),
  item_layers: layers.default("128,64,32").describe("item tower MLP widths; the last must equal the user tower's"),
  id_stats: z.boolean().default(true).describe("add log1p(interaction count) and mean rating of each id (train rows) as numeric features"),
  transformer: z.boolean().default(false).describe("encode each user's history with a Transformer and feed the pooled vector to the user tower"),
  max_history: z.number().int().min(1).default(20).describe("most recent interactions the encoder reads"),
  d_model: z.number().int().min(2).default(32),
  heads: z.number().int().min(1).default(4),
  ffn_dim: z.number().int().min(1).default(64),
  lr: z.number().gt(0).default(0.001),
  batch_size: z.number().int().min(1).default(1024),
  epochs: z.number().int().min(1).default(20),
  val_fraction: z.number().min(0).max(0.5).default(0.1).describe("share of training rows held out for early stopping (0 = off)"),
  patience: z.number().int().min(1).default(3),
  negatives: z.number().int().min(0).default(0).describe("random unobserved items per interaction with target 0 (implicit data)"),
  user_id_dropout: z.number().min(0).max(0.9).default(0).describe("share of a batch's users shown without id embedding, id statistics and history (trains the feature-only cold-start answer)"),
});

export interface TwoTowerState {
  mu: number;
  /** Final tower outputs: nUsers x dim and nItems x dim. */
  U: Float64Array;
  V: Float64Array;
  dim: number;
  epochs: number;
  bestEpoch: number;
  bestValidRmse: number;
  /** The user tower for cold users with features (absent when the model saw no user features). */
  userTower?: FeatureTowerState;
}

export class FittedTwoTower implements FittedRecommender {
  readonly name = "two_tower";
  readonly rates = true;
  constructor(readonly s: TwoTowerState) {}

  predict(users: Int32Array, items: Int32Array): Float64Array {
    const { mu, U, V, dim } = this.s;
    const out = new Float64Array(users.length);
    for (let j = 0; j < users.length; j++) {
      const u = users[j];
      const i = items[j];
      out[j] = mu + (u >= 0 && i >= 0 ? dot(U, u * dim, V, i * dim, dim) : 0);
    }
    return out;
  }

  scoreItems(u: number, out: Float64Array): void {
    const { mu, U, V, dim } = this.s;
    for (let i = 0; i < out.length; i++) out[i] = mu + dot(U, u * dim, V, i * dim, dim);
  }

  /** The vector of an unseen user from raw user features, or null when this model has no feature tower. */
  coldUser(features: Record<string, unknown>): Float64Array | null {
    return this.s.userTower ? coldUserVector(this.s.userTower, features) : null;
  }

  state(): Record<string, unknown> {
    return { ...this.s };
  }
}

/** log1p(count) and mean rating per id, z-scored over ids with interactions (the peer's features). */
function idStats(codes: Int32Array, r: Float64Array, n: number): SideFeatures {
  const cnt = counts(codes, n);
  const sum = new Float64Array(n);
  for (let j = 0; j < codes.length; j++) sum[codes[j]] += r[j];
  const numeric = new Float32Array(n * 2);
  for (const [col, f] of [[0, (c: number) => Math.log1p(cnt[c])], [1, (c: number) => sum[c] / Math.max(cnt[c], 1)]] as const) {
    let s = 0, s2 = 0, m = 0;
    for (let c = 0; c < n; c++) if (cnt[c] > 0) (s += f(c)), (s2 += f(c) ** 2), m++;
    const mean = s / Math.max(m, 1);
    const sd = Math.sqrt(Math.max(s2 / Math.max(m, 1) - mean * mean, 0)) || 1;
    for (let c = 0; c < n; c++) numeric[c * 2 + col] = cnt[c] > 0 ? (f(c) - mean) / sd : 0;
  }
  return { numeric, numericNames: ["log1p_count", "mean_rating"], categorical: new Int32Array(0), categoricalNames: [], cardinality: [] };
}

/** Numeric columns of two feature sets side by side (categoricals from the first). */
function joinNumeric(a: SideFeatures | undefined, b: SideFeatures | undefined, n: number): SideFeatures | undefined {
  if (!a || !b) return a ?? b;
  const wa = a.numericNames.length;
  const wb = b.numericNames.length;
  const numeric = new Float32Array(n * (wa + wb));
  for (let c = 0; c < n; c++) {
    numeric.set(a.numeric.subarray(c * wa, c * wa + wa), c * (wa + wb));
    numeric.set(b.numeric.subarray(c * wb, c * wb + wb), c * (wa + wb) + wa);
  }
  return { ...a, numeric, numericNames: [...a.numericNames, ...b.numericNames] };
}

/** Each user's last max_history train items in time order (row order when no time is given). */
function histories(d: RecTrainingData, maxLen: number): { ptr: Int32Array; items: Int32Array } {
  const c = byUser(d);
  const ptr = new Int32Array(d.nUsers + 1);
  const items: number[] = [];
  for (let u = 0; u < d.nUsers; u++) {
    const entries = Array.from(c.pos.subarray(c.indptr[u], c.indptr[u + 1]));
    if (d.time) entries.sort((a, b) => d.time![a] - d.time![b] || a - b);
    for (const j of entries.slice(-maxLen)) items.push(d.items[j]);
    ptr[u + 1] = items.length;
  }
  return { ptr, items: Int32Array.from(items) };
}

export class TwoTowerRecommender extends ParamHolder<TwoTowerRecommender> {
  constructor(params: Record<string, unknown> = {}) {
    super("two_tower", TWO_TOWER_PARAMS, params);
  }

  clone(): TwoTowerRecommender {
    return new TwoTowerRecommender(this.getParams());
  }

  fit(d: RecTrainingData): FittedTwoTower {
    checkInteractions(d);
    const p = this.params;
    const uLayers = String(p.user_layers).split(",").map(Number);
    const iLayers = String(p.item_layers).split(",").map(Number);
    if (uLayers.at(-1) !== iLayers.at(-1)) {
      throw new ValidationError(`the towers must end in the same width (user ${uLayers.at(-1)}, item ${iLayers.at(-1)})`, { path: "params.item_layers" });
    }
    const dModel = this.num("d_model");
    if (p.transformer && dModel % this.num("heads") !== 0) {
      throw new ValidationError(`d_model ${dModel} is not a multiple of heads ${this.num("heads")}`, { path: "params.heads" });
    }
    const rng = new Rng(d.seed);
    const mu = globalMean(d);
    const uFeat = joinNumeric(d.userFeatures, p.id_stats ? idStats(d.users, d.ratings, d.nUsers) : undefined, d.nUsers);
    const iFeat = joinNumeric(d.itemFeatures, p.id_stats ? idStats(d.items, d.ratings, d.nItems) : undefined, d.nItems);
    const encoder = p.transformer ? new HistoryEncoder(d.nItems, this.num("max_history"), dModel, this.num("heads"), this.num("ffn_dim"), rng) : null;
    const hist = encoder ? histories(d, this.num("max_history")) : null;
    const user = new Tower(d.nUsers, this.num("emb_dim"), this.num("cat_dim"), uFeat, encoder ? dModel : 0, uLayers, rng, p.id_stats ? 2 : 0);
    const item = new Tower(d.nItems, this.num("emb_dim"), this.num("cat_dim"), iFeat, 0, iLayers, rng);
    const params: Param[] = [...user.params(), ...item.params(), ...(encoder?.params() ?? [])];
    const adam = new Adam(params, this.num("lr"));
    const dim = uLayers.at(-1)!;

    const n = d.ratings.length;
    const perm = rng.shuffle(Int32Array.from({ length: n }, (_, j) => j));
    const nVal = Math.round(this.num("val_fraction") * n);
    const val = perm.slice(0, nVal);
    const fitRows = perm.slice(nVal);
    const w = d.weights;
    const negatives = this.num("negatives");
    const B = this.num("batch_size");
    const dropout = this.num("user_id_dropout");

    /** Predictions (and, with `learn`, one Adam step) for interaction rows; returns Σ w·err² and Σ w. */
    const pass = (rows: Int32Array, learn: boolean): [number, number] => {
      const m = rows.length * (1 + negatives);
      const bu = new Int32Array(m);
      const bi = new Int32Array(m);
      const target = new Float64Array(m);
      const weight = new Float64Array(m);
      for (let x = 0; x < rows.length; x++) {
        const j = rows[x];
        bu[x] = d.users[j];
        bi[x] = d.items[j];
        target[x] = d.ratings[j] - mu;
        weight[x] = w ? w[j] : 1;
        for (let t = 1; t <= negatives; t++) {
          const y = rows.length * t + x;
          (bu[y] = d.users[j]), (bi[y] = rng.int(d.nItems)), (target[y] = -mu), (weight[y] = 1);
        }
      }
      const ub = user.batch(bu);
      const ib = item.batch(bi);
      const pooled = encoder && hist ? encoder.forward(packHistories(hist, ub.ids)) : null;
      let drop: Uint8Array | null = null;
      if (learn && dropout > 0) {
        drop = new Uint8Array(ub.ids.length);
        for (let s = 0; s < drop.length; s++) drop[s] = rng.next() < dropout ? 1 : 0;
      }
      const uo = user.forward(ub, pooled, drop);
      const io = item.forward(ib, null);
      let loss = 0;
      let sw = 0;
      for (let x = 0; x < m; x++) sw += weight[x];
      const du = new Float64Array(uo.length);
      const di = new Float64Array(io.length);
      for (let x = 0; x < m; x++) {
        const a = ub.slot[x] * dim;
        const b = ib.slot[x] * dim;
        const err = dot(uo, a, io, b, dim) - target[x];
        loss += weight[x] * err * err;
        if (!learn) continue;
        const g = (2 * weight[x] * err) / sw;
        for (let f = 0; f < dim; f++) (du[a + f] += g * io[b + f]), (di[b + f] += g * uo[a + f]);
      }
      if (learn) {
        const dPooled = user.backward(du);
        item.backward(di);
        if (encoder && dPooled) encoder.backward(dPooled);
        adam.step();
      }
      return [loss, sw];
    };

    const epochs = this.num("epochs");
    let best = Infinity;
    let bestSnap: Float64Array[] | null = null;
    let bestEpoch = 0;
    let bad = 0;
    let ran = 0;
    for (let e = 0; e < epochs; e++) {
      rng.shuffle(fitRows);
      for (let s = 0; s < fitRows.length; s += B) pass(fitRows.subarray(s, s + B), true);
      ran = e + 1;
      d.onProgress?.(ran, epochs);
      if (nVal === 0) continue;
      let sl = 0, sw = 0;
      for (let s = 0; s < nVal; s += 4096) {
        const [l, ww] = pass(val.subarray(s, s + 4096), false);
        (sl += l), (sw += ww);
      }
      const vl = sl / sw;
      if (vl < best - 1e-9) (best = vl), (bestSnap = snapshot(params)), (bestEpoch = ran), (bad = 0);
      else if (++bad >= this.num("patience")) break;
    }
    if (bestSnap) restore(params, bestSnap);
    else bestEpoch = ran;
    // The final vectors of every user and item, once.
    const all = (t: Tower, nIds: number, withHistory: boolean): Float64Array => {
      const out = new Float64Array(nIds * dim);
      for (let s = 0; s < nIds; s += 2048) {
        const ids = Int32Array.from({ length: Math.min(2048, nIds - s) }, (_, x) => s + x);
        const b = t.batch(ids);
        const pooled = withHistory && encoder && hist ? encoder.forward(packHistories(hist, b.ids)) : null;
        out.set(t.forward(b, pooled), s * dim);
      }
      return out;
    };
    const userTower = featureTowerState(user, d.userFeatures);
    return new FittedTwoTower({
      mu, U: all(user, d.nUsers, true), V: all(item, d.nItems, false), dim, epochs: ran, bestEpoch, bestValidRmse: Math.sqrt(best),
      ...(userTower ? { userTower } : {}),
    });
  }
}

function packHistories(h: { ptr: Int32Array; items: Int32Array }, users: Int32Array): PackedSequences {
  const offsets = new Int32Array(users.length + 1);
  for (let s = 0; s < users.length; s++) offsets[s + 1] = offsets[s] + (h.ptr[users[s] + 1] - h.ptr[users[s]]);
  const tokens = new Int32Array(offsets[users.length]);
  for (let s = 0; s < users.length; s++) tokens.set(h.items.subarray(h.ptr[users[s]], h.ptr[users[s] + 1]), offsets[s]);
  return { tokens, offsets };
}

