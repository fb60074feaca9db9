// What the two table-writing kinds (ingest, transform) share: dependencies on the writers of the tables their
// checks read, checks pinned to the versions this run built, their part of the summary, and the stand-in that
// reads a table's current version when a pipeline does not rebuild it.
import { isMillraceError, NotFoundError } from "../../errors.js";
import type { CheckReport } from "../../quality/checks.js";
import type { TableRef } from "../../records.js";
import type { TableOutput } from "../outputs.js";
import { tableSummary, type PipelineSummary } from "../summary.js";
import { taskOf, type PipelineTask, type PlanContext, type TaskKind, type TaskRef } from "../task-kind.js";

/** Writers of the tables a table's checks read (relationships rules): they must finish first. */
export function checkInputs(ctx: PlanContext, table: string): TaskRef<TableOutput>[] {
  return (ctx.project.config.checks[table] ?? []).flatMap((rule) =>
    rule.rule === "relationships" && ctx.producers.has(rule.to) && rule.to !== table ? [ctx.producers.get(rule.to)!] : [],
  );
}

/** Checks read the exact upstream versions this run built, not whatever is current. */
export function pinnedVersions(ctx: PlanContext, output: <T>(of: TaskRef<T>) => T, deps: readonly TaskRef<TableOutput>[]) {
  const ids = new Set(deps.map((d) => d.id));
  return (t: string): TableRef | undefined => {
    const producer = ctx.producers.get(t);
    if (!producer || !ids.has(producer.id)) return undefined;
    const out = output(producer);
    return { table: out.table.table, version: out.table.version };
  };
}

export function summarizeTable(t: TableOutput, summary: PipelineSummary): void {
  summary.tables.push(tableSummary(t.table, t.reused, t.ingest ? t.ingest.rowsBad : (t.rowsQuarantined ?? 0)));
  if (t.checks) summary.checks.push({ table: t.checks.table, errors: t.checks.errors, warnings: t.checks.warnings, passed: t.checks.passed, results: t.checks.results });
}

/** A table that failed its checks carries the whole report on its error: the summary shows every rule. */
export function summarizeFailedChecks(error: unknown, summary: PipelineSummary): void {
  const report = isMillraceError(error) ? error.details.report : undefined;
  if (report) summary.checks.push(report as Pick<CheckReport, "table" | "errors" | "warnings" | "passed" | "results">);
}

/** The kind of stand-ins: a table's current version, read instead of rebuilt. */
export const currentTableKind: TaskKind<TableOutput, "lake"> = {
  name: "current",
  description: "the current version of a table another pipeline builds (read, not rebuilt)",
  needs: ["lake"],
  plan: () => [],
  summarize: summarizeTable,
};

/** The stand-in for a table task: same id, no dependencies, the table's current version. */
export function currentTable(table: string) {
  return (task: PipelineTask<TableOutput>): PipelineTask<TableOutput> =>
    taskOf(currentTableKind, task.id, [], async ({ r, note }): Promise<TableOutput> => {
      const version = await r.lake.current(table);
      if (!version) {
        throw new NotFoundError(`${table} has no version yet, and this pipeline does not build it`, {
          hint: `run the pipeline that builds it first (millrace pipeline trigger <name>), or add ${task.id} to this pipeline's tasks`,
        });
      }
      note(`current v${version.version} (${version.rowCount} rows), built by another pipeline`);
      return { table: version, reused: true };
    });
}
