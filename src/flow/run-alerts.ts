// Alerts on pipeline runs (pipeline_alerts: in millrace.yaml): a failed run, a task cancelled at its timeout, an
// error-severity data check that failed, sent through the monitor's alert actions (webhook, log, metric).
import type { Registry } from "prom-client";
import { ConfigError } from "../errors.js";
import { sendAlert } from "../monitor/alerts.js";
import type { PipelineAlertRule } from "../project/config-pipelines.js";
import type { PipelineSummary } from "./summary.js";

export interface PipelineAlert {
  rule: string;
  kind: PipelineAlertRule["on"];
  /** The pipeline's name (the alert metric's `model` label). */
  model: string;
  pipeline: string;
  runId: string;
  project: string;
  /** The task or the table the alert is about, when there is one. */
  subject?: string;
  message: string;
  at: string;
}

/** The alerts a finished run raises under `rules` (nothing for a succeeded or cancelled run without failed checks). */
export function pipelineAlerts(summary: PipelineSummary, rules: readonly PipelineAlertRule[], at = new Date()): PipelineAlert[] {
  const pipeline = summary.pipeline ?? "default";
  const out: PipelineAlert[] = [];
  const base = (rule: PipelineAlertRule) => ({ rule: rule.name, kind: rule.on, model: pipeline, pipeline, runId: summary.pipelineRunId, project: summary.project, at: at.toISOString() });
  for (const rule of rules) {
    if (rule.pipelines && !rule.pipelines.includes(pipeline)) continue;
    if (rule.on === "run_failed" && summary.status === "failed") {
      const f = summary.failure;
      out.push({ ...base(rule), ...(f ? { subject: f.task } : {}), message: `${summary.project} pipeline ${pipeline} run ${summary.pipelineRunId.slice(0, 8)} failed${f ? ` at ${f.task}: ${f.message}` : ""}` });
    }
    if (rule.on === "task_timed_out") {
      for (const [task, t] of Object.entries(summary.tasks)) {
        if (t.state === "timed_out") out.push({ ...base(rule), subject: task, message: `${summary.project} pipeline ${pipeline}: task ${task} timed out and was cancelled (run ${summary.pipelineRunId.slice(0, 8)})` });
      }
    }
    if (rule.on === "check_failed") {
      for (const c of summary.checks) {
        const failed = c.results.filter((x) => !x.passed && x.severity === "error");
        if (failed.length === 0) continue;
        out.push({
          ...base(rule),
          subject: `${c.table.table}@${c.table.version}`,
          message: `${summary.project} pipeline ${pipeline}: ${failed.length} error check(s) failed on ${c.table.table}@${c.table.version}: ${failed.map((x) => `${x.column} ${x.rule} (${x.failing} rows)`).join(", ")}`,
        });
      }
    }
  }
  return out;
}

/** Checks the rules can act (a webhook action has a URL) before any run depends on them. */
export function checkAlertRules(rules: readonly PipelineAlertRule[]): void {
  for (const [i, r] of rules.entries()) {
    if (r.actions.includes("webhook") && !r.webhook) throw new ConfigError(`pipeline alert ${r.name} has a webhook action but no webhook URL`, { path: `pipeline_alerts[${i}].webhook` });
  }
}

/** Sends the alerts of a finished run; failures of a sink are logged, never thrown (the run's outcome stands). */
export async function raisePipelineAlerts(
  summary: PipelineSummary, rules: readonly PipelineAlertRule[], opts: { registry?: Registry; fetch?: typeof fetch; log?: (a: PipelineAlert) => void } = {},
): Promise<PipelineAlert[]> {
  const alerts = pipelineAlerts(summary, rules);
  for (const alert of alerts) await sendAlert(rules.find((r) => r.name === alert.rule)!, alert, opts);
  return alerts;
}
