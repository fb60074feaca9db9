// Builds the pipeline DAG from a project (sources → SQL models → checks → dataset → candidates → register/gate)
// and runs it, returning the summary. Each task is of a registered kind (task-kinds/), which plans it, gives it
// only the resources it declares, and writes its part of the summary; tasks pass typed records downstream.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { ConfigError, isMillraceError, describeError } from "../errors.js";
import type { PartitionSlice } from "../lake/partition-replace.js";
import { loadSqlModels } from "../lake/sql-models.js";
import type { Project } from "../project/load-project.js";
import { runDag, type DagResult, type TaskEvent } from "./dag.js";
import { orchestrationOf, type OrchestrationStore } from "../store/orchestration.js";
import type { StaleRun } from "../store/stale-runs.js";
import { DEFAULT_PIPELINE, pipelineDef, selectTasks, type PipelineDef } from "./pipelines.js";
import { admitRun } from "./run-capacity.js";
import { RunLogWriter } from "./run-log.js";
import { cancelFlag } from "./run-control.js";
import { fileInPartition, partitionKey } from "./partitions.js";
import { checkAlertRules, raisePipelineAlerts } from "./run-alerts.js";
import type { TriggerKind } from "../store/metadata-store.js";
import type { Clock } from "./clock.js";
import { withRunLock } from "./run-lock.js";
import { applyTaskControl } from "./task-control.js";
import { executorOf, type Resources } from "./resources.js";
import type { TableOutput } from "./outputs.js";
import { defaultMetric } from "./steps/train.js";
import type { PipelineSummary } from "./summary.js";
import { ref, type PipelineTask, type PlanContext, type TaskRef } from "./task-kind.js";
import { TASK_KINDS } from "./task-kinds/index.js";
import type { RunPlan } from "./run-plan.js";

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

/** The project's full DAG: every registered task kind plans its tasks, in registry order. */
export function buildPipelineTasks(
  project: Project, opts: PipelineOptions & { files?: (file: string) => boolean; rows?: PartitionSlice; optIn?: readonly string[] } = {},
): PipelineTask[] {
  const models = loadSqlModels(project.paths.models);
  const base = { project, models, retrain: opts.retrain === true, ...(opts.files ? { files: opts.files } : {}), ...(opts.rows ? { partitionRows: opts.rows } : {}) };
  const producers = new Map<string, TaskRef<TableOutput>>();
  for (const kind of TASK_KINDS) for (const [table, id] of kind.produces?.(base) ?? []) producers.set(table, ref<TableOutput>(id));
  const tasks: PipelineTask[] = [];
  const ctx: PlanContext = { ...base, producers, planned: (kind) => tasks.filter((t) => t.kind.name === kind) };
  // An opt-in kind (deploy) is planned only for a pipeline that names it.
  for (const kind of TASK_KINDS) if (!kind.optIn || opts.optIn?.includes(kind.name)) tasks.push(...(kind.plan(ctx) as PipelineTask[]));
  return tasks;
}

/** What a run's tasks are planned from: the same on the pipeline's process and on a worker (a task job carries it). */
export type { RunPlan } from "./run-plan.js";

/** The tasks of one run: the pipeline's selection of the project's DAG, its partition, retries and timeouts. */
export function planRun(project: Project, plan: RunPlan): PipelineTask[] {
  const def = pipelineDef(project.config, plan.pipeline);
  const partition = plan.partition !== undefined ? checkPartition(def, plan.partition) : undefined;
  return applyTaskControl(selectTasks(buildPipelineTasks(project, { retrain: plan.retrain, ...partition, optIn: def.tasks ?? [] }), def), def.control);
}

export interface RunPipelineOptions extends PipelineOptions {
  /** Which pipeline (default: "default", the whole DAG). */
  pipeline?: string;
  /** The partition this run builds (a pipeline with partitions:): its ingest reads only that date's files. */
  partition?: string;
  /** Cancels the run: running tasks are aborted, the rest skipped; the summary's status is "cancelled". */
  signal?: AbortSignal;
  onEvent?: (e: TaskEvent) => void;
  /** How often the run looks for a cancel request in the store (`millrace pipeline cancel`), ms; default 1000. */
  cancelPollMs?: number;
}

