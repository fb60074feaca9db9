// `millrace features [project]` lists the feature store (entities, views with freshness and lineage, services);
// `millrace features build [project]` builds the point-in-time training sets; `millrace materialize [project]`
// writes the latest feature rows to the online store.
import type { Command } from "commander";
import { NotFoundError } from "../../errors.js";
import { featureCatalog, type FeatureCatalog } from "../../featurestore/catalog.js";
import { featureStoreOf } from "../../featurestore/definitions.js";
import { materializeViews, type MaterializedView } from "../../featurestore/materialize.js";
import type { OnlineStore } from "../../featurestore/online/online-store.js";
import { onlineLocation, openOnlineStore } from "../../featurestore/online/online-stores.js";
import { buildTrainingSet, type TrainingSetResult } from "../../featurestore/training-set.js";
import { Lake } from "../../lake/lake.js";
import { loadProject, type Project } from "../../project/load-project.js";
import { color, fmtMs, printJson, table } from "../output.js";
import type { ActionWrapper } from "./action.js";

async function withStores<T>(project: Project, body: (lake: Lake, store: OnlineStore) => Promise<T>): Promise<T> {
  const fs = featureStoreOf(project.config);
  const lake = await Lake.open(project.paths.lake);
  try {
    const store = await openOnlineStore(onlineLocation(fs.online.store), { project: project.config.name, dir: project.dir });
    try {
      return await body(lake, store);
    } finally {
      await store.close();
    }
  } finally {
    await lake.close();
  }
}

const age = (s: number | null) => (s === null ? "–" : s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172_800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`);

function printCatalog(c: FeatureCatalog): void {
  console.log(`${color.bold("Entities")}`);
  console.log(table(["entity", "join keys", "description"], c.entities.map((e) => [e.name, e.joinKeys.join(", "), e.description])));
  console.log(`\n${color.bold("Feature views")} (online store: ${c.onlineStore})`);
  console.log(
    table(
      ["view", "entity", "source", "features", "ttl", "owner", "online", "entities", "freshness", "lineage"],
      c.views.map((v) => [
        v.name, v.entity, `${v.source}${v.sourceVersion ? `@${v.sourceVersion}` : " (not built)"}`, v.features.length, age(v.ttlSeconds), v.owner,
        !v.online.enabled ? "off" : v.online.materializedVersion === null ? color.yellow("not materialized") : `@${v.online.materializedVersion}${v.online.behind ? color.yellow(" (behind)") : ""}`,
        v.online.entities, age(v.online.freshnessSeconds), v.lineage.map((p) => `${p.table}@${p.version}`).join(", "),
      ]),
    ),
  );
  if (c.onDemand.length) {
    console.log(`\n${color.bold("On-demand features")}`);
    console.log(table(["feature", "expression"], c.onDemand.map((o) => [o.name, o.expression])));
  }
  console.log(`\n${color.bold("Services")}`);
  console.log(
    table(
      ["service", "features", "request by", "training sets"],
      c.services.map((s) => [
        s.name, s.features.join(", "), [...s.joinKeys, ...s.requestFields].join(", "),
        s.trainingSets.map((t) => `${t.table}${t.version ? `@${t.version} ← ${t.builtFrom.map((p) => `${p.table}@${p.version}`).join(", ")}` : " (not built)"}`).join("; "),
      ]),
    ),
  );
}

export async function featuresCommand(dir: string, opts: { json?: boolean }): Promise<number> {
  const project = loadProject(dir);
  const catalog = await withStores(project, (lake, store) => featureCatalog(lake, project, store));
  if (opts.json) printJson(catalog);
  else printCatalog(catalog);
  return 0;
}

export async function buildCommand(dir: string, opts: { json?: boolean; table?: string }): Promise<number> {
  const project = loadProject(dir);
  const specs = featureStoreOf(project.config).training_sets.filter((t) => !opts.table || t.table === opts.table);
  if (!specs.length) {
    throw new NotFoundError(opts.table ? `no training set writes ${opts.table}` : "the project declares no training_sets", { hint: "declare feature_store.training_sets in millrace.yaml" });
  }
  const lake = await Lake.open(project.paths.lake);
  const out: TrainingSetResult[] = [];
  try {
    for (const spec of specs) {
      const t0 = performance.now();
      const r = await buildTrainingSet(lake, project, spec);
      out.push(r);
      if (!opts.json) {
        const from = [r.labels, ...r.views].map((v) => `${v.table}@${v.version}`).join(", ");
        console.log(`${color.green("✔")} ${r.version.table}@${r.version.version} ${r.reused ? "unchanged" : "built"}: ${r.rows.toLocaleString("en-US")} rows from ${from} in ${fmtMs(performance.now() - t0)}`);
      }
    }
  } finally {
    await lake.close();
  }
  if (opts.json) printJson(out.map((r) => ({ table: r.version.table, version: r.version.version, reused: r.reused, rows: r.rows, labels: r.labels, views: r.views })));
  return 0;
}

export async function materializeCommand(dir: string, opts: { json?: boolean; view?: string; full?: boolean }): Promise<number> {
  const project = loadProject(dir);
  const results = await withStores(project, (lake, store) =>
    materializeViews(lake, project, store, {
      ...(opts.view ? { view: opts.view } : {}),
      full: opts.full === true,
      onView: (r: MaterializedView) => {
        // The per-view results are the command's output: stdout (--json prints them all at the end instead).
        if (!opts.json) {
          process.stdout.write(
            `${color.green("✔")} ${r.view} ← ${r.table}@${r.version} (${r.mode}): ${r.written.toLocaleString("en-US")} written, ${r.removed} removed, ${r.expired} expired; ${r.rows.toLocaleString("en-US")} entities online, newest ${r.newestTs === null ? "–" : new Date(r.newestTs).toISOString()} (${fmtMs(r.ms)})\n`,
          );
        }
      },
    }),
  );
  if (opts.json) printJson(results);
  return 0;
}

export function featureCommands(program: Command, action: ActionWrapper): void {
  const features = program
    .command("features")
    .argument("[project]", "project folder")
    .description("list the feature store: entities, feature views (source version, online freshness, lineage), on-demand features, services")
    .option("-p, --project <dir>", "project folder (or give it as the argument)")
    .option("--json", "print as JSON")
    .action(action((dir: string | undefined, opts: { project?: string; json?: boolean }) => featuresCommand(dir ?? opts.project ?? ".", opts)));
  features
    .command("build")
    .argument("[project]", "project folder")
    .description("build the point-in-time training sets (feature_store.training_sets) from the current labels and view versions")
    .option("-p, --project <dir>", "project folder (or give it as the argument)")
    .option("-t, --table <table>", "only the training set written to this table")
    .option("--json", "print as JSON")
    .action(action((dir: string | undefined, opts: { project?: string; json?: boolean; table?: string }) => buildCommand(dir ?? opts.project ?? ".", opts)));
  program
    .command("materialize")
    .argument("[project]", "project folder")
    .description("write the latest feature row per entity (within each view's TTL) to the online store; after the first run only changed keys")
    .option("-p, --project <dir>", "project folder (or give it as the argument)")
    .option("--view <view>", "only this feature view")
    .option("--full", "rewrite every key instead of only what changed")
    .option("--json", "print as JSON")
    .action(action((dir: string | undefined, opts: { project?: string; json?: boolean; view?: string; full?: boolean }) => materializeCommand(dir ?? opts.project ?? ".", opts)));
}
