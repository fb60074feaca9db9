// The train kind: one task per candidate, trained as a tracked run by the configured executor (in process or on
// workers); skipped with a note when the dataset was already trained on.
import type { CandidateOutput, DatasetOutput } from "../outputs.js";
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
          note(`skipped: dataset unchanged since ${d.alreadyTrainedBy.name} v${d.alreadyTrainedBy.version}`);
          return null;
        }
        return r.executor.train(r, candidate, d, progress, note, signal);
      }),
    );
  },
  summarize(c, summary) {
    if (!c) return;
    summary.candidates.push({
      candidate: c.candidate.name,
      model: c.candidate.model,
      runId: c.runId,
      cv: c.result.cvMetrics,
      test: c.result.testMetrics,
      trainSeconds: c.result.trainSeconds,
    });
  },
};
