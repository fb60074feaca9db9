// `millrace pipeline trigger|cancel|retry|logs|backfill|list`: run control from the command line (the HTTP routes and
// the dashboard call the same operations in flow/run-control.ts).
import type { Command } from "commander";
import { Option } from "commander";
import { backfill } from "../../flow/backfill.js";
import { runPipeline } from "../../flow/pipeline.js";
import { pipelinesOf } from "../../flow/pipelines.js";
import { cancelRun, retryTarget, runLogs } from "../../flow/run-control.js";
import { withResources } from "../../flow/resources.js";
import { loadProject } from "../../project/load-project.js";
import { openMetadataStore } from "../../store/open-metadata-store.js";
import { color, printJson, table } from "../output.js";
import { taskReporter } from "../progress.js";
import type { ActionWrapper } from "./action.js";
import { printSummary } from "./run.js";

interface TriggerOptions {
  project: string;
  json?: boolean;
  quiet?: boolean;
  retrain?: boolean;
  runId?: string;
  partition?: string;
  trigger: "manual" | "backfill" | "alert";
}

export async function triggerCommand(name: string, opts: TriggerOptions): Promise<number> {
  const project = loadProject(opts.project);
  const reporter = taskReporter({ quiet: opts.json === true || opts.quiet === true });
  const stop = new AbortController();
  const onSignal = () => stop.abort("interrupted (Ctrl-C)");
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const summary = await withResources(project, (r) =>
      runPipeline(r, {
        pipeline: name, trigger: opts.trigger, retrain: opts.retrain === true, signal: stop.signal, onEvent: reporter.onEvent,
        ...(opts.runId ? { runId: opts.runId } : {}), ...(opts.partition ? { partition: opts.partition } : {}),
      }),
    );
    reporter.stop();
    if (opts.json) printJson(summary);
    else if (!opts.quiet) printSummary(summary);
    return summary.status === "succeeded" ? 0 : 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function withMeta<T>(dir: string, body: (meta: Awaited<ReturnType<typeof openMetadataStore>>, stateDir: string) => Promise<T>): Promise<T> {
  const project = loadProject(dir);
  const meta = await openMetadataStore(project.paths.metadata);
  try {
    return await body(meta, project.paths.state);
  } finally {
    await meta.close();
  }
}

export async function backfillCommand(name: string, opts: { project: string; from: string; to: string; json?: boolean }): Promise<number> {
  const project = loadProject(opts.project);
  const stop = new AbortController();
  const onSignal = () => stop.abort("interrupted (Ctrl-C)");
  process.once("SIGINT", onSignal);
  try {
    const out = await withResources(project, (r) =>
      backfill(r, name, { from: opts.from, to: opts.to }, {
        signal: stop.signal,
        onPartition: (p) =>
          !opts.json && process.stderr.write(`${p.status === "succeeded" ? color.green("✔") : p.status === "skipped" ? color.dim("·") : color.red("✘")} ${p.partition} ${p.status}${p.runId ? color.dim(` run ${p.runId.slice(0, 8)}`) : ""}${p.reason ? ` — ${p.reason}` : ""}\n`),
      }),
    );
    const count = (s: string) => out.partitions.filter((p) => p.status === s).length;
    if (opts.json) printJson(out);
    else console.log(`${out.pipeline}: ${count("succeeded")} partition(s) run, ${count("skipped")} skipped (done or running elsewhere), ${count("failed") + count("cancelled")} failed or cancelled`);
    return out.partitions.some((p) => p.status === "failed" || p.status === "cancelled") ? 1 : 0;
  } finally {
    process.off("SIGINT", onSignal);
  }
}

export function pipelineControlCommands(pipeline: Command, program: Command, action: ActionWrapper): void {
  for (const cmd of [pipeline.command("backfill"), program.command("backfill")]) {
    cmd
      .argument("<name>", "a pipeline with partitions: (millrace pipeline list)")
      .requiredOption("--from <date>", "first partition, YYYY-MM-DD (or YYYY-MM for monthly)")
      .requiredOption("--to <date>", "last partition, inclusive")
      .description("run each partition from --from to --to that has not succeeded, once, oldest first; resumable and idempotent")
      .option("-p, --project <dir>", "project folder", ".")
      .option("--json", "print each partition's outcome as JSON")
      .action(action((name: string, opts: { project: string; from: string; to: string; json?: boolean }) => backfillCommand(name, opts)));
  }
  pipeline
    .command("list")
    .description("the project's pipelines: tasks, schedule, asset and alert triggers, limits")
    .option("-p, --project <dir>", "project folder", ".")
    .option("--json", "print as JSON")
    .action(
      action(async (opts: { project: string; json?: boolean }) => {
        const project = loadProject(opts.project);
        const defs = pipelinesOf(project.config).map((p) => ({
          name: p.name, tasks: p.tasks ?? ["*"], schedule: p.schedule ?? null, assets: p.assets, alerts: p.alerts, maxActiveRuns: p.maxActiveRuns, pool: p.pool ?? null,
          partitions: p.partitions ? { granularity: p.partitions.granularity, start: p.partitions.start } : null,
        }));
        if (opts.json) printJson(defs);
        else console.log(table(["pipeline", "tasks", "schedule", "on new", "on alert", "max active", "pool"], defs.map((d) => [d.name, d.tasks.join(" "), d.schedule ?? "", d.assets.join(" "), d.alerts.join(" "), d.maxActiveRuns, d.pool ?? ""])));
        return 0;
      }),
    );
  pipeline
    .command("trigger")
    .argument("[name]", "pipeline name (millrace pipeline list)", "default")
    .description("run a pipeline now, in the foreground (Ctrl-C cancels it: running tasks stop, the rest are skipped)")
    .option("-p, --project <dir>", "project folder", ".")
    .option("--partition <key>", "the partition to build (a pipeline with partitions:), e.g. 2026-01-31")
    .option("--retrain", "train even if the dataset is unchanged")
    .option("--run-id <id>", "record the run under this id (the HTTP trigger passes one)")
    .addOption(new Option("--trigger <kind>", "what started it, as recorded").choices(["manual", "backfill", "alert"]).default("manual"))
    .option("-q, --quiet", "print nothing but errors")
    .option("--json", "print the summary as JSON")
    .action(action((name: string, opts: TriggerOptions) => triggerCommand(name, opts)));
  pipeline
    .command("retry")
    .argument("<run>", "a failed or cancelled pipeline run id (a prefix is enough)")
    .description("run a failed or cancelled run's pipeline (and partition) again: tasks it finished are skipped as up to date, the rest run")
    .option("-p, --project <dir>", "project folder", ".")
    .option("--json", "print the new run's summary as JSON")
    .option("-q, --quiet", "no progress, no summary")
    .action(
      action(async (id: string, opts: { project: string; json?: boolean; quiet?: boolean }) => {
        const target = await withMeta(opts.project, (meta) => retryTarget(meta, id));
        if (!opts.json && !opts.quiet) process.stderr.write(`retrying run ${target.retryOf.slice(0, 8)}: pipeline ${target.pipeline}${target.partition ? `, partition ${target.partition}` : ""}\n`);
        return triggerCommand(target.pipeline, { ...opts, trigger: "manual", ...(target.partition ? { partition: target.partition } : {}) });
      }),
    );
  pipeline
    .command("cancel")
    .argument("<run>", "pipeline run id (a prefix is enough)")
    .description("ask a running pipeline run to stop: its running tasks are aborted within about a second, the rest skipped")
    .option("-p, --project <dir>", "project folder", ".")
    .option("--json", "print as JSON")
    .action(
      action((id: string, opts: { project: string; json?: boolean }) =>
        withMeta(opts.project, async (meta, stateDir) => {
          const out = await cancelRun(meta, id, stateDir);
          if (opts.json) printJson(out);
          else console.log(out.requested ? `cancel requested for run ${out.runId.slice(0, 8)}` : color.yellow(`run ${out.runId.slice(0, 8)} is not running (${out.status}): nothing to cancel`));
          return out.requested ? 0 : 1;
        }),
      ),
    );
  const logs = (id: string, task: string | undefined, opts: { project: string; json?: boolean }) =>
    withMeta(opts.project, async (meta) => {
      const out = await runLogs(meta, id, task);
      if (opts.json) printJson(out);
      else {
        for (const l of out.lines) console.log(`${color.dim(l.at.slice(11, 23))} ${l.taskId.padEnd(28)} ${l.line}`);
        if (out.lines.length === 0) console.log(color.dim(`no log lines${task ? ` for task ${task}` : ""} in run ${out.runId.slice(0, 8)} (${out.status})`));
      }
      return 0;
    });
  for (const cmd of [pipeline.command("logs"), program.command("logs")]) {
    cmd
      .argument("<run>", "pipeline run id (a prefix is enough)")
      .argument("[task]", "only this task, e.g. train:gbdt")
      .description("a pipeline run's task logs: attempts, progress, retries, notes and errors, in order")
      .option("-p, --project <dir>", "project folder", ".")
      .option("--json", "print as JSON")
      .action(action(logs));
  }
}
