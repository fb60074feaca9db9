// A trained recommender as the rest of Millrace sees it: id maps, the fitted learner, what each user has seen and
// item popularity (cold start); answers top-K and (user, item) scores, saves as a versioned artifact.

import { ValidationError } from "../errors.js";
import { ArtifactError, decodeArtifact, encodeArtifact, MILLRACE_VERSION } from "../learn/artifact.js";
import type { FittedRecommender } from "./estimator.js";
import { topK } from "./metrics.js";
import { RECOMMENDERS } from "./registry.js";

export interface RecommenderInfo {
  model: string;
  params: Record<string, unknown>;
  columns: { user: string; item: string; rating: string | null; time?: string | null; weight?: string | null };
  /** The train ratings' range: estimates are clipped to it. */
  ratingRange: [number, number];
  millraceVersion: string;
  createdAt: string;
}

export interface RecommendedItem {
  item: string;
  score: number;
  rank: number;
}

export interface Recommendation {
  user: string;
  items: RecommendedItem[];
  /** "model": the learner ranked the catalogue for this user; "popularity": the user is unknown (cold start). */
  strategy: "model" | "popularity";
  /** Said aloud when the answer is not the model's own ranking. */
  note?: string;
}

export interface RecommendOptions {
  k: number;
  /** Leave out what the user interacted with in training (default true). */
  excludeSeen?: boolean;
  /** Rank only these items (unknown ones are reported, not fatal). */
  candidates?: readonly string[];
}

export class RecommenderModel {
  private readonly userIndex = new Map<string, number>();
  private readonly itemIndex = new Map<string, number>();
  /** Items by training popularity (count), most first; the cold-start answer. */
  private readonly popular: Int32Array;
  private readonly scratch: Float64Array;
  readonly warnings: string[] = [];

  constructor(
    readonly info: RecommenderInfo,
    readonly userIds: readonly string[],
    readonly itemIds: readonly string[],
    readonly fitted: FittedRecommender,
    /** Training interactions by user: item codes of user u at seenItems[seenPtr[u]..seenPtr[u+1]). */
    private readonly seenPtr: Int32Array,
    private readonly seenItems: Int32Array,
    readonly popularity: Float64Array,
    /** The training ratings as sorted distinct values and their counts (explicit feedback; the drift monitor's reference). */
    readonly ratingCounts: { values: Float64Array; counts: Float64Array } | null = null,
  ) {
    userIds.forEach((id, c) => this.userIndex.set(id, c));
    itemIds.forEach((id, c) => this.itemIndex.set(id, c));
    this.popular = Int32Array.from(itemIds.keys()).sort((a, b) => popularity[b] - popularity[a] || a - b);
    this.scratch = new Float64Array(itemIds.length);
  }

  get name(): string {
    return this.info.model;
  }

  userCode(id: string): number {
    return this.userIndex.get(id) ?? -1;
  }

  itemCode(id: string): number {
    return this.itemIndex.get(id) ?? -1;
  }

  /** Rating estimates (clipped to the training range) or, for implicit learners, scores; unseen ids allowed. */
  predictCodes(users: Int32Array, items: Int32Array): Float64Array {
    const out = this.fitted.predict(users, items);
    if (this.fitted.rates) {
      const [lo, hi] = this.info.ratingRange;
      for (let j = 0; j < out.length; j++) out[j] = Math.min(hi, Math.max(lo, out[j]));
    }
    return out;
  }

  predictPairs(pairs: ReadonlyArray<{ user: string; item: string }>): Float64Array {
    return this.predictCodes(Int32Array.from(pairs, (p) => this.userCode(p.user)), Int32Array.from(pairs, (p) => this.itemCode(p.item)));
  }

  /** Item codes the user interacted with in training. */
  seenBy(u: number): Int32Array {
    return this.seenItems.subarray(this.seenPtr[u], this.seenPtr[u + 1]);
  }

