// Where training runs: in this process (embedded default) or on `millrace worker` processes fed by a Redis
// queue (BullMQ). One interface; the pipeline does not know which it has.
import type { CandidateConfig } from "../project/config.js";
import type { Resources } from "./resources.js";
import type { DatasetOutput } from "./steps/dataset.js";
import { trainOne, type CandidateOutput } from "./steps/train.js";

export type Progress = (done: number, total: number, note?: string) => void;

export interface TrainingExecutor {
  readonly kind: "local" | "bullmq";
  train(r: Resources, candidate: CandidateConfig, ds: DatasetOutput, progress: Progress, note: (s: string) => void): Promise<CandidateOutput>;
  close(): Promise<void>;
}

export const localExecutor: TrainingExecutor = {
  kind: "local",
  train: (r, candidate, ds, progress, note) => trainOne(r, candidate, ds, progress, note),
  close: async () => undefined,
};
