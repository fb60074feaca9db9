// `millrace scheduler [project]`: fires the project's schedule — in the foreground until Ctrl-C, or with --once
// what is due now and exit (for tests and for cron users). Ticks and runs live in the metadata store, so a
// restarted scheduler resumes and several schedulers on one store start each tick once.
import type { Command } from "commander";
import { ConfigError } from "../../errors.js";
import { runPipeline } from "../../flow/pipeline.js";
import { withResources } from "../../flow/resources.js";
import { loadProject, type Project } from "../../project/load-project.js";
import { schedulesOf } from "../../schedule/due-ticks.js";
import { Scheduler, type RunOutcome, type ScheduledRun, type SchedulerEvent } from "../../schedule/scheduler.js";
import { openMetadataStore } from "../../store/open-metadata-store.js";
import { color, printJson } from "../output.js";
import type { ActionWrapper } from "./action.js";
import { pipelineCommands } from "./pipeline-runs.js";

export interface SchedulerCommandOptions {
  once?: boolean;
  json?: boolean;
}

/** Runs the project's pipeline for one claimed tick, recorded with trigger "schedule" under the tick's run id. */
function scheduledRun(project: Project) {
  return async (run: ScheduledRun): Promise<RunOutcome> => {
    const s = await withResources(project, (r) => runPipeline(r, { trigger: "schedule", runId: run.runId }));
    return { status: s.status, ...(s.failure ? { error: s.failure.message } : {}) };
  };
}

function describeEvent(e: SchedulerEvent): string {
  switch (e.type) {
    case "start":
      return `tick ${e.dueAt} of ${e.pipeline}: run ${e.runId.slice(0, 8)} started`;
    case "end":
      return `${e.status === "succeeded" ? color.green("✔") : color.red("✘")} tick ${e.dueAt} of ${e.pipeline}: run ${e.runId.slice(0, 8)} ${e.status}${e.error ? color.red(` — ${e.error}`) : ""}`;
    case "taken":
      return color.dim(`tick ${e.dueAt} of ${e.pipeline}: already claimed by another scheduler`);
    case "error":
      return color.red(`scheduler pass failed, trying again after the next sleep: ${e.error}`);
    case "passed_over":
      return color.dim(`${e.pipeline}: ${e.count} missed tick(s) passed over (catchup: false), running ${e.firing}`);
  }
}

export async function schedulerCommand(dir: string, opts: SchedulerCommandOptions): Promise<number> {
  const project = loadProject(dir);
  const schedules = schedulesOf(project.config);
  if (schedules.length === 0) {
    throw new ConfigError(`project ${project.config.name} has no schedule`, { hint: 'add schedule: "0 */6 * * *" (and timezone:, catchup:) to millrace.yaml' });
  }
  const log = (s: string) => !opts.json && process.stderr.write(`${color.dim(new Date().toISOString().slice(11, 19))} ${s}\n`);
  const meta = await openMetadataStore(project.paths.metadata);
  try {
    const scheduler = new Scheduler({ meta, project: project.config.name, schedules, startRun: scheduledRun(project), onEvent: (e) => log(describeEvent(e)) });
    if (opts.once) {
      const fired = await scheduler.fireDue();
      const next = scheduler.nextDue()?.toISOString() ?? null;
      if (opts.json) printJson({ project: project.config.name, fired, next });
      else if (fired.length === 0) log(`nothing due; next tick at ${next ?? "never"}`);
      return fired.some((f) => f.status === "failed") ? 1 : 0;
    }
    const stop = new AbortController();
    process.once("SIGINT", () => stop.abort());
    process.once("SIGTERM", () => stop.abort());
    const plan = schedules.map((s) => `${s.pipeline}: "${s.cron}" (${s.timezone}${s.catchup ? ", catchup" : ""})`).join("; ");
    log(`scheduler for ${project.config.name}: ${plan}; next tick at ${scheduler.nextDue()?.toISOString() ?? "never"}; Ctrl-C stops (after the current run)`);
    await scheduler.run(stop.signal);
    return 0;
  } finally {
    await meta.close();
  }
}

/** Registers `scheduler` and, with it, `pipeline runs` (the list of what the scheduler and others started). */
export function schedulerCommands(program: Command, action: ActionWrapper): void {
  pipelineCommands(program, action);
  program
    .command("scheduler")
    .argument("[project]", "project folder", ".")
    .description("run the pipeline on its schedule (millrace.yaml schedule:), in the foreground; ticks are kept in the metadata store")
    .option("--once", "fire the ticks due now, wait for their runs, and exit (1 when a run failed)")
    .option("--json", "with --once: print the fired ticks as JSON")
    .action(action((dir: string, opts: SchedulerCommandOptions) => schedulerCommand(dir, opts)));
}
