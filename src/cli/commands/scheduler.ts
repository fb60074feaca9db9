// `millrace scheduler [project]`: fires the project's schedule — in the foreground until Ctrl-C, or with --once
// what is due now and exit (for tests and for cron users). Ticks and runs live in the metadata store, so a
// restarted scheduler resumes and several schedulers on one store start each tick once.
import type { Command } from "commander";
import { ConfigError } from "../../errors.js";
import { loadProject } from "../../project/load-project.js";
import { openProjectScheduler } from "../../schedule/project-scheduler.js";
import type { SchedulerEvent } from "../../schedule/scheduler.js";
import { color, printJson } from "../output.js";
import type { ActionWrapper } from "./action.js";
import { pipelineCommands } from "./pipeline-runs.js";

export interface SchedulerCommandOptions {
  once?: boolean;
  json?: boolean;
}

export function describeEvent(e: SchedulerEvent): string {
  switch (e.type) {
    case "start":
      return e.trigger === "asset"
        ? `${e.pipeline}: new ${(e.assets ?? []).map((a) => `${a.asset} v${a.version}`).join(", ")}: run ${e.runId.slice(0, 8)} started`
        : `tick ${e.dueAt} of ${e.pipeline}: run ${e.runId.slice(0, 8)} started`;
    case "waiting":
      return color.dim(`${e.pipeline}: waits (${e.reason})`);
    case "end":
      return `${e.status === "succeeded" ? color.green("✔") : color.red("✘")} tick ${e.dueAt} of ${e.pipeline}: run ${e.runId.slice(0, 8)} ${e.status}${e.error ? color.red(` — ${e.error}`) : ""}`;
    case "taken":
      return color.dim(`tick ${e.dueAt} of ${e.pipeline}: already claimed by another scheduler`);
    case "error":
      return color.red(`scheduler pass failed, trying again after the next sleep: ${e.error}`);
    case "sla_missed":
      return color.red(`SLA missed: ${e.message}`);
    case "passed_over":
      return color.dim(`${e.pipeline}: ${e.count} missed tick(s) passed over (catchup: false), running ${e.firing}`);
  }
}

export async function schedulerCommand(dir: string, opts: SchedulerCommandOptions): Promise<number> {
  const project = loadProject(dir);
  const log = (s: string) => !opts.json && process.stderr.write(`${color.dim(new Date().toISOString().slice(11, 19))} ${s}\n`);
  const ps = await openProjectScheduler(project, { onEvent: (e) => log(describeEvent(e)) });
  try {
    if (ps.triggers === 0) {
      throw new ConfigError(`project ${project.config.name} has no schedule and no asset trigger`, {
        hint: 'add schedule: "0 */6 * * *" (and timezone:, catchup:) to millrace.yaml, or pipelines: { NAME: { tasks: [...], schedule: ... } }',
      });
    }
    const scheduler = ps.scheduler;
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
    log(`scheduler for ${project.config.name}: ${ps.describe()}; next tick at ${scheduler.nextDue()?.toISOString() ?? "never"}; Ctrl-C stops (after the current run)`);
    await scheduler.run(stop.signal);
    return 0;
  } finally {
    await ps.close();
  }
}

/**
 * The project's scheduler in the background of another command (`millrace up`): null when the project has no schedule
 * and no asset trigger; its events go to stderr unless `quiet`. `stop` lets a run in progress finish.
 */
export async function startBackgroundScheduler(dir: string, quiet: boolean): Promise<{ stop(): Promise<void> } | null> {
  const log = (s: string) => !quiet && process.stderr.write(`${color.dim("scheduler")} ${s}\n`);
  const ps = await openProjectScheduler(loadProject(dir), { onEvent: (e) => log(describeEvent(e)) });
  if (ps.triggers === 0) {
    await ps.close();
    return null;
  }
  log(`${ps.describe()}; next tick at ${ps.scheduler.nextDue()?.toISOString() ?? "never"}`);
  const ctl = new AbortController();
  const running = ps.scheduler.run(ctl.signal);
  return {
    async stop() {
      ctl.abort();
      await running;
      await ps.close();
    },
  };
}

/** Registers `scheduler` and, with it, `pipeline runs` (the list of what the scheduler and others started). */
export function schedulerCommands(program: Command, action: ActionWrapper): void {
  pipelineCommands(program, action);
  program
    .command("scheduler")
    .argument("[project]", "project folder", ".")
    .description("run the pipelines on their schedules and asset triggers (millrace.yaml schedule:, pipelines:), in the foreground; ticks and claims are kept in the metadata store")
    .option("--once", "fire the ticks due now, wait for their runs, and exit (1 when a run failed)")
    .option("--json", "with --once: print the fired ticks as JSON")
    .action(action((dir: string, opts: SchedulerCommandOptions) => schedulerCommand(dir, opts)));
}
