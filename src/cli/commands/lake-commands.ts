// The lake's commands: tables, history, query (with time travel), diff, profile, vacuum, and lineage of a table
// version or a model version down to its source files with hashes. Each command imports what it uses when it runs:
// `millrace tables` reads the manifests (lake/catalog.ts) and never loads DuckDB or the metadata store.
import type { Command } from "commander";
import type { Workspace } from "../../app/workspace.js";
import type { LineageNode } from "../../lake/commands.js";
import type { Lake } from "../../lake/lake.js";
import { loadProjectCached } from "../cached-project.js";
import { color, fmtNumber, printJson, table } from "../output.js";
import type { ActionWrapper } from "./action.js";
import { positiveInt } from "../option-parsers.js";

interface Opts {
  project: string;
  json?: boolean;
}

const tables = () => import("../../app/tables.js");

/** The lake (and, for what needs them, the stores) of the project, closed when the command ends. */
async function inLake<T>(opts: Opts, body: (lake: Lake, ws: Workspace) => Promise<T>): Promise<T> {
  const [project, { Workspace }] = await Promise.all([loadProjectCached(opts.project), import("../../app/workspace.js")]);
  return Workspace.use(project, async (ws) => body(await ws.lake(), ws));
}

function printTree(node: LineageNode, indent = ""): string[] {
  const out = [`${indent}${color.bold(`${node.table}@${node.version}`)} ${node.operation}, ${fmtNumber(node.rowCount)} rows, hash ${node.contentHash.slice(0, 12)}`];
  for (const f of node.sourceFiles) out.push(`${indent}  ← file ${f.path} sha256 ${f.hash.slice(0, 16)} (${fmtNumber(f.rows)} rows, by v${f.ingestedBy.version})`);
  for (const m of node.missing ?? []) out.push(`${indent}  ← ${m.table}@${m.version} ${color.yellow("(removed by vacuum)")}`);
  for (const p of node.parents) out.push(...printTree(p, `${indent}  `));
  return out;
}

