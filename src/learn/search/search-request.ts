// What a hyperparameter search is asked (search.ts runs it; trial workers receive it) and what one trial reports.
import type { SessionRequest } from "../session.js";
import type { CandidateSpec } from "../train.js";
import type { SearchSpace } from "./space.js";

export type SearchMethod = "grid" | "random" | "tpe";

export interface SearchRequest extends SessionRequest {
  /** The model and its fixed parameters; the space's parameters are added per trial. */
  candidate: CandidateSpec;
  space: SearchSpace;
  method: SearchMethod;
  /** Trials for random / tpe (default 20); a grid runs all its points (at most maxGrid). */
  trials?: number;
  maxGrid?: number;
  /** Metric to optimise (default roc_auc, rmse for regression). */
  metric?: string;
  /** Stop a trial after a fold when its running score is below the median of finished trials (default true). */
  prune?: boolean;
  /** Record the refit's loss per boosting round (TrainResult.learningCurve), as a plain candidate's final fit does. */
  learningCurve?: boolean;
  /** Without CV (cvFolds < 2): the share of train rows each trial validates on. */
  validationFraction?: number;
  /**
   * Trials evaluated side by side in worker threads (default 1: in this thread). Proposals go out in rounds of this
   * size, each round seeing the trials finished before it, so results do not depend on timing.
   */
  parallel?: number;
  /** Called after every trial (the lead records each as a child run). */
  onTrial?: (trial: Trial) => void | Promise<void>;
}

export interface Trial {
  number: number;
  /** The learner's parameters for this trial (fixed + searched). */
  params: Record<string, unknown>;
  /** "<metric>_mean" / "<metric>_std" over the folds evaluated. */
  metrics: Record<string, number>;
  foldMetrics: Record<string, number>[];
  /** The optimised metric's mean over evaluated folds (NaN when failed). */
  score: number;
  state: "complete" | "pruned" | "failed";
  error?: string;
  seconds: number;
}
