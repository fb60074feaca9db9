// The register kind: the best candidate becomes a model version and takes the alias if the gate says so.
import type { CandidateOutput, DatasetOutput, PromotionOutput } from "../outputs.js";
import { registerAndGate } from "../steps/register.js";
import { taskOf, type TaskKind, type TaskRef } from "../task-kind.js";

export const registerKind: TaskKind<PromotionOutput | null, "lake" | "meta" | "registry"> = {
  name: "register",
  description: "register the best candidate as a model version; the gate decides whether it takes the alias",
  needs: ["lake", "meta", "registry"],
  plan(ctx) {
    const ds = ctx.planned("dataset")[0]?.ref as TaskRef<DatasetOutput> | undefined;
    if (!ds) return [];
    const trained = ctx.planned("train").map((t) => t.ref as TaskRef<CandidateOutput | null>);
    return [
      taskOf(registerKind, "register", [ds, ...trained], ({ r, output, note }) =>
        registerAndGate(r, output(ds), trained.map((t) => output(t)).filter((o): o is CandidateOutput => o !== null), note),
      ),
    ];
  },
  summarize(p, summary) {
    if (!p) return;
    summary.model = {
      name: p.version.name,
      version: p.version.version,
      candidate: p.candidate,
      alias: p.alias,
      promoted: p.decision.promote,
      reason: p.decision.reason,
      checks: p.decision.checks,
      ...(p.decision.comparison ? { comparison: p.decision.comparison } : {}),
      ...(p.resumed ? { resumed: true } : {}),
    };
  },
};
