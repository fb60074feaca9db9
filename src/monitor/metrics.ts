// Monitoring metrics (drift, live metrics and decay, alerts, pipeline runs, data quality); names match the Grafana dashboard.
import { Counter, Gauge, Histogram, type Metric, type Registry } from "prom-client";
import type { DriftReport } from "./drift-report.js";

function once<M extends Metric<string>>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export function monitorMetrics(registry: Registry) {
  const r = [registry];
  return {
    driftScore: once(registry, "millrace_drift_score", () =>
      new Gauge({ name: "millrace_drift_score", aggregator: "max", help: "Drift score per column (p-value for KS/chi-square/z, distance for Wasserstein/JS/PSI)", labelNames: ["model", "version", "column", "method"], registers: r }),
    ),
    driftDetected: once(registry, "millrace_drift_detected", () =>
      new Gauge({ name: "millrace_drift_detected", aggregator: "max", help: "1 when the column drifted at its threshold", labelNames: ["model", "version", "column"], registers: r }),
    ),
    psi: once(registry, "millrace_drift_psi", () => new Gauge({ name: "millrace_drift_psi", aggregator: "max", help: "Population stability index per column", labelNames: ["model", "version", "column"], registers: r })),
    driftShare: once(registry, "millrace_drift_share", () =>
      new Gauge({ name: "millrace_drift_share", aggregator: "max", help: "Share of columns that drifted", labelNames: ["model", "version"], registers: r }),
    ),
    datasetDrift: once(registry, "millrace_dataset_drift", () =>
      new Gauge({ name: "millrace_dataset_drift", aggregator: "max", help: "1 when the share of drifted columns reached the dataset threshold", labelNames: ["model", "version"], registers: r }),
    ),
    liveMetric: once(registry, "millrace_live_metric", () =>
      new Gauge({ name: "millrace_live_metric", aggregator: "max", help: "Model metric over the latest labelled predictions (POST /feedback)", labelNames: ["model", "version", "metric"], registers: r }),
    ),
    decay: once(registry, "millrace_metric_decay", () =>
      new Gauge({ name: "millrace_metric_decay", aggregator: "max", help: "How much worse the live metric is than at training (positive = worse)", labelNames: ["model", "version", "metric"], registers: r }),
    ),
    feedback: once(registry, "millrace_feedback_total", () =>
      new Counter({ name: "millrace_feedback_total", help: "Labels received, by outcome (joined | unknown_id | invalid)", labelNames: ["outcome"], registers: r }),
    ),
    alerts: once(registry, "millrace_alerts_total", () =>
      new Counter({ name: "millrace_alerts_total", help: "Alerts fired, by rule and kind", labelNames: ["rule", "kind", "model"], registers: r }),
    ),
    webhookFailures: once(registry, "millrace_alert_webhook_failures_total", () =>
      new Counter({ name: "millrace_alert_webhook_failures_total", help: "Alert webhooks that could not be delivered", labelNames: ["rule"], registers: r }),
    ),
    pipelineRuns: once(registry, "millrace_pipeline_runs_total", () =>
      new Counter({ name: "millrace_pipeline_runs_total", help: "Pipeline runs by pipeline and final status", labelNames: ["pipeline", "status"], registers: r }),
    ),
    pipelineDuration: once(registry, "millrace_pipeline_run_duration_seconds", () =>
      new Histogram({ name: "millrace_pipeline_run_duration_seconds", help: "Pipeline run durations", labelNames: ["pipeline"], buckets: [1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600], registers: r }),
    ),
    qualityChecks: once(registry, "millrace_quality_checks_total", () =>
      new Counter({ name: "millrace_quality_checks_total", help: "Data-quality checks by table and outcome (pass | fail)", labelNames: ["table", "outcome"], registers: r }),
    ),
    qualityPassRate: once(registry, "millrace_quality_pass_ratio", () =>
      new Gauge({ name: "millrace_quality_pass_ratio", aggregator: "max", help: "Share of data-quality checks that passed in the latest run, per table", labelNames: ["table"], registers: r }),
    ),
  };
}

export type MonitorMetrics = ReturnType<typeof monitorMetrics>;

/** Sets the drift gauges of one model version from a report. */
export function publishDrift(registry: Registry, model: string, version: number, report: DriftReport): void {
  const m = monitorMetrics(registry);
  const v = String(version);
  for (const c of report.columns) {
    if (c.score !== null) m.driftScore.labels(model, v, c.column, c.method).set(c.score);
    m.driftDetected.labels(model, v, c.column).set(c.drifted ? 1 : 0);
    if (c.psi !== null) m.psi.labels(model, v, c.column).set(c.psi);
  }
  m.driftShare.labels(model, v).set(report.driftShare);
  m.datasetDrift.labels(model, v).set(report.datasetDrift ? 1 : 0);
}

/** Records one finished pipeline run (called by the flow runner). */
export function recordPipelineRun(registry: Registry, pipeline: string, status: "finished" | "failed" | string, seconds: number): void {
  const m = monitorMetrics(registry);
  m.pipelineRuns.labels(pipeline, status).inc();
  m.pipelineDuration.labels(pipeline).observe(seconds);
}

/** Records the outcome of one table's data-quality checks (called after the checks of a run). */
export function recordQuality(registry: Registry, table: string, passed: number, failed: number): void {
  const m = monitorMetrics(registry);
  m.qualityChecks.labels(table, "pass").inc(passed);
  m.qualityChecks.labels(table, "fail").inc(failed);
  m.qualityPassRate.labels(table).set(passed + failed === 0 ? 1 : passed / (passed + failed));
}
