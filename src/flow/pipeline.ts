// Builds the pipeline DAG from a project (sources → SQL models → checks → dataset → candidates → register/gate)
// and runs it, returning the summary. Each stage is a task; the tasks pass typed records downstream.
import { randomUUID } from "node:crypto";
import { ConfigError, isMillraceError, describeError, type MillraceError } from "../errors.js";
import { loadSqlModels, orderSqlModels } from "../lake/sql-models.js";
import type { Project } from "../project/load-project.js";
import type { TableVersion } from "../records.js";
import { runDag, type Task, type TaskEvent } from "./dag.js";
import type { TriggerKind } from "../store/metadata-store.js";
import type { Clock } from "./clock.js";
import { withRunLock } from "./run-lock.js";
import { applyTaskControl } from "./task-control.js";
import { executorOf, type Resources } from "./resources.js";
import { buildDataset, type DatasetOutput } from "./steps/dataset.js";
import { auditedWrite, ingestSource, materializeModel, profileNewVersion, type TableOutput } from "./steps/tables.js";
import { registerAndGate, type PromotionOutput } from "./steps/register.js";
import { defaultMetric, type CandidateOutput } from "./steps/train.js";
import { tableSummary, type PipelineSummary } from "./summary.js";

export interface PipelineOptions {
  /** Train even when the dataset is unchanged (as train.retrain: always), e.g. when an alert asks for it. */
  retrain?: boolean;
  /** What started the run, kept on its record (default manual). */
  trigger?: TriggerKind;
  /** The run's id, when the caller recorded it before starting (a scheduler's tick); default a fresh UUID. */
  runId?: string;
  /** The clock of task retry delays and timeouts (default the system clock). */
  clock?: Clock;
}

export function buildPipelineTasks(project: Project, opts: PipelineOptions = {}): Task<Resources>[] {
  const cfg = project.config;
  const tasks: Task<Resources>[] = [];
  /** The task that writes (and checks) each table; dependents read the exact version it returns. */
  const producerOf = new Map<string, string>();

  const models = loadSqlModels(project.paths.models);
  for (const source of cfg.sources) producerOf.set(`bronze.${source.name}`, `ingest:bronze.${source.name}`);
  for (const model of models) producerOf.set(model.name, `transform:${model.name}`);
  /** Tables a table's checks read (relationships rules): their writers must finish first. */
  const checkInputs = (table: string) =>
    (cfg.checks[table] ?? []).flatMap((rule) => (rule.rule === "relationships" && producerOf.has(rule.to) && rule.to !== table ? [rule.to] : []));
  /** Checks read the exact upstream versions this run built, not whatever is current. */
  const pinnedVersions = (upstream: ReadonlyMap<string, unknown>) => (t: string) => {
    const out = upstream.get(producerOf.get(t) ?? "") as TableOutput | undefined;
    return out ? { table: out.table.table, version: out.table.version } : undefined;
  };

  for (const source of cfg.sources) {
    const table = `bronze.${source.name}`;
    tasks.push({
      id: producerOf.get(table)!,
      deps: checkInputs(table).map((t) => producerOf.get(t)!),
      run: async ({ ctx, upstream, note }) =>
        profileNewVersion(ctx, await auditedWrite(ctx, table, cfg.checks[table], note, (n) => ingestSource(ctx, source, n), pinnedVersions(upstream))),
    });
  }
  for (const model of orderSqlModels(models, cfg.sources.map((s) => `bronze.${s.name}`))) {
    tasks.push({
      id: producerOf.get(model.name)!,
      deps: [...new Set([...model.refs, ...checkInputs(model.name)].map((t) => producerOf.get(t)!))],
      run: async ({ ctx, upstream, note }) => {
        const parents = new Map<string, TableVersion>(model.refs.map((ref) => [ref, (upstream.get(producerOf.get(ref)!) as TableOutput).table]));
        return profileNewVersion(
          ctx,
          await auditedWrite(ctx, model.name, cfg.checks[model.name], note, (n) => materializeModel(ctx, model, parents, n), pinnedVersions(upstream)),
        );
      },
    });
  }
  const datasetFrom = producerOf.get(cfg.dataset.table);
  if (!datasetFrom) {
    throw new ConfigError(`dataset.table ${cfg.dataset.table} is not produced by any source or SQL model`, {
      hint: `tables in this project: ${[...producerOf.keys()].join(", ")}`,
    });
  }
  tasks.push({ id: "dataset", deps: [datasetFrom], run: ({ ctx, upstream, note }) => buildDataset(ctx, upstream.get(datasetFrom) as TableOutput, note, opts.retrain === true) });
  const trainIds = cfg.train.candidates.map((c) => `train:${c.name}`);
  cfg.train.candidates.forEach((candidate, i) => {
    tasks.push({
      id: trainIds[i],
      deps: ["dataset"],
      run: async ({ ctx, upstream, progress, note }) => {
        const ds = upstream.get("dataset") as DatasetOutput;
        if (ds.alreadyTrainedBy) {
          note(`skipped: dataset unchanged since ${ds.alreadyTrainedBy.name} v${ds.alreadyTrainedBy.version}`);
          return null;
        }
        return ctx.executor.train(ctx, candidate, ds, progress, note);
      },
    });
  });
  tasks.push({
    id: "register",
    deps: ["dataset", ...trainIds],
    run: ({ ctx, upstream, note }) =>
      registerAndGate(
        ctx,
        upstream.get("dataset") as DatasetOutput,
        trainIds.map((t) => upstream.get(t) as CandidateOutput | null).filter((o): o is CandidateOutput => o !== null),
        note,
      ),
  });
  return tasks;
}

