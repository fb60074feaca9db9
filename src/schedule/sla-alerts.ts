// An SLA miss through the pipeline alert rules that ask for it (on: sla_missed): webhook, log, metric sinks.
import type { Registry } from "prom-client";
import type { PipelineAlert } from "../flow/run-alerts.js";
import { sendAlert } from "../monitor/alerts.js";
import type { PipelineAlertRule } from "../project/config-pipelines.js";
import type { SlaMiss } from "./sla.js";

export async function slaAlerts(
  project: string, rules: readonly PipelineAlertRule[], miss: SlaMiss, opts: { registry?: Registry; fetch?: typeof fetch; at?: Date } = {},
): Promise<PipelineAlert[]> {
  const sent: PipelineAlert[] = [];
  for (const rule of rules) {
    if (rule.on !== "sla_missed" || (rule.pipelines && !rule.pipelines.includes(miss.pipeline))) continue;
    const alert: PipelineAlert = {
      rule: rule.name, kind: "sla_missed", model: miss.pipeline, pipeline: miss.pipeline, runId: miss.runId ?? "", project,
      subject: miss.deadline, message: `${project} ${miss.message}`, at: (opts.at ?? new Date()).toISOString(),
    };
    await sendAlert(rule, alert, opts);
    sent.push(alert);
  }
  return sent;
}
