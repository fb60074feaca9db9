// The popularity ranking: every user gets the items with the most training interactions (weighted by strength).
// The yardstick a personalised recommender must beat, and the cold-start answer.

import { z } from "zod";
import { ParamHolder } from "../learn/params.js";
import type { FittedRecommender } from "./estimator.js";
import { checkInteractions, type RecTrainingData } from "./interactions.js";

export const POPULARITY_PARAMS = z.strictObject({
  weighted: z.boolean().default(false).describe("count each interaction by its strength (rating or weight) instead of 1"),
});

export class FittedPopularity implements FittedRecommender {
  readonly name = "popularity";
  readonly rates = false;
  constructor(private readonly s: { count: Float64Array }) {}

  predict(users: Int32Array, items: Int32Array): Float64Array {
    return Float64Array.from(items, (i) => (i >= 0 ? this.s.count[i] : 0));
  }

  scoreItems(_u: number, out: Float64Array): void {
    out.set(this.s.count);
  }

  state(): Record<string, unknown> {
    return { ...this.s };
  }
}

export class PopularityRecommender extends ParamHolder<PopularityRecommender> {
  constructor(params: Record<string, unknown> = {}) {
    super("popularity", POPULARITY_PARAMS, params);
  }

  clone(): PopularityRecommender {
    return new PopularityRecommender(this.getParams());
  }

  fit(d: RecTrainingData): FittedPopularity {
    checkInteractions(d);
    const count = new Float64Array(d.nItems);
    const w = this.params.weighted === true;
    for (let j = 0; j < d.items.length; j++) count[d.items[j]] += w ? d.ratings[j] : 1;
    return new FittedPopularity({ count });
  }
}