export function lakeCommands(program: Command, action: ActionWrapper): void {
  const withOpts = (c: Command) => c.option("-p, --project <dir>", "project folder", ".").option("--json", "print as JSON");

  withOpts(program.command("tables").argument("[project]", "project folder (or -p DIR)").description("the lake's tables at their current versions")).action(
    action(async (dir: string | undefined, opts: Opts) => {
      const [project, { LakeCatalog }, { listTables }] = await Promise.all([loadProjectCached(dir ?? opts.project), import("../../lake/catalog.js"), tables()]);
      const rows = await listTables(new LakeCatalog(project.paths.lake));
      if (opts.json) printJson(rows);
      else console.log(table(["table", "version", "rows", "columns", "operation", "created"], rows.map((t) => [t.table, `v${t.version}`, t.rowCount, t.columns, t.operation, t.createdAt.slice(0, 19).replace("T", " ")])));
      return 0;
    }),
  );

  withOpts(program.command("history").argument("<table>", "e.g. silver.customers").description("every version of a table")).action(
    action(async (name: string, opts: Opts) => {
      const { tableHistory } = await tables();
      const rows = await inLake(opts, (lake) => tableHistory(lake, name));
      if (opts.json) printJson(rows);
      else {
        const audited = rows.some((h) => h.actor);
        console.log(table(
          ["version", "operation", "rows", "quarantined", "parents", "created", "hash", ...(audited ? ["by", "note"] : [])],
          rows.map((h) => [`v${h.version}`, h.operation, h.rowCount, h.rowsQuarantined ?? "", h.parents.join(", "), h.createdAt.slice(0, 19).replace("T", " "), h.contentHash.slice(0, 12),
            ...(audited ? [h.actor ?? "", [h.note, h.rowsRemoved ? `−${h.rowsRemoved} rows` : "", h.reason ? `"${h.reason}"` : ""].filter(Boolean).join("; ")] : [])]),
        ));
      }
      return 0;
    }),
  );

  withOpts(program.command("query").argument("<sql>", "SQL over the lake; pin a version with t@3 or t VERSION AS OF 3").description("SQL over the lake's tables")).action(
    action(async (sql: string, opts: Opts) => {
      const { queryTables } = await tables();
      const rows = await inLake(opts, (lake) => queryTables(lake, sql));
      if (opts.json) printJson(rows);
      else if (rows.length === 0) console.log("(no rows)");
      else console.log(table(Object.keys(rows[0]), rows.map((row) => Object.values(row).map((v) => (v === null || v === undefined ? null : typeof v === "number" ? v : typeof v === "object" ? JSON.stringify(v) : String(v))))));
      return 0;
    }),
  );

  withOpts(program.command("diff").argument("<table>").argument("<from>", "version number", positiveInt).argument("<to>", "version number", positiveInt).option("-k, --key <columns>", "key columns: count added/removed/changed rows").description("schema, row-count and content changes between two versions")).action(
    action(async (name: string, from: number, to: number, opts: Opts & { key?: string }) => {
      const { diffVersions } = await tables();
      const d = await inLake(opts, (lake) => diffVersions(lake, name, { from, to, ...(opts.key ? { key: opts.key.split(",") } : {}) }));
      if (opts.json) printJson(d);
      else {
        console.log(`${d.table} v${d.from} → v${d.to}: rows ${fmtNumber(d.rowCount.from)} → ${fmtNumber(d.rowCount.to)} (${d.rowCount.delta >= 0 ? "+" : ""}${fmtNumber(d.rowCount.delta)}), files +${d.files.added} −${d.files.removed}, content ${d.contentChanged ? "changed" : "unchanged"}`);
        for (const c of d.schema.added) console.log(color.green(`  + ${c.name} ${c.type}`));
        for (const c of d.schema.removed) console.log(color.red(`  − ${c.name} ${c.type}`));
        for (const c of d.schema.changed) console.log(color.yellow(`  ~ ${c.name} ${c.from} → ${c.to}`));
        if (d.rows) console.log(`  rows by ${d.rows.key.join(",")}: +${d.rows.added} −${d.rows.removed} ~${d.rows.changed}`);
      }
      return 0;
    }),
  );

  withOpts(program.command("profile").argument("<table>", "table or table@version").description("per-column profile of a table version: type, nulls, distinct, range, quantiles, top values")).action(
    action(async (text: string, opts: Opts) => {
      const { profileTable, resolveTableRef } = await tables();
      const p = await inLake(opts, async (lake) => {
        const ref = await resolveTableRef(lake, text);
        return profileTable(lake, ref.table, ref.version);
      });
      if (opts.json) printJson(p);
      else console.log((await import("../profile-text.js")).profileText(p));
      return 0;
    }),
  );

  withOpts(
    program
      .command("vacuum")
      .option("-t, --table <table>", "only this table")
      .option("--keep <n>", "versions to keep per table (≥ 1)", positiveInt, 5)
      .option("--dry-run", "only report")
      .description("remove old table versions; never one a registered model was trained on"),
  ).action(
    action(async (opts: Opts & { table?: string; keep: number; dryRun?: boolean }) => {
      const { vacuumTables } = await tables();
      const reports = await inLake(opts, async (lake, ws) =>
        vacuumTables(lake, (await ws.meta()).meta, { keep: opts.keep, dryRun: opts.dryRun === true, ...(opts.table ? { table: opts.table } : {}) }),
      );
      if (opts.json) printJson(reports);
      else console.log(table(["table", "removed versions", "kept", "kept for a model", "files", "MB freed"], reports.map((v) => [v.table, v.removedVersions.join(",") || "-", v.keptVersions.join(","), v.protectedKept.join(",") || "-", v.removedFiles.length, (v.bytesFreed / 1e6).toFixed(2)])));
      return 0;
    }),
  );

  withOpts(program.command("lineage").argument("<ref>", "model@version (churn@3), table@version (gold.churn_training@2) or prediction:<id> (the id a /predict answer carries)").description("what a model version, table version or logged prediction was made from, down to the source files with hashes")).action(
    action(async (text: string, opts: Opts) => {
      const { lineageOfRef } = await import("../../app/lineage.js");
      const out = await inLake(opts, (_lake, ws) => lineageOfRef(ws, text));
      if (opts.json) {
        printJson(out);
        return 0;
      }
      if (out.kind === "prediction") {
        const p = out.prediction;
        console.log(`${color.bold(`prediction ${p.id}`)} at ${p.at}: ${JSON.stringify(p.output)} from ${JSON.stringify(p.inputs)}`);
      }
      if (out.kind === "model" || out.kind === "prediction") {
        console.log(`${color.bold(`model ${out.model.name}@${out.model.version}`)} ${out.model.aliases.join(",")} ${color.dim(out.model.artifactUri)}`);
        console.log(`  ← run ${out.run.id}${"name" in out.run ? ` (${out.run.name})` : " (deleted)"}`);
        console.log(`  ← dataset ${out.dataset.id}: ${out.dataset.table}, hash ${out.dataset.contentHash.slice(0, 12)}, target ${out.dataset.target}, ${out.dataset.features} features`);
        console.log(printTree(out.tables, "    ").join("\n"));
      } else console.log(printTree(out.tables).join("\n"));
      return 0;
    }),
  );
}
