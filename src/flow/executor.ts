// Where training runs: in this process (embedded default) or on `millrace worker` processes fed by a Redis
// queue (BullMQ). One interface (needs.ts); the pipeline does not know which it has.
import { trainOne } from "./steps/train.js";
import type { TrainingExecutor } from "./needs.js";

export type { Progress, TrainingExecutor } from "./needs.js";

export const localExecutor: TrainingExecutor = {
  kind: "local",
  train: (r, candidate, ds, progress, note, signal) => trainOne(r, candidate, ds, progress, note, {}, undefined, signal),
  close: async () => undefined,
};