/** Runs a pipeline holding its run lock (one run per pipeline and partition at a time; the default: per project). */
export async function runPipeline(r: Resources, opts: RunPipelineOptions = {}): Promise<PipelineSummary> {
  const def = pipelineDef(r.project.config, opts.pipeline);
  const lockName = [def.name === DEFAULT_PIPELINE ? "" : def.name, opts.partition ?? ""].filter(Boolean).join("@");
  return withRunLock(r.project.paths.state, r.project.config.name, () => runPipelineLocked(r, def, opts), lockName);
}

async function runPipelineLocked(r: Resources, def: PipelineDef, opts: RunPipelineOptions): Promise<PipelineSummary> {
  const project = r.project;
  const cfg = project.config;
  checkAlertRules(cfg.pipeline_alerts);
  const startedAt = new Date().toISOString();
  const pipelineRunId = opts.runId ?? randomUUID();
  const trigger = opts.trigger ?? "manual";
  const t0 = performance.now();
  // Planned before anything is recorded: a pipeline that selects an unknown task is a config error, not a run.
  const plan: RunPlan = { pipeline: def.name, retrain: opts.retrain === true, ...(opts.partition !== undefined ? { partition: opts.partition } : {}) };
  const tasks = planRun(project, plan);
  const orchestration = orchestrationOf(r.meta);
  // Holding the run lock, any "running" record of this host whose process is gone was left by a killed run.
  const reaped = await r.meta.reapStaleRuns();
  await admitRun(orchestration, cfg.name, def, cfg.pools, pipelineRunId);
  const log = new RunLogWriter(orchestration, pipelineRunId);
  const cancel = new AbortController();
  const stopPolling = pollCancel(orchestration, pipelineRunId, cancel, opts.cancelPollMs ?? 1000);
  const onOuterAbort = () => cancel.abort(opts.signal?.reason ?? "cancelled");
  if (opts.signal?.aborted) onOuterAbort();
  else opts.signal?.addEventListener("abort", onOuterAbort, { once: true });
  let summary: PipelineSummary;
  // With execution.executor: bullmq, every task runs on a worker; which one, by task id.
  let runTasks = tasks;
  let queue: { close(): Promise<void> } | undefined;
  const workers: Record<string, string> = {};
  try {
    // Placed in the same write: a scheduled no-op run took 6 commits (≈2 ms each, fsynced), now 5.
    await r.meta.savePipelineRun({
      id: pipelineRunId, project: cfg.name, status: "running", trigger, startedAt, endedAt: null, summary: null,
      placement: { pipeline: def.name, partition: opts.partition ?? null },
    });
    // In process, CPU-bound tasks gain nothing from overlapping; with workers, tasks run side by side on them.
    const onWorkers = executorOf(project) === "bullmq";
    const concurrency = onWorkers ? 8 : 1;
    if (onWorkers) {
      const taskQueue = new (await import("./task-queue.js")).TaskQueue(project);
      queue = taskQueue;
      runTasks = taskQueue.onWorkers(tasks, {
        pipelineRunId, plan, onPlaced: (taskId, worker, jobId) => {
          workers[taskId] = worker;
          log.add(taskId, `running on worker ${worker} (job ${jobId})`);
        },
      });
    }
    const flag = cancelFlag(project.paths.state, pipelineRunId);
    let lastLook = 0;
    const onEvent = (e: TaskEvent) => {
      log.onEvent(e);
      opts.onEvent?.(e);
      // A learner keeps the event loop busy between reports, so the store poll may not run: look at the flag here.
      if (e.type === "progress" && Date.now() - lastLook > 200) {
        lastLook = Date.now();
        if (fs.existsSync(flag)) cancel.abort("cancelled by request (millrace pipeline cancel)");
      }
    };
    const result = await runDag(runTasks, r, { concurrency, onEvent, signal: cancel.signal, ...(opts.clock ? { clock: opts.clock } : {}) });
    summary = summarize(r, tasks, result, {
      pipelineRunId, trigger, startedAt, reaped, def, workers, ...(opts.partition !== undefined ? { partition: opts.partition } : {}),
    });
    const alerts = await raisePipelineAlerts(summary, cfg.pipeline_alerts);
    if (alerts.length) summary.alerts = alerts.map((a) => ({ rule: a.rule, kind: a.kind, message: a.message }));
    summary.durationMs = Math.round(performance.now() - t0);
    await log.close();
    await r.meta.savePipelineRun({
      id: pipelineRunId,
      project: cfg.name,
      status: summary.status,
      trigger,
      startedAt,
      endedAt: new Date().toISOString(),
      summary,
      ...(summary.status === "cancelled" ? { error: "cancelled" } : {}),
    });

  } finally {
    fs.rmSync(cancelFlag(project.paths.state, pipelineRunId), { force: true });
    stopPolling();
    opts.signal?.removeEventListener("abort", onOuterAbort);
    await log.close();
    await queue?.close();
    await orchestration.releasePoolSlots(pipelineRunId);
  }
  return summary;
}

