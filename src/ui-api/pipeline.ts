// Pipeline runs for the dashboard: a brief of each recorded run and the DAG of one run (the pipeline's task graph
// with each task's state, duration and note — live from the run's task logs while it runs), the pipelines, task
// logs, and run control (trigger, cancel: POSTs that need the server's API token).
import type { Hono } from "hono";
import type { Guard } from "../serve/auth.js";
import { ForbiddenError } from "../serve/http-errors.js";
import { buildPipelineTasks } from "../flow/pipeline.js";
import { pipelineDef, pipelinesOf, selectTasks } from "../flow/pipelines.js";
import { cancelRun, retryDetached, runLogs, triggerDetached } from "../flow/run-control.js";
import type { PipelineSummary } from "../flow/summary.js";
import type { MetadataStore, PipelineRunRecord } from "../store/metadata-store.js";
import { orchestrationOf, type TaskLogLine } from "../store/orchestration.js";
import type { UiData } from "./data.js";
import { handle, intParam, notFound } from "./http.js";
import type { DagNode, PipelineRunBrief, PipelineRunDetail } from "./types.js";

/** A pipeline as the dashboard lists it. */
export interface PipelineInfo {
  name: string;
  tasks: string[];
  schedule: string | null;
  assets: string[];
  maxActiveRuns: number;
}

export interface PipelineLogsResponse {
  runId: string;
  status: string;
  lines: TaskLogLine[];
}

/** A run's detail with the pipeline it belongs to and whether its task states are live (read from its logs). */
export type PipelineRunView = PipelineRunDetail & { pipeline: string; live: boolean; outcome: string };

/** Older or failed runs may lack parts of the summary: every field is read defensively. */
type StoredSummary = Partial<PipelineSummary>;

export function pipelineBrief(rec: PipelineRunRecord): PipelineRunBrief {
  const s = (rec.summary ?? {}) as StoredSummary;
  const states = Object.values(s.tasks ?? {}).map((t) => t.state);
  const tables = s.tables ?? [];
  const endMs = rec.endedAt ? Date.parse(rec.endedAt) - Date.parse(rec.startedAt) : null;
  return {
    id: rec.id,
    status: rec.status,
    startedAt: rec.startedAt,
    endedAt: rec.endedAt,
    durationMs: typeof s.durationMs === "number" ? s.durationMs : endMs,
    tasks: {
      total: states.length,
      succeeded: states.filter((x) => x === "succeeded").length,
      failed: states.filter((x) => x === "failed").length,
      skipped: states.filter((x) => x === "skipped").length,
    },
    tables: { count: tables.length, rows: tables.reduce((n, t) => n + (t.rows ?? 0), 0), reused: tables.filter((t) => t.reused).length },
    training: s.training ?? null,
    model: s.model
      ? { name: s.model.name, version: s.model.version, alias: s.model.alias, promoted: s.model.promoted, reason: s.model.reason, candidate: s.model.candidate }
      : null,
    failure: s.failure ? { task: s.failure.task, code: s.failure.code, message: s.failure.message, ...(s.failure.hint ? { hint: s.failure.hint } : {}) } : null,
  };
}

/**
 * The task states of a running run, from its task logs (the summary is written when the run ends): each task's
 * last line says where it is. Tasks without a line are pending.
 */
export function liveTasks(graph: { id: string; deps: string[]; kind?: string }[], lines: TaskLogLine[]): PipelineSummary["tasks"] {
  const out: PipelineSummary["tasks"] = {};
  const startedAt = new Map<string, number>();
  for (const t of graph) out[t.id] = { state: "pending", deps: t.deps, ...(t.kind ? { kind: t.kind } : {}) };
  for (const l of lines) {
    const t = (out[l.taskId] ??= { state: "pending" });
    const at = Date.parse(l.at);
    const state = /^attempt \d+ started/.test(l.line) ? "running"
      : l.line.startsWith("succeeded") ? "succeeded"
      : l.line.startsWith("timed out") ? "timed_out"
      : l.line.startsWith("cancelled") ? "cancelled"
      : l.line.startsWith("failed") ? "failed"
      : l.line.startsWith("skipped") ? "skipped"
      : null;
    if (state === "running" && !startedAt.has(l.taskId)) startedAt.set(l.taskId, at);
    if (state) t.state = state;
    if (state && state !== "running" && startedAt.has(l.taskId)) t.ms = at - startedAt.get(l.taskId)!;
    const note = /^succeeded in \d+ ms: (.*)$/.exec(l.line)?.[1] ?? (l.line.startsWith("progress ") ? l.line.slice("progress ".length) : undefined);
    if (note) t.note = note;
  }
  return out;
}

/** The kind of a task recorded before runs kept it, from its id's prefix. */
export function kindOfTask(id: string): string {
  const m = /^(ingest|transform|train):/.exec(id);
  if (m) return m[1];
  return id === "dataset" || id === "register" ? id : "task";
}

/**
 * The DAG of a run: edges come from the project's task graph as configured now, nodes from what the run recorded.
 * A task the run did not record (added to millrace.yaml since) is shown as "absent"; a recorded task the
 * configuration no longer has keeps its node without edges.
 */