export async function runPipeline(r: Resources, opts: PipelineOptions & { onEvent?: (e: TaskEvent) => void } = {}): Promise<PipelineSummary> {
  return withRunLock(r.project.paths.state, r.project.config.name, () => runPipelineLocked(r, opts));
}

async function runPipelineLocked(r: Resources, opts: PipelineOptions & { onEvent?: (e: TaskEvent) => void }): Promise<PipelineSummary> {
  const project = r.project;
  const startedAt = new Date().toISOString();
  const pipelineRunId = opts.runId ?? randomUUID();
  const trigger = opts.trigger ?? "manual";
  const t0 = performance.now();
  // Holding the run lock, any "running" record of this host whose process is gone was left by a killed run.
  const reaped = await r.meta.reapStaleRuns();
  await r.meta.savePipelineRun({ id: pipelineRunId, project: project.config.name, status: "running", trigger, startedAt, endedAt: null, summary: null });
  const tasks = applyTaskControl(buildPipelineTasks(project, opts), project.config);
  // In process, CPU-bound tasks gain nothing from overlapping; with workers, candidates train side by side.
  const concurrency = executorOf(project) === "bullmq" ? 8 : 1;
  const result = await runDag(tasks, r, { concurrency, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });

  const summary: PipelineSummary = {
    project: project.config.name,
    pipelineRunId,
    trigger,
    status: result.status,
    startedAt,
    durationMs: 0,
    metric: project.config.train.metric ?? defaultMetric(project.config.dataset.task),
    ingest: [],
    tables: [],
    checks: [],
    training: { trained: false, reason: "" },
    candidates: [],
    ...(reaped.length ? { staleRuns: reaped.map((x) => ({ kind: x.kind, id: x.id, reason: x.reason })) } : {}),
    tasks: Object.fromEntries(
      tasks.map((t) => [
        t.id,
        {
          state: result.states[t.id],
          ...(result.durationsMs[t.id] !== undefined ? { ms: Math.round(result.durationsMs[t.id]) } : {}),
          ...(result.notes[t.id] ? { note: result.notes[t.id] } : {}),
          deps: t.deps,
        },
      ]),
    ),
  };
  for (const task of tasks) {
    const failedReport = isMillraceError(result.errors[task.id]) ? (result.errors[task.id] as MillraceError).details.report : undefined;
    if (failedReport) summary.checks.push(failedReport as PipelineSummary["checks"][number]);
    const out = result.results.get(task.id);
    if (out === undefined) continue;
    if (task.id.startsWith("ingest:") || task.id.startsWith("transform:")) {
      const t = out as TableOutput;
      summary.tables.push(tableSummary(t.table, t.reused, t.ingest ? t.ingest.rowsBad : (t.rowsQuarantined ?? 0)));
      if (t.checks) summary.checks.push({ table: t.checks.table, errors: t.checks.errors, warnings: t.checks.warnings, passed: t.checks.passed, results: t.checks.results });
      if (t.ingest) {
        summary.ingest.push({
          table: t.table.table,
          version: t.table.version,
          filesIngested: t.ingest.ingested.map((f) => ({ path: f.path, rows: f.rows, badRows: f.badRows, ...(f.error ? { error: f.error } : {}) })),
          filesSkipped: t.ingest.skipped.length,
          rowsIn: t.ingest.rowsIn,
          rowsOut: t.ingest.rowsOut,
          rowsBad: t.ingest.rowsBad,
          ...(t.ingest.changes ? { changes: t.ingest.changes } : {}),
          ...(t.ingest.warnings?.length ? { warnings: t.ingest.warnings } : {}),
        });
      }
    } else if (task.id === "dataset") {
      const d = out as DatasetOutput;
      summary.dataset = {
        id: d.dataset.id,
        table: d.dataset.table.table,
        version: d.dataset.table.version,
        contentHash: d.dataset.contentHash,
        rows: d.frame.rowCount,
        trainRows: d.train.length,
        testRows: d.test.length,
        features: d.dataset.features,
        splitBy: d.dataset.split.identity ? (d.dataset.split.identity.kind === "key" ? `key ${d.dataset.split.identity.columns.join(", ")}` : "row content") : "position (seeded)",
      };
      summary.training = d.alreadyTrainedBy
        ? { trained: false, reason: `dataset ${d.dataset.id} unchanged: already trained by ${d.alreadyTrainedBy.name} v${d.alreadyTrainedBy.version} (set train.retrain: always to retrain)` }
        : { trained: true, reason: "new dataset" };
    } else if (task.id.startsWith("train:")) {
      const c = out as CandidateOutput | null;
      if (c) {
        summary.candidates.push({
          candidate: c.candidate.name,
          model: c.candidate.model,
          runId: c.runId,
          cv: c.result.cvMetrics,
          test: c.result.testMetrics,
          trainSeconds: c.result.trainSeconds,
        });
      }
    } else if (task.id === "register") {
      const p = out as PromotionOutput | null;
      if (p) {
        summary.model = {
          name: p.version.name,
          version: p.version.version,
          candidate: p.candidate,
          alias: p.alias,
          promoted: p.decision.promote,
          reason: p.decision.reason,
          checks: p.decision.checks,
          ...(p.decision.comparison ? { comparison: p.decision.comparison } : {}),
          ...(p.resumed ? { resumed: true } : {}),
        };
      }
    }
  }
  if (result.failure) {
    const e = result.failure.error;
    summary.failure = {
      task: result.failure.taskId,
      code: isMillraceError(e) ? e.code : "error",
      message: isMillraceError(e) ? e.message : describeError(e),
      ...(isMillraceError(e) && e.hint ? { hint: e.hint } : {}),
      // The check report is already in summary.checks; the failure keeps only the failing rules.
      ...(isMillraceError(e) ? { details: Object.fromEntries(Object.entries(e.details).filter(([k]) => k !== "report")) } : {}),
    };
  }
  summary.durationMs = Math.round(performance.now() - t0);
  await r.meta.savePipelineRun({
    id: pipelineRunId,
    project: project.config.name,
    status: summary.status,
    trigger,
    startedAt,
    endedAt: new Date().toISOString(),
    summary,
  });
  return summary;
}
