// What a pipeline run is asked to do, in a file of its own so the task queue (which carries it to workers) and the
// pipeline (which plans from it) share the type without an import circle.

/** One run's plan: which named pipeline, which partition (if partitioned), and whether training is forced. */
export interface RunPlan {
  pipeline: string;
  partition?: string;
  retrain: boolean;
}
