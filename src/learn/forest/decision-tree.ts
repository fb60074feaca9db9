// A single decision tree (CART-style, by name): the forest code with one tree, every row and every feature per node.

import { z } from "zod";
import { CLASS_WEIGHT_CHOICES } from "../class-weight.js";
import type { TrainingData } from "../estimator.js";
import { ParamHolder } from "../params.js";
import { FittedForest, RandomForest } from "./random-forest.js";

export const DECISION_TREE_PARAMS = z.strictObject({
  /** 0 = grow until leaves are pure or hold min_samples_leaf rows. */
  max_depth: z.number().int().min(0).default(0),
  min_samples_leaf: z.number().min(1).default(1),
  max_bins: z.number().int().min(2).max(255).default(255),
  class_weight: z.enum(CLASS_WEIGHT_CHOICES).default("none"),
});

export class DecisionTree extends ParamHolder<DecisionTree> {
  constructor(params: Record<string, unknown> = {}) {
    super("decision_tree", DECISION_TREE_PARAMS, params);
  }

  clone(): DecisionTree {
    return new DecisionTree(this.getParams());
  }

  async fit(data: TrainingData): Promise<FittedForest> {
    const forest = new RandomForest({ ...this.getParams(), n_estimators: 1, bootstrap: false, max_features: "all", n_threads: 1 });
    const fitted = await forest.fit(data);
    return new FittedForest("decision_tree", fitted.s);
  }
}