  /** Scores of every item for a known user with excluded items at -Infinity (the ranking the metrics read). */
  scoreForRanking(u: number, out: Float64Array, excludeSeen = true): void {
    this.fitted.scoreItems(u, out);
    if (excludeSeen) for (let e = this.seenPtr[u]; e < this.seenPtr[u + 1]; e++) out[this.seenItems[e]] = -Infinity;
  }

  recommend(user: string, opts: RecommendOptions): Recommendation {
    const k = opts.k;
    if (!Number.isInteger(k) || k < 1) throw new ValidationError(`k must be a positive integer, got ${k}`, { path: "k" });
    const u = this.userCode(user);
    const allowed = opts.candidates ? this.candidateMask(opts.candidates) : null;
    if (u < 0) {
      const items: RecommendedItem[] = [];
      for (let x = 0; x < this.popular.length && items.length < k; x++) {
        const i = this.popular[x];
        if (!allowed || allowed[i]) items.push({ item: this.itemIds[i], score: this.popularity[i], rank: items.length + 1 });
      }
      return { user, items, strategy: "popularity", note: `user "${user}" was not in the training data: the most popular items (score = training interactions)` };
    }
    const s = this.scratch;
    this.scoreForRanking(u, s, opts.excludeSeen !== false);
    if (allowed) for (let i = 0; i < s.length; i++) if (!allowed[i]) s[i] = -Infinity;
    const top = new Int32Array(k);
    topK(s, k, top);
    const items: RecommendedItem[] = [];
    for (let r = 0; r < k && top[r] >= 0; r++) items.push({ item: this.itemIds[top[r]], score: s[top[r]], rank: r + 1 });
    return { user, items, strategy: "model" };
  }

  private candidateMask(candidates: readonly string[]): Uint8Array {
    const mask = new Uint8Array(this.itemIds.length);
    for (const c of candidates) {
      const i = this.itemCode(String(c));
      if (i >= 0) mask[i] = 1;
    }
    return mask;
  }

  toBytes(): Uint8Array {
    return encodeArtifact({
      kind: "millrace-recommender",
      info: { ...this.info, millraceVersion: MILLRACE_VERSION },
      users: this.userIds,
      items: this.itemIds,
      seenPtr: this.seenPtr,
      seenItems: this.seenItems,
      popularity: this.popularity,
      ...(this.ratingCounts ? { ratingCounts: this.ratingCounts } : {}),
      estimator: { name: this.fitted.name, state: this.fitted.state() },
    });
  }
}

interface SavedRecommender {
  kind: string;
  info: RecommenderInfo;
  users: string[];
  items: string[];
  seenPtr: Int32Array;
  seenItems: Int32Array;
  popularity: Float64Array;
  /** Absent in artifacts written before interaction drift (then rating drift is not measured). */
  ratingCounts?: { values: Float64Array; counts: Float64Array };
  estimator: { name: string; state: Record<string, unknown> };
}

export function loadRecommender(bytes: Uint8Array): RecommenderModel {
  const saved = decodeArtifact(bytes) as SavedRecommender;
  if (!saved || saved.kind !== "millrace-recommender") {
    throw new ArtifactError("the file is a Millrace artifact but not a recommender", { hint: "pass a model.bin written by recommendation training" });
  }
  const kind = RECOMMENDERS[saved.estimator?.name];
  if (!kind) throw new ArtifactError(`recommender "${saved.estimator?.name}" is unknown to this Millrace ${MILLRACE_VERSION}`, { hint: "upgrade Millrace or retrain" });
  const m = new RecommenderModel(saved.info, saved.users, saved.items, kind.restore(saved.estimator.state), saved.seenPtr, saved.seenItems, saved.popularity, saved.ratingCounts ?? null);
  if (saved.info.millraceVersion !== MILLRACE_VERSION) m.warnings.push(`recommender written by Millrace ${saved.info.millraceVersion}, loaded by ${MILLRACE_VERSION}`);
  return m;
}