export function runDag(recorded: PipelineSummary["tasks"], graph: { id: string; deps: string[]; kind?: string }[]): PipelineRunDetail["dag"] {
  const nodes: DagNode[] = [];
  const seen = new Set<string>();
  // Runs record each task's kind (its registry name); older runs are read by the id's prefix.
  for (const t of graph) {
    const r = recorded[t.id];
    nodes.push({ id: t.id, kind: r?.kind ?? t.kind ?? kindOfTask(t.id), state: r?.state ?? "absent", ms: r?.ms ?? null, note: r?.note ?? null });
    seen.add(t.id);
  }
  for (const [id, r] of Object.entries(recorded)) {
    if (!seen.has(id)) nodes.push({ id, kind: r.kind ?? kindOfTask(id), state: r.state, ms: r.ms ?? null, note: r.note ?? null });
  }
  const edges = graph.flatMap((t) => t.deps.map((d) => ({ from: d, to: t.id })));
  return { nodes, edges };
}

/**
 * Run control over HTTP, on the serving app (mounted before the dashboard API, whose catch-all refuses POSTs):
 * POST /api/pipelines/{name}/trigger, POST /api/pipeline-runs/{id}/cancel and POST /api/pipeline-runs/{id}/retry (a
 * failed or cancelled run's pipeline and partition again), with a token of the promote scope.
 * A server without tokens refuses them (403): starting runs must not be open to anyone who can reach the port.
 */
export function pipelineControlRoutes(app: Hono, guard: Guard, data: UiData, tokensConfigured: boolean, log: (line: string) => void): void {
  const project = data.project;
  const routes: [string, (meta: MetadataStore, param: string) => Promise<unknown>][] = [
    ["/api/pipelines/:name/trigger", (meta, name) => triggerDetached(meta, project, name)],
    ["/api/pipeline-runs/:id/cancel", (meta, id) => cancelRun(meta, id, project.paths.state)],
    ["/api/pipeline-runs/:id/retry", (meta, id) => retryDetached(meta, project, id)],
  ];
  for (const [path, op] of routes) {
    const param = path.includes(":name") ? "name" : "id";
    app.post(
      path,
      guard("promote"),
      handle(async (c) => {
        if (!tokensConfigured) {
          throw new ForbiddenError("triggering and cancelling runs over HTTP needs the server to have an API token", {
            hint: "start the server with a token (MILLRACE_API_TOKEN or serve.token); or use millrace pipeline trigger|cancel",
          });
        }
        return op((await data.meta()).meta, c.req.param(param) ?? "");
      }, log),
    );
  }
}

export function pipelineRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  const project = data.project;
  const list = async (limit: number) => (await data.meta()).meta.listPipelineRuns(project.config.name, limit);

  api.get(
    "/pipeline-runs",
    handle(async (c) => (await list(intParam(c, "limit", 50, 1, 1000))).map(pipelineBrief), log),
  );

  api.get(
    "/pipelines",
    handle(async () =>
      pipelinesOf(project.config).map((p): PipelineInfo => ({ name: p.name, tasks: p.tasks ?? ["*"], schedule: p.schedule ?? null, assets: p.assets, maxActiveRuns: p.maxActiveRuns })),
    log),
  );

  api.get(
    "/pipeline-runs/:id/logs",
    handle(async (c): Promise<PipelineLogsResponse> => {
      const task = c.req.query("task");
      return runLogs((await data.meta()).meta, c.req.param("id") ?? "", task || undefined, intParam(c, "after", 0, 0, Number.MAX_SAFE_INTEGER));
    }, log),
  );

  api.get(
    "/pipeline-runs/:id",
    handle(async (c) => {
      const id = c.req.param("id") ?? "";
      const { meta } = await data.meta();
      const rec = id === "latest" ? (await list(1))[0] : await meta.getPipelineRun(id);
      if (!rec) {
        throw id === "latest"
          ? notFound("no pipeline runs yet", `run the pipeline: millrace run ${project.dir}`)
          : notFound(`no pipeline run ${id}`, "pick one from the history on the pipeline page");
      }
      const orchestration = orchestrationOf(meta);
      const pipeline = (await orchestration.placement(rec.id))?.pipeline ?? "default";
      let summary = (rec.summary ?? {}) as StoredSummary;
      // The graph as it ran (recorded with the run); a running run or one recorded before deps were kept: the pipeline's now.
      let graph: { id: string; deps: string[]; kind?: string }[] = Object.entries(summary.tasks ?? {}).flatMap(([tid, t]) =>
        Array.isArray((t as { deps?: unknown }).deps) ? [{ id: tid, deps: (t as { deps: string[] }).deps }] : [],
      );
      try {
        if (graph.length === 0) {
          const def = pipelineDef(project.config, pipeline);
          graph = selectTasks(buildPipelineTasks(project, { optIn: def.tasks ?? [] }), def).map((t) => ({ id: t.id, deps: t.deps, kind: t.kind.name }));
        }
      } catch (e) {
        // A broken millrace.yaml or SQL model must not hide the recorded run: its nodes are shown without edges.
        log(`dashboard: the task graph could not be built, showing the run without edges: ${String(e)}`);
      }
      const live = rec.status === "running";
      if (live) summary = { ...summary, tasks: liveTasks(graph, await orchestration.logs(rec.id)) };
      const liveRec = live ? { ...rec, summary } : rec;
      const detail: PipelineRunView = {
        ...pipelineBrief(liveRec),
        dag: runDag(summary.tasks ?? {}, graph),
        summary: summary as Record<string, unknown>,
        pipeline,
        live,
        outcome: summary.status ?? rec.status,
      };
      return detail;
    }, log),
  );
}
