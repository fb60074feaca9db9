// millrace.yaml keys of orchestration: the schedule, retries and timeouts of the default pipeline, named pipelines
// (each a selection of the project's tasks with its own trigger, partitions and limits), pools, and alerts on
// pipeline failures. Spread into the project schema by config.ts.
import { Cron } from "croner";
import { z } from "zod";
import { parseDuration } from "../lake/sources/duration.js";

/** A duration: seconds as a number, or "90s", "15m", "1h", "2d"; read as milliseconds. */
export const durationSchema = z
  .union([z.number().positive(), z.string().min(1)])
  .superRefine((v, ctx) => {
    if (typeof v === "string") {
      try {
        parseDuration(v, "duration");
      } catch {
        ctx.addIssue({ code: "custom", message: `"${v}" is not a duration: write seconds as a number, or a number and a unit (s, m, h, d, w), e.g. "30s"` });
      }
    }
  })
  .transform((v) => (typeof v === "number" ? v * 1000 : parseDuration(v, "duration")));

/** Retries, backoff and timeout of one task (or every task a glob names). */
export const taskControlSchema = z.strictObject({
  retries: z.number().int().min(0).max(100).optional().describe("Extra attempts after a failure or a timeout."),
  retry_delay: durationSchema.optional().describe("Wait before the first retry (seconds or \"30s\", \"5m\"); each further retry waits twice as long."),
  timeout: durationSchema.optional().describe("An attempt running longer is cancelled and recorded timed_out (seconds or \"2h\")."),
});

