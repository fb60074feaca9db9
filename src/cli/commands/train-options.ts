// The options of `millrace train`, shared by the tabular and the recommendation paths.

export interface TrainOptions {
  target: string;
  task?: string;
  model: string;
  positive?: string;
  testRows?: string;
  testFraction: string;
  seed: number;
  cv: number;
  param: string[];
  drop?: string;
  /** Columns the screen would drop (constant, identifier) that are features all the same. */
  keep?: string;
  cat?: string;
  /** Seconds. */
  timeBudget?: number;
  save?: string;
  json?: boolean;
}
