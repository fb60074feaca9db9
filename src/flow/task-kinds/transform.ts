// The transform kind: one task per SQL model, built from the exact versions its ref()s resolved to this run.
import { orderSqlModels } from "../../lake/sql-models.js";
import type { TableVersion } from "../../records.js";
import type { TableOutput } from "../outputs.js";
import { auditedWrite, materializeModel, profileNewVersion } from "../steps/tables.js";
import { taskOf, type TaskKind } from "../task-kind.js";
import { checkInputs, currentTable, pinnedVersions, summarizeFailedChecks, summarizeTable } from "./table-kind.js";

export const transformKind: TaskKind<TableOutput, "lake" | "meta"> = {
  name: "transform",
  description: "build a SQL model (silver, gold) from the versions its ref()s name, through its checks",
  needs: ["lake", "meta"],
  produces: ({ models }) => models.map((m) => [m.name, `transform:${m.name}`]),
  plan(ctx) {
    const cfg = ctx.project.config;
    return orderSqlModels(ctx.models, cfg.sources.map((s) => `bronze.${s.name}`)).map((model) => {
      const refs = model.refs.map((t) => ctx.producers.get(t)!);
      const deps = [...refs, ...checkInputs(ctx, model.name)];
      return taskOf(transformKind, ctx.producers.get(model.name)!.id, deps, async ({ r, output, note }) => {
        const parents = new Map<string, TableVersion>(model.refs.map((name, i) => [name, output(refs[i]).table]));
        return profileNewVersion(
          r,
          await auditedWrite(r, model.name, cfg.checks[model.name], note, (rr, n) => materializeModel(rr, model, parents, n, ctx.partitionRows), pinnedVersions(ctx, output, deps)),
        );
      });
    });
  },
  summarize: summarizeTable,
  summarizeFailure: summarizeFailedChecks,
  standIn: (task) => currentTable(task.id.slice("transform:".length))(task),
};
