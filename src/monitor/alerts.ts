// Alert rules on drift, decay, error rate and latency → webhook (JSON), log, metric, and an optional retrain trigger.
import type { Registry } from "prom-client";
import { ConfigError } from "../errors.js";
import type { DriftReport } from "./drift-report.js";
import { monitorMetrics } from "./metrics.js";

export type Signal =
  | { kind: "drift"; model: string; version: number; report: DriftReport }
  | { kind: "decay"; model: string; version: number; decay: Record<string, number> }
  | { kind: "error_rate"; model: string; version: number; value: number }
  | { kind: "latency"; model: string; version: number; p99Ms: number };

export type AlertAction = "webhook" | "log" | "metric" | "retrain";

export interface AlertRule {
  name: string;
  on: Signal["kind"];
  /** drift: share of drifted columns (default: the report's own dataset verdict); decay: largest tolerated decay;
   *  error_rate: largest tolerated share; latency: largest tolerated p99 in ms. */
  threshold?: number;
  /** decay: which metric (default: any); drift: one column instead of the dataset verdict. */
  metric?: string;
  column?: string;
  actions: AlertAction[];
  webhook?: string;
  /** Quiet time after a firing, per model version; default 10 minutes. */
  cooldownMs?: number;
}

export interface Alert {
  rule: string;
  kind: Signal["kind"];
  model: string;
  version: number;
  value: number;
  threshold: number;
  message: string;
  at: string;
}

export interface AlertManagerOptions {
  rules: AlertRule[];
  registry?: Registry;
  log?: (alert: Alert) => void;
  /** Starts the retraining pipeline (which goes through the same gate as any training). */
  onRetrain?: (alert: Alert) => Promise<unknown> | unknown;
  /** Injected for tests; the global fetch by default. */
  fetch?: typeof fetch;
  now?: () => number;
}

/** Checks one rule against one signal; null when it does not fire. */
export function evaluateRule(rule: AlertRule, s: Signal): Omit<Alert, "at" | "rule"> | null {
  if (rule.on !== s.kind) return null;
  const base = { kind: s.kind, model: s.model, version: s.version };
  switch (s.kind) {
    case "drift": {
      if (rule.column !== undefined) {
        const c = s.report.columns.find((x) => x.column === rule.column);
        if (!c?.drifted) return null;
        return { ...base, value: c.score ?? NaN, threshold: c.threshold, message: `${s.model}@${s.version}: column ${c.column} drifted (${c.method} ${c.score?.toPrecision(3)} vs ${c.threshold})` };
      }
      const fired = rule.threshold !== undefined ? s.report.driftShare >= rule.threshold : s.report.datasetDrift;
      if (!fired) return null;
      const cols = s.report.columns.filter((c) => c.drifted).map((c) => c.column);
      return { ...base, value: s.report.driftShare, threshold: rule.threshold ?? s.report.datasetShare, message: `${s.model}@${s.version}: ${cols.length}/${s.report.columns.length} columns drifted (${cols.join(", ")})` };
    }
    case "decay": {
      const limit = rule.threshold ?? 0.05;
      const entries = Object.entries(s.decay).filter(([k]) => rule.metric === undefined || k === rule.metric);
      const worst = entries.sort((a, b) => b[1] - a[1])[0];
      if (!worst || !(worst[1] > limit)) return null;
      return { ...base, value: worst[1], threshold: limit, message: `${s.model}@${s.version}: ${worst[0]} decayed by ${worst[1].toPrecision(3)} since training (limit ${limit})` };
    }
    case "error_rate": {
      const limit = rule.threshold ?? 0.01;
      if (!(s.value > limit)) return null;
      return { ...base, value: s.value, threshold: limit, message: `${s.model}@${s.version}: error rate ${(s.value * 100).toFixed(2)}% > ${(limit * 100).toFixed(2)}%` };
    }
    case "latency": {
      const limit = rule.threshold ?? 50;
      if (!(s.p99Ms > limit)) return null;
      return { ...base, value: s.p99Ms, threshold: limit, message: `${s.model}@${s.version}: p99 latency ${s.p99Ms.toFixed(2)} ms > ${limit} ms` };
    }
  }
}

export class AlertManager {
  private readonly lastFired = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: AlertManagerOptions) {
    this.now = opts.now ?? Date.now;
    for (const r of opts.rules) {
      if (r.actions.includes("webhook") && !r.webhook) throw new ConfigError(`alert rule ${r.name} has a webhook action but no webhook URL`, { path: `alerts.${r.name}.webhook` });
      if (r.actions.includes("retrain") && !opts.onRetrain) throw new ConfigError(`alert rule ${r.name} asks to retrain but no retrain pipeline is wired`, { path: `alerts.${r.name}.actions` });
    }
  }

  /** Evaluates every rule on a signal, runs the actions of those that fire (outside their cooldown), returns them. */
  async evaluate(signal: Signal): Promise<Alert[]> {
    const fired: Alert[] = [];
    for (const rule of this.opts.rules) {
      const hit = evaluateRule(rule, signal);
      if (!hit) continue;
      const key = `${rule.name}|${signal.model}@${signal.version}`;
      const last = this.lastFired.get(key);
      if (last !== undefined && this.now() - last < (rule.cooldownMs ?? 600_000)) continue;
      this.lastFired.set(key, this.now());
      const alert: Alert = { ...hit, rule: rule.name, at: new Date(this.now()).toISOString() };
      fired.push(alert);
      await this.act(rule, alert);
    }
    return fired;
  }

  private act(rule: AlertRule, alert: Alert): Promise<void> {
    return sendAlert(rule, alert, this.opts);
  }
}

/**
 * Runs a fired alert's actions: metric (millrace_alerts_total{rule,kind,model}), log, webhook (POST JSON), retrain.
 * Shared by the serving monitor's rules and the pipeline alerts (flow/run-alerts.ts), whose `model` label carries
 * the pipeline's name. One failing action (a webhook down) does not stop the others, nor the caller.
 */
export async function sendAlert<A extends { rule: string; kind: string; model: string; message: string }>(
  rule: Pick<AlertRule, "name" | "webhook"> & { actions: readonly AlertAction[] },
  alert: A,
  opts: { registry?: Registry; log?: (alert: A) => void; fetch?: typeof fetch; onRetrain?: (alert: A) => Promise<unknown> | unknown },
): Promise<void> {
  const metrics = opts.registry ? monitorMetrics(opts.registry) : null;
  for (const action of rule.actions) {
    try {
      if (action === "metric") metrics?.alerts.labels(rule.name, alert.kind, alert.model).inc();
      else if (action === "log") (opts.log ?? ((a: A) => process.stderr.write(`millrace alert ${a.rule}: ${a.message}\n`)))(alert);
      else if (action === "retrain") await opts.onRetrain?.(alert);
      else if (action === "webhook") {
        const res = await (opts.fetch ?? fetch)(rule.webhook!, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ source: "millrace", alert }),
          signal: AbortSignal.timeout(5000),
        });
        if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      }
    } catch (e) {
      if (action === "webhook") metrics?.webhookFailures.labels(rule.name).inc();
      (opts.log ?? (() => undefined))({ ...alert, message: `${alert.message} — ${action} failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
}
