// Pipeline runs for the dashboard: a brief of each recorded run and the DAG of one run (the project's task graph
// with each task's recorded state, duration and note).
import type { Hono } from "hono";
import { buildPipelineTasks } from "../flow/pipeline.js";
import type { PipelineSummary } from "../flow/summary.js";
import type { PipelineRunRecord } from "../store/metadata-store.js";
import type { UiData } from "./data.js";
import { handle, intParam, notFound } from "./http.js";
import type { DagNode, PipelineRunBrief, PipelineRunDetail } from "./types.js";

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
export function runDag(recorded: PipelineSummary["tasks"], graph: { id: string; deps: string[] }[]): PipelineRunDetail["dag"] {
  const nodes: DagNode[] = [];
  const seen = new Set<string>();
  for (const t of graph) {
    const r = recorded[t.id];
    nodes.push({ id: t.id, kind: kindOfTask(t.id), state: r?.state ?? "absent", ms: r?.ms ?? null, note: r?.note ?? null });
    seen.add(t.id);
  }
  for (const [id, r] of Object.entries(recorded)) {
    if (!seen.has(id)) nodes.push({ id, kind: kindOfTask(id), state: r.state, ms: r.ms ?? null, note: r.note ?? null });
  }
  const edges = graph.flatMap((t) => t.deps.map((d) => ({ from: d, to: t.id })));
  return { nodes, edges };
}

export function pipelineRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  const project = data.project;
  const list = async (limit: number) => (await data.meta()).meta.listPipelineRuns(project.config.name, limit);

  api.get(
    "/pipeline-runs",
    handle(async (c) => (await list(intParam(c, "limit", 50, 1, 1000))).map(pipelineBrief), log),
  );

  api.get(
    "/pipeline-runs/:id",
    handle(async (c) => {
      const id = c.req.param("id") ?? "";
      const rec = id === "latest" ? (await list(1))[0] : await (await data.meta()).meta.getPipelineRun(id);
      if (!rec) {
        throw id === "latest"
          ? notFound("no pipeline runs yet", `run the pipeline: millrace run ${project.dir}`)
          : notFound(`no pipeline run ${id}`, "pick one from the history on the pipeline page");
      }
      const summary = (rec.summary ?? {}) as StoredSummary;
      // The graph as it ran (recorded with the run); runs recorded before deps were kept use today's project.
      let graph: { id: string; deps: string[] }[] = Object.entries(summary.tasks ?? {}).flatMap(([tid, t]) =>
        Array.isArray((t as { deps?: unknown }).deps) ? [{ id: tid, deps: (t as { deps: string[] }).deps }] : [],
      );
      try {
        if (graph.length === 0) graph = buildPipelineTasks(project).map((t) => ({ id: t.id, deps: t.deps }));
      } catch (e) {
        // A broken millrace.yaml or SQL model must not hide the recorded run: its nodes are shown without edges.
        log(`dashboard: the task graph could not be built, showing the run without edges: ${String(e)}`);
      }
      const detail: PipelineRunDetail = { ...pipelineBrief(rec), dag: runDag(summary.tasks ?? {}, graph), summary: (rec.summary ?? {}) as Record<string, unknown> };
      return detail;
    }, log),
  );
}
