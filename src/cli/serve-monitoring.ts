// What a serving process watches besides requests: drift of the served versions against their training rows,
// decay from posted labels, error rate and latency, pipeline and data-quality outcomes — fed to the alert rules,
// whose retrain action runs the pipeline (and its gate) in a child process.
import { driftOptionsOf, referencesOf } from "../app/drift.js";
import { describeError } from "../errors.js";
import { alertActions, alertPipeline, runForAlert } from "../flow/alert-pipelines.js";
import type { PipelineSummary } from "../flow/summary.js";
import { expandEnv } from "../flow/steps/tables.js";
import { AlertManager, type Alert, type AlertRule } from "../monitor/alerts.js";
import { compactInWorker } from "../monitor/compact-worker.js";
import { DriftMonitor, type DriftTarget } from "../monitor/drift-monitor.js";
import { recordPipelineRun, recordQuality } from "../monitor/metrics.js";
import type { Project } from "../project/load-project.js";
import type { ServeProcess } from "./serve-process.js";

export interface Monitoring {
  /** One pass now (tests and `kill -USR2`); resolves with the alerts that fired. */
  checkNow(): Promise<Alert[]>;
  /** The retraining run in progress, if any. */
  retraining(): Promise<PipelineSummary | null> | null;
  stop(): void;
}

export function startServeMonitoring(project: Project, sp: ServeProcess, log: (line: string) => void): Monitoring {
  const cfg = project.config;
  const references = new Map<number, DriftTarget>();
  const loading = new Set<number>();
  const served = () => [sp.primary.current(), sp.canary?.current() ?? null].filter((s) => s !== null);

  // Training rows are read from the lake once per served version, the first time it is checked.
  const loadReference = (version: number) => {
    // A recommender has no feature table to drift: its served lists are watched by monitor/served-lists.ts.
    if (references.has(version) || loading.has(version) || cfg.dataset.task === "recommendation") return;
    loading.add(version);
    // The process's workspace and reference cache: the dashboard's drift page reads the same training rows.
    void (async () => {
      const mv = await sp.resources.registry.get(cfg.registry.model, version);
      const { reference } = await referencesOf(sp.workspace)(mv.datasetId);
      references.set(version, { model: mv.name, version, reference, signature: mv.signature });
    })()
      .catch((e: unknown) => log(`drift reference of v${version} could not be loaded: ${describeError(e)}`))
      .finally(() => loading.delete(version));
  };

  let retrainRun: Promise<PipelineSummary | null> | null = null;
  const retrain = (alert: Alert) => {
    if (retrainRun) return retrainRun;
    const pipeline = alertPipeline(cfg, alert);
    log(`alert ${alert.rule} → retraining ${cfg.name}${pipeline ? ` (pipeline ${pipeline})` : ""}: ${alert.message}`);
    retrainRun = runForAlert(project, alert)
      .then((s) => {
        const model = s?.model ? `${s.model.name} v${s.model.version} ${s.model.promoted ? "promoted" : `not promoted (${s.model.reason})`}` : s?.training.reason ?? "";
        log(`retraining ${s?.status ?? "failed"}: ${model}`);
        return s;
      })
      .finally(() => (retrainRun = null));
    return retrainRun;
  };

  const rules: AlertRule[] = cfg.monitor.alerts.map((a) => ({
    name: a.name,
    on: a.on,
    actions: alertActions(cfg, a),
    cooldownMs: a.cooldown_s * 1000,
    ...(a.threshold !== undefined ? { threshold: a.threshold } : {}),
    ...(a.metric !== undefined ? { metric: a.metric } : {}),
    ...(a.column !== undefined ? { column: a.column } : {}),
    ...(a.webhook !== undefined ? { webhook: expandEnv(a.webhook) } : {}),
  }));
  const alerts = new AlertManager({ rules, registry: sp.metrics, log: (a) => log(`ALERT ${a.rule}: ${a.message}`), onRetrain: (a) => void retrain(a) });
  const drift = new DriftMonitor({
    root: project.paths.predictions,
    targets: () => served().flatMap((s) => references.get(s.provenance.version) ?? []),
    drift: driftOptionsOf(cfg),
    limit: cfg.monitor.window_rows,
    minRows: cfg.monitor.min_rows,
    registry: sp.metrics,
    alerts,
    onError: (e) => log(`drift check failed: ${describeError(e)}`),
  });

  let pipelineSeen = new Date().toISOString();
  const pass = async (): Promise<Alert[]> => {
    for (const s of served()) loadReference(s.provenance.version);
    // Rotated log files become Parquet parts first (on a worker thread): the drift check then reads columns, not JSON.
    await compactInWorker(project.paths.predictions).catch((e: unknown) => log(`prediction log compaction failed: ${describeError(e)}`));
    const fired = await drift.runOnce();
    for (const s of sp.watch.snapshot().filter((x) => x.requests > 0)) {
      fired.push(...(await alerts.evaluate({ kind: "error_rate", model: s.model, version: s.version, value: s.errorRate })));
      fired.push(...(await alerts.evaluate({ kind: "latency", model: s.model, version: s.version, p99Ms: s.p99Ms })));
    }
    for (const s of served()) {
      const status = sp.feedback.status(s.provenance.model, s.provenance.version);
      if (status.labelled >= cfg.monitor.min_rows) fired.push(...(await alerts.evaluate({ kind: "decay", model: s.provenance.model, version: s.provenance.version, decay: status.decay })));
    }
    // Pipeline runs (from any process) become counters and quality pass rates on this server's /metrics.
    const runs = await sp.resources.meta.listPipelineRuns(cfg.name, 50);
    for (const run of runs.filter((x) => x.endedAt !== null && x.endedAt > pipelineSeen).reverse()) {
      const summary = run.summary as PipelineSummary | null;
      // Labelled by the named pipeline (the project's name for the whole DAG) and the summary's status (cancelled too).
      recordPipelineRun(sp.metrics, summary?.pipeline ?? cfg.name, summary?.status ?? run.status, (summary?.durationMs ?? 0) / 1000);
      for (const c of summary?.checks ?? []) {
        const failed = c.results.filter((x) => !x.passed).length;
        recordQuality(sp.metrics, c.table.table, c.results.length - failed, failed);
      }
      pipelineSeen = run.endedAt!;
    }
    return fired;
  };

  let timer: NodeJS.Timeout | null = null;
  if (cfg.monitor.check_every_s > 0) {
    timer = setInterval(() => void pass().catch((e: unknown) => log(`monitoring pass failed: ${describeError(e)}`)), cfg.monitor.check_every_s * 1000);
    timer.unref();
    // Load the references soon after start, so the first pass has them.
    setTimeout(() => served().forEach((s) => loadReference(s.provenance.version)), 200).unref();
  }
  return {
    checkNow: pass,
    retraining: () => retrainRun,
    stop: () => {
      if (timer) clearInterval(timer);
      drift.stop();
    },
  };
}
