// The dataset kind: pins the training table's version built this run and splits its rows (one task, "dataset").
import { ConfigError } from "../../errors.js";
import type { DatasetOutput } from "../outputs.js";
import { buildDataset, loadDataset } from "../steps/dataset.js";
import { taskOf, type TaskKind } from "../task-kind.js";

export const datasetKind: TaskKind<DatasetOutput, "lake" | "meta"> = {
  name: "dataset",
  description: "pin dataset.table's version by content hash, pick features, split rows by identity",
  needs: ["lake", "meta"],
  plan(ctx) {
    const cfg = ctx.project.config;
    if (cfg.dataset.task === "recommendation") return []; // trained by the recommend kind (recommend-train.ts)
    const from = ctx.producers.get(cfg.dataset.table);
    if (!from) {
      throw new ConfigError(`dataset.table ${cfg.dataset.table} is not produced by any source or SQL model`, {
        hint: `tables in this project: ${[...ctx.producers.keys()].join(", ")}`,
      });
    }
    return [taskOf(datasetKind, "dataset", [from], ({ r, output, note }) => buildDataset(r, output(from), note, ctx.retrain))];
  },
  // To and from a worker: the recorded dataset's id; the other side reads the same rows and split again.
  wire: {
    encode: (d) => ({ id: d.dataset.id, alreadyTrainedBy: d.alreadyTrainedBy, trainingReason: d.trainingReason }),
    decode: async (w, r) => {
      const { id, alreadyTrainedBy, trainingReason } = w as Pick<DatasetOutput, "alreadyTrainedBy" | "trainingReason"> & { id: string };
      return { ...(await loadDataset(r, id)), alreadyTrainedBy, trainingReason };
    },
  },
  summarize(d, summary) {
    summary.dataset = {
      id: d.dataset.id,
      table: d.dataset.table.table,
      version: d.dataset.table.version,
      contentHash: d.dataset.contentHash,
      rows: d.frame.rowCount,
      trainRows: d.train.length,
      testRows: d.test.length,
      features: d.dataset.features,
      ...(d.dataset.flagged ? { flagged: d.dataset.flagged } : {}),
      splitBy: d.dataset.split.identity ? (d.dataset.split.identity.kind === "key" ? `key ${d.dataset.split.identity.columns.join(", ")}` : "row content") : "position (seeded)",
    };
    summary.training = { trained: !d.alreadyTrainedBy, reason: d.trainingReason };
  },
};
