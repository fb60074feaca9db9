// Airflow's two other views of pipeline runs: a Gantt of one run (each task's attempts as bars on the run's clock,
// read from its task logs) and a grid of recent runs × tasks (each cell the task's state in that run, from the
// run's summary, or live from its logs while it runs).
import type { Hono } from "hono";
import type { PipelineSummary } from "../flow/summary.js";
import { orchestrationOf, type TaskLogLine } from "../store/orchestration.js";
import type { UiData } from "./data.js";
import { handle, intParam, notFound } from "./http.js";
import { liveTasks } from "./pipeline.js";

/** One attempt of a task: from its start line to its outcome line (or now, while it runs), in ms from the run's start. */
export interface TaskAttempt {
  attempt: number;
  startMs: number;
  endMs: number;
  /** running, succeeded, failed (retried or final), timed_out, cancelled. */
  outcome: string;
}

export interface TaskTimeline {
  taskId: string;
  attempts: TaskAttempt[];
  /** The task's last state: also skipped (no attempt) or pending. */
  state: string;
}

export interface PipelineTimeline {
  runId: string;
  startedAt: string;
  live: boolean;
  /** Tasks in the order they first started; tasks that never started (skipped) last. */
  tasks: TaskTimeline[];
  /** The end of the latest bar, ms from the run's start. */
  spanMs: number;
}

export interface GridCell {
  state: string;
  ms: number | null;
}

export interface PipelineGrid {
  /** Task ids, each run's recorded order merged (newest run first). */
  tasks: string[];
  /** Newest first. */
  runs: { id: string; status: string; startedAt: string; durationMs: number | null; cells: Record<string, GridCell> }[];
}

const OUTCOME: [RegExp, string][] = [
  [/^succeeded\b/, "succeeded"],
  [/^timed out\b/, "timed_out"],
  [/^cancelled\b/, "cancelled"],
  [/^failed\b/, "failed"],
  [/^attempt \d+ failed\b/, "failed"],
];

/** The task logs of a run as bars: each "attempt N started" opens one, the next outcome line closes it. */
export function timelineOf(runStartedAt: string, lines: TaskLogLine[], nowMs: number, live: boolean): Omit<PipelineTimeline, "runId"> {
  const t0 = Date.parse(runStartedAt);
  const tasks = new Map<string, TaskTimeline>();
  const open = new Map<string, TaskAttempt>();
  const task = (id: string) => {
    let t = tasks.get(id);
    if (!t) tasks.set(id, (t = { taskId: id, attempts: [], state: "pending" }));
    return t;
  };
  for (const l of lines) {
    const at = Date.parse(l.at) - t0;
    const started = /^attempt (\d+) started/.exec(l.line);
    if (started) {
      const a: TaskAttempt = { attempt: Number(started[1]), startMs: at, endMs: at, outcome: "running" };
      task(l.taskId).attempts.push(a);
      task(l.taskId).state = "running";
      open.set(l.taskId, a);
      continue;
    }
    if (l.line.startsWith("skipped")) {
      task(l.taskId).state = "skipped";
      continue;
    }
    const outcome = OUTCOME.find(([re]) => re.test(l.line))?.[1];
    const a = open.get(l.taskId);
    if (!outcome || !a) continue;
    a.endMs = at;
    a.outcome = outcome;
    open.delete(l.taskId);
    // "attempt N failed …; retrying" closes an attempt, not the task.
    task(l.taskId).state = l.line.startsWith("attempt ") ? "running" : outcome;
  }
  // Bars still open run to now while the run goes; a run that ended without closing them (killed) stops at its last line.
  const lastLine = lines.length ? Date.parse(lines[lines.length - 1].at) - t0 : 0;
  for (const a of open.values()) a.endMs = live ? Math.max(a.startMs, nowMs - t0) : Math.max(a.startMs, lastLine);
  const ordered = [...tasks.values()].sort((x, y) => (x.attempts[0]?.startMs ?? Infinity) - (y.attempts[0]?.startMs ?? Infinity));
  const spanMs = Math.max(0, ...ordered.flatMap((t) => t.attempts.map((a) => a.endMs)));
  return { startedAt: runStartedAt, live, tasks: ordered, spanMs };
}

export function pipelineViewRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  const project = data.project;

  api.get(
    "/pipeline-runs/:id/timeline",
    handle(async (c): Promise<PipelineTimeline> => {
      const { meta } = await data.meta();
      const rec = await meta.getPipelineRun(c.req.param("id") ?? "");
      if (!rec) throw notFound(`no pipeline run ${c.req.param("id")}`, "pick one from the history on the pipeline page");
      const lines = await orchestrationOf(meta).logs(rec.id);
      return { runId: rec.id, ...timelineOf(rec.startedAt, lines, Date.now(), rec.status === "running") };
    }, log),
  );

  api.get(
    "/pipeline-grid",
    handle(async (c): Promise<PipelineGrid> => {
      const { meta } = await data.meta();
      const recs = await meta.listPipelineRuns(project.config.name, intParam(c, "limit", 25, 1, 200));
      const orchestration = orchestrationOf(meta);
      const order: string[] = [];
      const seen = new Set<string>();
      const runs: PipelineGrid["runs"] = [];
      for (const rec of recs) {
        let tasks = ((rec.summary ?? {}) as Partial<PipelineSummary>).tasks ?? {};
        // A running run has no summary yet: its states come from its logs, as on the run's page.
        if (rec.status === "running") tasks = liveTasks(Object.keys(tasks).map((id) => ({ id, deps: [] })), await orchestration.logs(rec.id));
        const cells: Record<string, GridCell> = {};
        for (const [id, t] of Object.entries(tasks)) {
          cells[id] = { state: t.state, ms: t.ms ?? null };
          if (!seen.has(id)) (seen.add(id), order.push(id));
        }
        const endMs = rec.endedAt ? Date.parse(rec.endedAt) - Date.parse(rec.startedAt) : null;
        runs.push({ id: rec.id, status: rec.status, startedAt: rec.startedAt, durationMs: endMs, cells });
      }
      return { tasks: order, runs };
    }, log),
  );
}
