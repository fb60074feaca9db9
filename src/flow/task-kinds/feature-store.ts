// The feature store's task kinds: point-in-time training sets (one task per feature_store.training_sets entry,
// after the labels and feature-view tables this run built) and the online materialization of the views whose
// source this run rebuilt (incremental: only changed keys). The work itself lives in featurestore/.
import { materializeViews } from "../../featurestore/materialize.js";
import { onlineLocation, openOnlineStore } from "../../featurestore/online/online-stores.js";
import { resolveService } from "../../featurestore/definitions.js";
import { buildTrainingSet } from "../../featurestore/training-set.js";
import type { TableOutput } from "../outputs.js";
import { taskOf, type TaskKind, type TaskRef } from "../task-kind.js";
import { currentTable, summarizeTable } from "./table-kind.js";

export const trainingSetKind: TaskKind<TableOutput, "lake"> = {
  name: "training_set",
  description: "join a labels table to a feature service's views as of each label's time (feature_store.training_sets)",
  needs: ["lake"],
  produces: ({ project }) => (project.config.feature_store?.training_sets ?? []).map((t) => [t.table, `training_set:${t.table}`]),
  plan(ctx) {
    const fs = ctx.project.config.feature_store;
    if (!fs) return [];
    return fs.training_sets.map((spec) => {
      const inputs = [spec.labels, ...resolveService(fs, spec.service).views.map((v) => v.view.source)];
      const deps = inputs.flatMap((t) => (ctx.producers.has(t) ? [ctx.producers.get(t)!] : []));
      return taskOf(trainingSetKind, ctx.producers.get(spec.table)!.id, deps, async ({ r, output, note }) => {
        const built = new Map(deps.map((d) => [output(d).table.table, output(d).table]));
        const res = await buildTrainingSet(r.lake, r.project, spec, (t) => built.get(t));
        note(`${res.reused ? "unchanged" : `${res.rows} rows`} from ${[res.labels, ...res.views].map((v) => `${v.table}@${v.version}`).join(", ")}`);
        return { table: res.version, reused: res.reused };
      });
    });
  },
  summarize: summarizeTable,
  standIn: (task) => currentTable(task.id.slice("training_set:".length))(task),
};

/** Materializes online views after their source tables were built this run; a no-op task when nothing changed. */
export const materializeKind: TaskKind<{ views: { view: string; mode: string; written: number; removed: number }[] }, "lake"> = {
  name: "materialize",
  description: "write the latest feature rows of the online feature views to the online store (only changed keys)",
  needs: ["lake"],
  plan(ctx) {
    const fs = ctx.project.config.feature_store;
    const views = fs?.feature_views.filter((v) => v.online && ctx.producers.has(v.source)) ?? [];
    if (!fs || !views.length) return [];
    const deps: TaskRef<TableOutput>[] = [...new Set(views.map((v) => ctx.producers.get(v.source)!))];
    return [
      taskOf(materializeKind, "materialize:features", deps, async ({ r, note }) => {
        const store = await openOnlineStore(onlineLocation(fs.online.store), { project: r.project.config.name, dir: r.project.dir });
        try {
          const out = [];
          for (const v of views) {
            const [m] = await materializeViews(r.lake, r.project, store, { view: v.name });
            out.push({ view: m.view, mode: m.mode, written: m.written, removed: m.removed });
          }
          note(out.map((m) => `${m.view} ${m.mode} +${m.written}/-${m.removed}`).join(", "));
          return { views: out };
        } finally {
          await store.close();
        }
      }),
    ];
  },
  summarize: () => undefined,
};