const validTimezone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** The cron expression's problem, or null when croner reads it. */
function cronProblem(expr: string): string | null {
  try {
    new Cron(expr, { paused: true, timezone: "UTC" });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

const cronSchema = z.string().superRefine((v, ctx) => {
  const problem = cronProblem(v);
  if (problem) ctx.addIssue({ code: "custom", message: `"${v}" is not a cron expression (${problem}); e.g. "0 */6 * * *" is every 6 hours` });
});
const timezoneSchema = z.string().refine(validTimezone, "not a time zone: use an IANA name such as Europe/Paris or UTC");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD");

const partitionsSchema = z.strictObject({
  granularity: z.enum(["day", "month"]).describe("One partition per calendar day or month (UTC)."),
  start: isoDate.describe("The first partition (YYYY-MM-DD); a backfill's --from may not be earlier."),
  file_date: z
    .string()
    .default("(\\d{4}-\\d{2}-\\d{2})")
    .describe("Regular expression whose first group reads a landing file's date (YYYY-MM-DD or YYYY-MM) from its name: a partition's run ingests only the files of its date."),
});

const slaDeadlineSchema = z.strictObject({
  deadline: cronSchema.describe("Cron of the deadlines, e.g. \"0 9 * * *\": by each, the pipeline must have succeeded since the one before."),
  timezone: timezoneSchema.optional().describe("Time zone of the deadline cron (default: the pipeline's)."),
});
type Sla = number | z.infer<typeof slaDeadlineSchema>;

/**
 * A pipeline's SLA: each run must succeed within a duration of its start (its tick's due time), or by a deadline
 * cron. Read by shape (an object is a deadline), so a bad value gets the message of the form it was meant as.
 */
export const slaSchema = z
  .union([z.number(), z.string(), z.record(z.string(), z.unknown())])
  .transform((v, ctx): Sla => {
    const parsed = typeof v === "object" ? slaDeadlineSchema.safeParse(v) : durationSchema.safeParse(v);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
    return z.NEVER;
  })
  .describe("Service level: \"2h\" (each run, from its scheduled time or start, succeeds within 2 hours) or { deadline: \"0 9 * * *\", timezone }; a miss raises sla_missed alerts (pipeline_alerts).");

const pipelineSchema = z.strictObject({
  tasks: z
    .array(z.string().min(1))
    .min(1)
    .describe("What the pipeline runs: task kinds (ingest, transform, dataset, train, register, deploy), task ids (\"transform:gold.churn_training\") or globs (\"transform:silver.*\"). A task it depends on but does not run is read as the table's current version."),
  schedule: cronSchema.optional().describe("Cron schedule of this pipeline, e.g. \"0 */6 * * *\"."),
  timezone: timezoneSchema.optional().describe("Time zone of this pipeline's schedule (default: the top-level timezone)."),
  catchup: z.boolean().optional().describe("Run every missed tick after downtime (default: the top-level catchup)."),
  on: z
    .strictObject({
      assets: z
        .array(z.string().min(1))
        .min(1)
        .optional()
        .describe("Tables (\"gold.churn_training\") or model aliases (\"model:churn@production\"): each new version starts one run (the cascade)."),
      alerts: z
        .array(z.string().min(1))
        .min(1)
        .optional()
        .describe("Monitor alerts that start this pipeline (retraining, recorded with trigger alert) when they fire while serving: rule names of monitor.alerts, or kinds (drift, decay, error_rate, latency) for every rule of that kind. Such a rule needs no retrain action; a rule's retrain action that no pipeline claims runs the whole DAG (a project without pipelines:)."),
    })
    .refine((o) => o.assets !== undefined || o.alerts !== undefined, "name assets or alerts")
    .optional()
    .describe("Triggers: run when another pipeline updates an asset, or when a monitor alert fires."),
  retries: z.number().int().min(0).max(100).optional().describe("Extra attempts of each task of this pipeline (default: the top-level retries)."),
  retry_delay: durationSchema.optional().describe("Wait before a task's first retry in this pipeline; doubling after."),
  timeout: durationSchema.optional().describe("Any task attempt of this pipeline running longer is cancelled and recorded timed_out."),
  task_settings: z
    .record(z.string(), taskControlSchema)
    .optional()
    .describe("Per task of this pipeline: task id or glob → { retries, retry_delay, timeout }; applied after the top-level task_settings."),
  max_active_runs: z.number().int().min(1).default(1).describe("Most runs of this pipeline at once; a trigger beyond it waits (the scheduler) or is refused (by hand)."),
  pool: z.string().optional().describe("A pool (pools:) whose slots this pipeline's runs take, e.g. at most one training across pipelines."),
  partitions: partitionsSchema.optional().describe("Daily or monthly partitions: a run per partition; `millrace pipeline backfill NAME --from --to` runs the missing or failed ones."),
  sla: slaSchema.optional(),
  partition_by: z
    .strictObject({
      column: z.string().min(1).describe("The date or timestamp column whose day (month) is a row's partition, e.g. event_date."),
      granularity: z.enum(["day", "month"]).default("day").describe("One partition per calendar day or month (UTC)."),
      start: isoDate.describe("The first partition (YYYY-MM-DD); a backfill's --from may not be earlier."),
    })
    .optional()
    .describe("Partitions by column: a partition's run (`pipeline trigger NAME --partition D`, a backfill) replaces only that partition's rows of each SQL table model with the column, as one new table version; with partitions: too, it also ingests only that date's files."),
});

const pipelineAlertSchema = z.strictObject({
  name: z.string().min(1).describe("Rule name, kept on each alert."),
  on: z
    .enum(["run_failed", "task_timed_out", "check_failed", "sla_missed"])
    .describe("run_failed: a pipeline run failed (retries exhausted); task_timed_out: a task was cancelled at its timeout; check_failed: an error-severity data check failed; sla_missed: a pipeline had not succeeded by its SLA (sla:), raised by the scheduler."),
  pipelines: z.array(z.string()).optional().describe("Only runs of these pipelines (default: every pipeline)."),
  actions: z.array(z.enum(["webhook", "log", "metric"])).min(1).describe("Sinks: webhook (POST JSON), log (stderr), metric (millrace_alerts_total)."),
  webhook: z.string().url().optional().describe("URL the webhook action posts to."),
});

const deploymentSchema = z.strictObject({
  url: z.string().min(1).describe("Base URL of the deployed server the deploy task smoke-tests (${ENV} expanded), e.g. http://churn.internal:8080."),
  token_env: z.string().optional().describe("Environment variable holding the server's API token, when it asks for one."),
  smoke_timeout: durationSchema.default(60).describe("How long the smoke test waits for the server to be ready (a scaled-to-zero service starts on the first request)."),
  kubernetes: z
    .strictObject({
      out: z.string().min(1).describe("Folder (relative to the project) the deploy task renders the version's Kubernetes and KServe manifests into, as `millrace deploy k8s --out` does; re-rendered after a roll back."),
      mode: z.enum(["baked", "registry"]).default("baked").describe("baked: the image tag follows the version (a roll back changes the image); registry: the pods fetch the alias's version at start."),
      image: z.string().optional().describe("Image reference; default <project>-serve:v<version> (baked) as `millrace deploy image` tags it."),
      namespace: z.string().optional().describe("Namespace written into the manifests."),
      apply: z.boolean().default(false).describe("Run `kubectl apply -k <out>` after rendering (and after a roll back); needs kubectl on PATH and a kube context."),
      context: z.string().optional().describe("kubectl context to apply with (default: kubectl's current context)."),
    })
    .optional()
    .describe("Render (and optionally apply) the Kubernetes manifests of the version being deployed before the smoke test."),
});

/** Spread into the project schema: the orchestration keys at the top level of millrace.yaml. */
export const orchestrationKeys = {
  schedule: cronSchema
    .optional()
    .describe("Run the pipeline on this cron schedule (5 fields, or 6 with seconds first), e.g. \"0 */6 * * *\"; `millrace scheduler` fires it."),
  timezone: timezoneSchema.default("UTC").describe("Time zone the schedule is read in (IANA name)."),
  catchup: z.boolean().default(false).describe("After the scheduler was down: false runs only the latest missed tick; true runs every missed tick, oldest first."),
  sla: slaSchema.optional(),
  retries: z.number().int().min(0).max(100).default(0).describe("Extra attempts of every pipeline task after a failure or a timeout (task_settings overrides per task)."),
  retry_delay: durationSchema.optional().describe("Wait before a task's first retry (seconds or \"30s\", \"5m\"); each further retry waits twice as long."),
  timeout: durationSchema.optional().describe("Any task attempt running longer is cancelled and recorded timed_out (seconds or \"2h\"); default none."),
  task_settings: z
    .record(z.string(), taskControlSchema)
    .default({})
    .describe("Per task: task id or glob → { retries, retry_delay, timeout }, e.g. \"train:*\": { timeout: 2h }; ids as `millrace run` prints them. The last matching entry wins, key by key."),
  pipelines: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a pipeline name: letters, digits, _ and -"), pipelineSchema)
    .optional()
    .describe("Named pipelines (e.g. data, training, deployment), each a selection of the project's tasks with its own schedule, asset trigger (on: { assets: [gold.churn_training] }) or alert trigger (on: { alerts: [drift, decay] }: the monitor alerts, by rule name or kind, that start it while serving, recorded with trigger alert); without it the whole DAG is one pipeline, \"default\"."),
  pools: z
    .record(z.string(), z.number().int().min(1))
    .default({})
    .describe("Pools: name → slots. Runs of pipelines naming a pool take a slot each, e.g. training: 1 keeps one training at a time across pipelines."),
  deployment: deploymentSchema
    .optional()
    .describe("Where the deploy task (a pipeline with tasks: [deploy]) smoke-tests the served version; it rolls the alias back when the test fails."),
  pipeline_alerts: z.array(pipelineAlertSchema).default([]).describe("Alerts on pipeline runs: a failed run, a timed-out task, a failed data check, to webhook/log/metric."),
};

export type PipelineConfig = z.output<typeof pipelineSchema>;
export type PipelineAlertRule = z.output<typeof pipelineAlertSchema>;

export const ALERT_KINDS = ["drift", "decay", "error_rate", "latency"] as const;

interface AlertTriggerConfig {
  pipelines?: Record<string, { on?: { alerts?: string[] } }>;
  monitor: { alerts: { name: string; on: string; actions: string[] }[] };
}

/** The named pipeline an alert starts (`on: { alerts }` naming its rule first, then its kind), or undefined. */
export function alertPipeline(cfg: Pick<AlertTriggerConfig, "pipelines">, alert: { rule: string; kind: string }): string | undefined {
  const claims = Object.entries(cfg.pipelines ?? {}).map(([name, p]) => ({ name, alerts: p.on?.alerts ?? [] }));
  return claims.find((c) => c.alerts.includes(alert.rule))?.name ?? claims.find((c) => c.alerts.includes(alert.kind))?.name;
}

/**
 * Config problems of alert triggers, with their paths: an entry that is neither a rule of monitor.alerts nor a
 * kind, one claimed by two pipelines, and (with pipelines: declared) a retrain action no pipeline claims.
 */
export function alertTriggerProblems(cfg: AlertTriggerConfig): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const rules = cfg.monitor.alerts.map((a) => a.name);
  const claimedBy = new Map<string, string>();
  for (const [name, p] of Object.entries(cfg.pipelines ?? {})) {
    (p.on?.alerts ?? []).forEach((entry, i) => {
      const path = ["pipelines", name, "on", "alerts", i];
      if (!rules.includes(entry) && !(ALERT_KINDS as readonly string[]).includes(entry)) {
        out.push({ path, message: `${entry} is neither an alert rule of monitor.alerts (${rules.join(", ") || "none declared"}) nor an alert kind (${ALERT_KINDS.join(", ")})` });
      }
      const other = claimedBy.get(entry);
      if (other) out.push({ path, message: `alert ${entry} already starts pipeline ${other}: name it in one pipeline only` });
      claimedBy.set(entry, name);
    });
  }
  if (cfg.pipelines && Object.keys(cfg.pipelines).length > 0) {
    cfg.monitor.alerts.forEach((a, i) => {
      if (a.actions.includes("retrain") && !alertPipeline(cfg, { rule: a.name, kind: a.on })) {
        out.push({ path: ["monitor", "alerts", i, "actions"], message: `alert ${a.name} retrains, but no pipeline names it: add on: { alerts: [${a.name}] } to the pipeline it should run (this project has no whole-DAG pipeline)` });
      }
    });
  }
  return out;
}
