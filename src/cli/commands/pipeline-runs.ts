// `millrace pipeline runs [-p DIR]`: the project's pipeline runs with what triggered each (schedule, manual, …).
import type { Command } from "commander";
import { loadProject } from "../../project/load-project.js";
import { DEFAULT_PIPELINE } from "../../flow/pipelines.js";
import type { PipelineSummary } from "../../flow/summary.js";
import { openMetadataStore } from "../../store/open-metadata-store.js";
import { orchestrationOf } from "../../store/orchestration.js";
import { fmtMs, printJson, table } from "../output.js";
import type { ActionWrapper } from "./action.js";
import { pipelineControlCommands } from "./pipeline-control.js";
import { positiveInt } from "../option-parsers.js";

export interface PipelineRunsOptions {
  project: string;
  limit: number;
  json?: boolean;
}

export async function pipelineRunsCommand(opts: PipelineRunsOptions): Promise<number> {
  const project = loadProject(opts.project);
  const meta = await openMetadataStore(project.paths.metadata);
  try {
    const orchestration = orchestrationOf(meta);
    const records = await meta.listPipelineRuns(project.config.name, opts.limit);
    const runs = [];
    for (const r of records) {
      const placed = await orchestration.placement(r.id);
      const s = r.summary as Partial<PipelineSummary> | null;
      runs.push({
      id: r.id,
      pipeline: placed?.pipeline ?? DEFAULT_PIPELINE,
      ...(placed?.partition ? { partition: placed.partition } : {}),
      // Runs recorded before triggers were kept say nothing: null, not a guess.
      trigger: r.trigger ?? null,
      // Runs recorded before the store kept "cancelled" say "failed" there; their summary says cancelled.
      status: s?.status === "cancelled" ? "cancelled" : r.status,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      durationMs: r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : null,
      ...(r.error ? { error: r.error } : {}),
      });
    }
    if (opts.json) printJson(runs);
    else {
      console.log(
        table(
          ["run", "pipeline", "trigger", "status", "started", "duration"],
          runs.map((r) => [r.id.slice(0, 8), r.pipeline, r.trigger ?? "-", r.status, r.startedAt.replace("T", " ").slice(0, 19), r.durationMs === null ? "" : fmtMs(r.durationMs)]),
        ),
      );
    }
    return 0;
  } finally {
    await meta.close();
  }
}

export function pipelineCommands(program: Command, action: ActionWrapper): void {
  const pipeline = program.command("pipeline").description("the project's pipelines and their runs: list, runs, trigger, cancel, logs, backfill");
  pipelineControlCommands(pipeline, program, action);
  pipeline
    .command("runs")
    .description("list pipeline runs, newest first, with id, pipeline, trigger (schedule / asset / manual / file / alert / backfill), status, start and end")
    .option("-p, --project <dir>", "project folder", ".")
    .option("-n, --limit <n>", "how many (≥ 1)", positiveInt, 20)
    .option("--json", "print as JSON")
    .action(action((opts: PipelineRunsOptions) => pipelineRunsCommand(opts)));
}
