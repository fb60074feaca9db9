// The serving side of one recommender: top-K for a known user from the packed catalogue (recommend-scorer.ts, or the
// learner's scoreItems for item_knn) into buffers made once, seen items struck by their code list, candidates by a
// generation-stamped mask, a K-slot insertion selection (no sort of the catalogue). Same answer as
// RecommenderModel.recommend (recommend-index.test.ts compares them). Cold start, said in `cold_start`: an unknown
// user with `features` is scored by a two_tower model's user tower from them; otherwise the popular items.

import { ValidationError } from "../errors.js";
import type { Recommendation, RecommendedItem, RecommenderModel, RecommendOptions } from "../recommend/model.js";
import { FittedTwoTower } from "../recommend/two-tower/model.js";
import { DotScorer, dotForm } from "./recommend-scorer.js";

const MAX_K = 1000;

export interface ServedRecommendation extends Omit<Recommendation, "strategy"> {
  /** "features": an unknown user ranked by the feature tower from the request's features. */
  strategy: "model" | "features" | "popularity";
  /** Present for a user unseen in training: how the list was made. */
  cold_start?: "features" | "popularity";
}

export interface ServeOptions extends RecommendOptions {
  /** Raw user features for a user unseen in training (two_tower models trained with user features). */
  features?: Record<string, unknown>;
}

export class RecommendIndex {
  private readonly scorer: DotScorer | null;
  private readonly scratch: Float64Array;
  private readonly stamp: Int32Array;
  private generation = 0;
  private readonly topItem = new Int32Array(MAX_K);
  private readonly topScore = new Float64Array(MAX_K);

  constructor(readonly model: RecommenderModel) {
    const n = model.itemIds.length;
    const form = dotForm(model.fitted);
    this.scorer = form ? new DotScorer(form, n) : null;
    this.scratch = form ? new Float64Array(0) : new Float64Array(n);
    this.stamp = new Int32Array(n);
  }

  /** "dot": the packed wasm product; "learner": the learner's own scoreItems. */
  get path(): "dot" | "learner" {
    return this.scorer ? "dot" : "learner";
  }

  recommend(user: string, opts: ServeOptions): ServedRecommendation {
    const { k } = opts;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new ValidationError(`k must be an integer in 1..${MAX_K}, got ${k}`, { path: "k" });
    const m = this.model;
    const u = m.userCode(user);
    const sc = this.scorer;
    let s: Float64Array | Float32Array;
    let bound = 0;
    if (u < 0) {
      const f = m.fitted;
      const vec = opts.features && sc && f instanceof FittedTwoTower ? f.coldUser(opts.features) : null;
      if (!vec || !(f instanceof FittedTwoTower)) return this.popular(user, opts);
      bound = sc!.scoreVector(vec, f.s.mu);
      s = sc!.approx;
    } else if (sc) {
      bound = sc.score(u);
      s = sc.approx;
    } else m.fitted.scoreItems(u, (s = this.scratch));
    if (u >= 0 && opts.excludeSeen !== false) {
      const seen = m.seenBy(u);
      for (let e = 0; e < seen.length; e++) s[seen[e]] = -Infinity;
    }
    let codes: number[] | null = null;
    if (opts.candidates) {
      const gen = ++this.generation;
      codes = [];
      for (const c of opts.candidates) {
        const i = m.itemCode(String(c));
        if (i >= 0 && this.stamp[i] !== gen) (this.stamp[i] = gen), codes.push(i);
      }
    }
    let filled = this.select(s, codes, k, -Infinity, null);
    if (sc && filled > 0) {
      // Exact pass: every item whose screened score is within 2·bound of the screened k-th can still be in the exact
      // top k (each screened score is within `bound` of the exact one); rescore those in f64 and select again.
      const floor = filled < k ? -Infinity : this.topScore[k - 1] - 2 * bound;
      filled = this.select(s, codes, k, floor, sc);
    }
    const items: RecommendedItem[] = new Array(filled);
    for (let r = 0; r < filled; r++) items[r] = { item: m.itemIds[this.topItem[r]], score: this.topScore[r], rank: r + 1 };
    return u >= 0 ? { user, items, strategy: "model" } : { user, items, strategy: "features", cold_start: "features" };
  }

  /**
   * Top k over all items (or `codes`) whose score in `s` is ≥ floor and finite, by `exact` scores when given, else by
   * `s`; ties go to the lower item code. Returns how many were kept.
   */
  private select(s: Float64Array | Float32Array, codes: number[] | null, k: number, floor: number, exact: DotScorer | null): number {
    let filled = 0;
    const n = codes ? codes.length : s.length;
    for (let x = 0; x < n; x++) {
      const i = codes ? codes[x] : x;
      const v = s[i];
      if (!(v > -Infinity) || v < floor) continue;
      if (!exact && filled === k && !(v > this.topScore[k - 1]) && !(v === this.topScore[k - 1] && i < this.topItem[k - 1])) continue;
      filled = this.offer(exact ? exact.exact(i) : v, i, k, filled);
    }
    return filled;
  }

  /** Inserts item i with score v if it beats the current k-th (score, then lower code); returns the new fill. */
  private offer(v: number, i: number, k: number, filled: number): number {
    const { topItem, topScore } = this;
    if (filled === k && (v < topScore[k - 1] || (v === topScore[k - 1] && i > topItem[k - 1]))) return filled;
    let r = filled < k ? filled++ : k - 1;
    while (r > 0 && (topScore[r - 1] < v || (topScore[r - 1] === v && topItem[r - 1] > i))) {
      topScore[r] = topScore[r - 1];
      topItem[r] = topItem[r - 1];
      r--;
    }
    topScore[r] = v;
    topItem[r] = i;
    return filled;
  }

  private popular(user: string, opts: ServeOptions): ServedRecommendation {
    const { features, ...rest } = opts;
    const rec = this.model.recommend(user, rest);
    const why = !features
      ? ""
      : this.model.fitted instanceof FittedTwoTower
        ? "; the features were not used: this two_tower model was trained without user features"
        : `; the features were not used: ${this.model.name} has no feature tower (two_tower with user_features has)`;
    return { ...rec, strategy: "popularity", cold_start: "popularity", ...(rec.note ? { note: rec.note + why } : {}) };
  }
}

const indexes = new WeakMap<RecommenderModel, RecommendIndex>();

/** The index of a served model, built on its first request and kept while the model is. */
export function recommendIndex(model: RecommenderModel): RecommendIndex {
  let ix = indexes.get(model);
  if (!ix) indexes.set(model, (ix = new RecommendIndex(model)));
  return ix;
}
