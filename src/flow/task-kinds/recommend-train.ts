// The recommend kind (dataset.task: recommendation): reads the interactions of dataset.table's version built this
// run ("recommend:data"), trains each candidate recommender as a tracked run ("recommend:train:<name>") and registers
// the best, gated on held-out interactions against production ("recommend:register"). The work is in recommend/.
import { ConfigError } from "../../errors.js";
import { loadRecommender } from "../../recommend/model.js";
import { readInteractionData, type InteractionData } from "../../recommend/pipeline-data.js";
import { registerRecommender, trainRecommenderCandidate, type RecCandidateOutput, type RecPromotion } from "../../recommend/pipeline-train.js";
import type { TableOutput } from "../outputs.js";
import type { PipelineSummary } from "../summary.js";
import { decideTraining, TRAIN_CONFIG_TAG, trainConfigRecord } from "../steps/train-config.js";
import { taskOf, type TaskKind, type TaskRef } from "../task-kind.js";
import { trainingFields } from "../training-seconds.js";

export type RecommendOutput =
  | { stage: "data"; data: InteractionData; alreadyTrainedBy: { name: string; version: number } | null; trainingReason: string }
  | { stage: "candidate"; out: RecCandidateOutput | null }
  | { stage: "register"; promotion: RecPromotion | null };

type DataOut = Extract<RecommendOutput, { stage: "data" }>;
type CandidateOut = Extract<RecommendOutput, { stage: "candidate" }>;

export const recommendKind: TaskKind<RecommendOutput, "lake" | "meta" | "tracker" | "registry"> = {
  name: "recommend",
  description: "train the recommender candidates on dataset.table's interactions as runs; register the best, gated on held-out interactions",
  needs: ["lake", "meta", "tracker", "registry"],
  plan(ctx) {
    const cfg = ctx.project.config;
    const ds = cfg.dataset;
    if (ds.task !== "recommendation") return [];
    const from = ctx.producers.get(ds.table);
    if (!from) {
      throw new ConfigError(`dataset.table ${ds.table} is not produced by any source or SQL model`, { hint: `tables in this project: ${[...ctx.producers.keys()].join(", ")}` });
    }
    const dataTask = taskOf(recommendKind, "recommend:data", [from], async ({ r, output, note }): Promise<DataOut> => {
      const data = await readInteractionData(r.lake, output(from as TaskRef<TableOutput>).table, ds, cfg.train.cv_folds);
      // The latest version on these interactions (the one a killed run may have left ungated), reused only when it was
      // trained under the same train config (train-config.ts).
      const training = await decideTraining(r.meta, cfg, data.id, ctx.retrain);
      const alreadyTrainedBy = training.skipWith;
      note(
        `${data.id}: ${data.interactions.users.length} interactions (${data.train.length} train / ${data.test.length} held out by (user, item) pair)` +
          `${data.dropped ? `, ${data.dropped} rows without a user, item or rating left out` : ""}${alreadyTrainedBy ? `, already trained by v${alreadyTrainedBy.version}` : training.reason === "new dataset" ? "" : ` (${training.reason})`}`,
      );
      return { stage: "data", data, alreadyTrainedBy, trainingReason: training.reason };
    });
    const dataRef = dataTask.ref as TaskRef<DataOut>;
    const trainTasks = cfg.train.candidates.map((candidate) =>
      taskOf(recommendKind, `recommend:train:${candidate.name}`, [dataRef], async ({ r, output, progress, note, signal }): Promise<CandidateOut> => {
        const d = output(dataRef);
        if (d.alreadyTrainedBy) {
          note(`skipped: interactions and train config unchanged since ${d.alreadyTrainedBy.name} v${d.alreadyTrainedBy.version}`);
          return { stage: "candidate", out: null };
        }
        return { stage: "candidate", out: await trainRecommenderCandidate(r, candidate, d.data, progress, note, signal) };
      }),
    );
    const trained = trainTasks.map((t) => t.ref as TaskRef<CandidateOut>);
    const registerTask = taskOf(recommendKind, "recommend:register", [dataRef, ...trained], async ({ r, output, note }) => {
      const outs = trained.map((t) => output(t).out).filter((o): o is RecCandidateOutput => o !== null);
      const d = output(dataRef);
      // Before a version exists, so the next run can tell whether the train config changed (whichever run wins).
      for (const o of outs) await r.meta.mergeTags(o.runId, { [TRAIN_CONFIG_TAG]: JSON.stringify(trainConfigRecord(r.project.config)) });
      return { stage: "register" as const, promotion: await registerRecommender(r, d.data, outs, note, d.alreadyTrainedBy) };
    });
    return [dataTask, ...trainTasks, registerTask];
  },
  wire: {
    // The interactions go as their table version (read again on the other side), a candidate without its model
    // object (rebuilt from its bytes), a promotion as it is.
    encode: (out) =>
      out.stage === "data" ? { stage: "data", table: out.data.table, alreadyTrainedBy: out.alreadyTrainedBy, trainingReason: out.trainingReason }
        : out.stage === "candidate" && out.out ? { stage: "candidate", out: { ...out.out, result: { ...out.out.result, model: undefined } } }
        : out,
    decode: async (w, r) => {
      const out = w as RecommendOutput | (Pick<DataOut, "stage" | "alreadyTrainedBy" | "trainingReason"> & { table: TableOutput["table"] });
      if (out.stage === "data" && "table" in out) {
        const cfg = r.project.config;
        if (cfg.dataset.task !== "recommendation") throw new ConfigError("a recommendation output reached a tabular project", { path: "dataset.task" });
        return { stage: "data", data: await readInteractionData(r.lake, out.table, cfg.dataset, cfg.train.cv_folds), alreadyTrainedBy: out.alreadyTrainedBy, trainingReason: out.trainingReason };
      }
      if (out.stage === "candidate" && out.out) return { stage: "candidate", out: { ...out.out, result: { ...out.out.result, model: loadRecommender(out.out.bytes) } } };
      return out as RecommendOutput;
    },
  },
  summarize(out, summary) {
    if (out.stage === "data") summarizeData(out, summary);
    else if (out.stage === "candidate" && out.out) {
      const c = out.out;
      summary.candidates.push({ candidate: c.candidate.name, model: c.candidate.model, runId: c.runId, cv: c.cv, test: c.result.metrics, ...trainingFields(c.seconds), fitSeconds: c.seconds.finalFit });
    } else if (out.stage === "register" && out.promotion) {
      const p = out.promotion;
      summary.model = {
        name: p.version.name, version: p.version.version, candidate: p.candidate, alias: p.alias, promoted: p.decision.promote,
        reason: p.decision.reason, checks: p.decision.checks, ...(p.decision.comparison ? { comparison: p.decision.comparison } : {}),
        ...(p.resumed ? { resumed: true } : {}),
      };
    }
  },
};

function summarizeData({ data, alreadyTrainedBy, trainingReason }: DataOut, summary: PipelineSummary): void {
  const cols = data.interactions.columns;
  summary.dataset = {
    id: data.id,
    table: data.table.table,
    version: data.table.version,
    contentHash: data.table.contentHash,
    rows: data.interactions.users.length,
    trainRows: data.train.length,
    testRows: data.test.length,
    features: [cols.user, cols.item, ...(cols.rating ? [cols.rating] : [])],
    splitBy: `(${cols.user}, ${cols.item}) pair`,
  };
  summary.training = { trained: !alreadyTrainedBy, reason: trainingReason };
}

