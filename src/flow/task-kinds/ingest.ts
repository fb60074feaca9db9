// The ingest kind: one task per source, landing files (or a PostgreSQL table) into bronze.<source>, checked.
import { failpoint } from "../failpoint.js";
import type { TableOutput } from "../outputs.js";
import { auditedWrite, ingestSource, profileNewVersion } from "../steps/tables.js";
import type { IngestSummary } from "../summary.js";
import { taskOf, type TaskKind } from "../task-kind.js";
import { checkInputs, currentTable, pinnedVersions, summarizeFailedChecks, summarizeTable } from "./table-kind.js";

const tableOf = (source: string) => `bronze.${source}`;

export const ingestKind: TaskKind<TableOutput, "lake" | "meta"> = {
  name: "ingest",
  description: "land a source's new files (or rows) in its bronze table, through its checks",
  needs: ["lake", "meta"],
  produces: ({ project }) => project.config.sources.map((s) => [tableOf(s.name), `ingest:${tableOf(s.name)}`]),
  plan(ctx) {
    const cfg = ctx.project.config;
    return cfg.sources.map((source) => {
      const table = tableOf(source.name);
      const deps = checkInputs(ctx, table);
      return taskOf(ingestKind, ctx.producers.get(table)!.id, deps, async ({ r, output, note }) => {
        const written = await auditedWrite(r, table, cfg.checks[table], note, (rr, n) => ingestSource(rr, source, n, ctx.files), pinnedVersions(ctx, output, deps));
        // Committed, not yet reported: a retry from here must find the files ingested and add no row twice.
        failpoint("ingest:after-commit");
        return profileNewVersion(r, written);
      });
    });
  },
  summarize(t, summary) {
    summarizeTable(t, summary);
    if (t.ingest) summary.ingest.push(ingestSummary(t.table, t.ingest));
  },
  summarizeFailure: summarizeFailedChecks,
  standIn: (task) => currentTable(task.id.slice("ingest:".length))(task),
};

function ingestSummary(v: TableOutput["table"], ingest: NonNullable<TableOutput["ingest"]>): IngestSummary {
  const t = { ingest };
  return {
    table: v.table,
    version: v.version,
    filesIngested: t.ingest.ingested.map((f) => ({ path: f.path, rows: f.rows, badRows: f.badRows, ...(f.error ? { error: f.error } : {}) })),
    filesSkipped: t.ingest.skipped.length,
    rowsIn: t.ingest.rowsIn,
    rowsOut: t.ingest.rowsOut,
    rowsBad: t.ingest.rowsBad,
    ...(t.ingest.changes ? { changes: t.ingest.changes } : {}),
    ...(t.ingest.warnings?.length ? { warnings: t.ingest.warnings } : {}),
  };
}
