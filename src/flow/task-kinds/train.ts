// The train kind: one task per candidate, trained as a tracked run by the configured executor (in process or on
// workers); skipped with a note when the dataset was already trained on.
import { loadModel } from "../../learn/train.js";
import type { CandidateOutput, DatasetOutput } from "../outputs.js";
import { trainingFields } from "../training-seconds.js";
import { taskOf, type TaskKind, type TaskRef } from "../task-kind.js";

export const trainKind: TaskKind<CandidateOutput | null, "executor" | "tracker" | "meta" | "artifacts"> = {
  name: "train",
  description: "train one candidate (with its search, if any) as a tracked run",
  needs: ["executor", "tracker", "meta", "artifacts"],
  plan(ctx) {
    const ds = ctx.planned("dataset")[0]?.ref as TaskRef<DatasetOutput> | undefined;
    if (!ds) return [];
    return ctx.project.config.train.candidates.map((candidate) =>
      taskOf(trainKind, `train:${candidate.name}`, [ds], async ({ r, output, progress, note, signal }) => {
        const d = output(ds);
        if (d.alreadyTrainedBy) {
          note(`skipped: dataset and train config unchanged since ${d.alreadyTrainedBy.name} v${d.alreadyTrainedBy.version}`);
          return null;
        }
        return r.executor.train(r, candidate, d, progress, note, signal);
      }),
    );
  },
  // To and from a worker: everything but the model, which the other side loads from the run's artifact.
  wire: {
    encode: (c) => (c ? { ...c, bytes: undefined, result: { ...c.result, model: undefined } } : null),
    decode: async (w, r) => {
      if (w === null) return null;
      const c = w as Omit<CandidateOutput, "bytes">;
      const bytes = await r.artifacts.get(c.artifactUri);
      return { ...c, bytes, result: { ...c.result, model: loadModel(bytes) } };
    },
  },
  summarize(c, summary) {
    if (!c) return;
    summary.candidates.push({
      candidate: c.candidate.name,
      model: c.candidate.model,
      runId: c.runId,
      cv: c.result.cvMetrics,
      test: c.result.testMetrics,
      ...trainingFields(c.seconds),
      fitSeconds: c.seconds.finalFit,
      ...(c.auto ? { auto: c.auto } : {}),
    });
  },
};
