// Objective lookup by name and task.

import { ValidationError } from "../../errors.js";
import type { Task } from "../../records.js";
import { BinaryLogLoss } from "./logloss.js";
import type { Objective } from "./objective.js";
import { Huber, Poisson, SquaredError } from "./regression.js";
import { Softmax } from "./softmax.js";

export const REGRESSION_OBJECTIVES = ["squared_error", "huber", "poisson"] as const;

/** huberDelta null: Huber derives it from the training targets (the huberAlpha-quantile of |y - median|). */
export function objectiveFor(task: Task, nClasses: number, regressionLoss = "squared_error", huberDelta: number | null = null, huberAlpha = 0.9): Objective {
  if (task === "binary") return new BinaryLogLoss();
  if (task === "multiclass") return new Softmax(nClasses);
  if (regressionLoss === "squared_error") return new SquaredError();
  if (regressionLoss === "huber") return new Huber(huberDelta, huberAlpha);
  if (regressionLoss === "poisson") return new Poisson();
  throw new ValidationError(`unknown regression objective "${regressionLoss}"`, {
    path: "params.objective",
    hint: `use one of ${REGRESSION_OBJECTIVES.join(", ")}`,
  });
}
