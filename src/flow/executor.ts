// Training in the process that runs the train task: the pipeline's (execution.executor: local) or a worker's
// (bullmq: the whole task runs there, task-queue.ts). One interface (needs.ts).
import { trainOne } from "./steps/train.js";
import type { TrainingExecutor } from "./needs.js";

export type { Progress, TrainingExecutor } from "./needs.js";

export const localExecutor: TrainingExecutor = {
  kind: "local",
  train: (r, candidate, ds, progress, note, signal) => trainOne(r, candidate, ds, progress, note, {}, undefined, signal),
  close: async () => undefined,
};