/** Looks for a cancel request every `everyMs` and aborts `ctl` when one is found. */
function pollCancel(store: OrchestrationStore, runId: string, ctl: AbortController, everyMs: number): () => void {
  const timer = setInterval(() => {
    store.cancelRequested(runId).then(
      (yes) => yes && ctl.abort("cancelled by request (millrace pipeline cancel)"),
      () => undefined,
    );
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * What a partition's run of `def` reads and writes: the landing files of its date (partitions:) and the rows of
 * its date in each table model with the column (partition_by:); a ConfigError when the pipeline has neither.
 */
function checkPartition(def: PipelineDef, partition: string): { files?: (file: string) => boolean; rows?: PartitionSlice } {
  const keys = def.partitionBy ?? def.partitions;
  if (!keys) {
    throw new ConfigError(`pipeline ${def.name} has no partitions, so it cannot run partition ${partition}`, {
      hint: `declare pipelines.${def.name}.partition_by: { column: event_date, granularity: day, start: 2026-01-01 } (or partitions: by file date) in millrace.yaml`,
    });
  }
  if (def.partitions && def.partitionBy && def.partitions.granularity !== def.partitionBy.granularity) {
    throw new ConfigError(`pipeline ${def.name}: partitions is by ${def.partitions.granularity} but partition_by by ${def.partitionBy.granularity}`, { path: `pipelines.${def.name}.partition_by.granularity` });
  }
  const key = partitionKey(keys, partition);
  return {
    ...(def.partitions ? { files: fileInPartition(def.partitions, key) } : {}),
    ...(def.partitionBy ? { rows: { column: def.partitionBy.column, granularity: def.partitionBy.granularity, key } } : {}),
  };
}

interface RunFacts {
  pipelineRunId: string;
  trigger: TriggerKind;
  startedAt: string;
  reaped: StaleRun[];
  def: PipelineDef;
  /** The worker that ran each task (execution.executor: bullmq). */
  workers: Record<string, string>;
  partition?: string;
}

/** The run summary: the common fields, then each task kind's own part, in task order. */
function summarize(r: Resources, tasks: PipelineTask[], result: DagResult, facts: RunFacts): PipelineSummary {
  const cfg = r.project.config;
  const summary: PipelineSummary = {
    project: cfg.name,
    pipelineRunId: facts.pipelineRunId,
    ...(facts.def.name !== DEFAULT_PIPELINE ? { pipeline: facts.def.name } : {}),
    ...(facts.partition !== undefined ? { partition: facts.partition } : {}),
    trigger: facts.trigger,
    status: result.status,
    startedAt: facts.startedAt,
    durationMs: 0,
    metric: cfg.train.metric ?? defaultMetric(cfg.dataset.task),
    ingest: [],
    tables: [],
    checks: [],
    training: { trained: false, reason: "" },
    candidates: [],
    ...(facts.reaped.length ? { staleRuns: facts.reaped.map((x) => ({ kind: x.kind, id: x.id, reason: x.reason })) } : {}),
    tasks: Object.fromEntries(
      tasks.map((t) => [
        t.id,
        {
          state: result.states[t.id],
          kind: t.kind.name,
          ...(result.durationsMs[t.id] !== undefined ? { ms: Math.round(result.durationsMs[t.id]) } : {}),
          ...(result.notes[t.id] ? { note: result.notes[t.id] } : {}),
          ...(facts.workers[t.id] ? { worker: facts.workers[t.id] } : {}),
          deps: t.deps,
        },
      ]),
    ),
  };
  for (const task of tasks) {
    if (task.id in result.errors) task.kind.summarizeFailure?.(result.errors[task.id], summary);
    if (result.results.has(task.id)) task.kind.summarize(result.results.get(task.id), summary);
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
  return summary;
}
