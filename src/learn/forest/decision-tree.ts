// A single decision tree (CART-style, by name): the forest code with one tree, every row and every feature per node.

import { DECISION_TREE_PARAMS } from "../param-schemas.js";
import type { TrainingData } from "../estimator.js";
import { ParamHolder } from "../params.js";
import { FittedForest, RandomForest } from "./random-forest.js";

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
