// The pipeline page's Gantt (a run's task attempts as bars on its clock) and grid (recent runs × tasks, each cell
// coloured by the task's state, Airflow's grid view). Both are plain HTML, so they scale to a phone's width and each
// bar or cell is a button: it opens that task's log (the grid's in that run).
import type { PipelineGrid, PipelineTimeline } from "../../../src/ui-api/pipeline-views.js";
import { useApi } from "../api.js";
import { fmtDuration, fmtTime, shortId } from "../format.js";
import { navigate } from "../router.js";
import { Empty, Loaded } from "./States.js";

export const STATE_COLOR: Record<string, string> = {
  succeeded: "#10b981", failed: "#ef4444", skipped: "#94a3b8", running: "#2563eb", pending: "#cbd5e1", absent: "#cbd5e1",
  timed_out: "#f59e0b", cancelled: "#64748b",
};

const openLog = (runId: string, taskId: string) => navigate(`/pipeline/${runId}?task=${encodeURIComponent(taskId)}`);
const shortTask = (id: string) => (id.includes(":") ? id.slice(id.indexOf(":") + 1) : id);

/** Each task's attempts as bars from the run's start; polled with the run while it goes. */
export function Gantt({ runId, live }: { runId: string; live: boolean }) {
  const state = useApi<PipelineTimeline>(`/pipeline-runs/${runId}/timeline`, { refreshMs: live ? 1500 : undefined });
  return (
    <Loaded state={state} what="reading the task times">
      {(t) => {
        if (!t.tasks.some((x) => x.attempts.length)) return <Empty title="no task has started in this run (runs recorded before task logs were kept have no times)" />;
        const span = Math.max(t.spanMs, 1);
        const ticks = [0, 0.25, 0.5, 0.75, 1];
        return (
          <div className="gantt" data-gantt={t.tasks.length}>
            {t.tasks.map((task) => (
              <div className="gantt-row" key={task.taskId}>
                <button type="button" className="gantt-name link-button" title={task.taskId} onClick={() => openLog(runId, task.taskId)}>
                  {shortTask(task.taskId)}
                </button>
                <div className="gantt-track">
                  {task.attempts.length === 0 && <span className="muted small">{task.state}</span>}
                  {task.attempts.map((a) => (
                    <button
                      type="button"
                      key={a.attempt}
                      className="gantt-bar"
                      data-task={task.taskId}
                      data-state={a.outcome}
                      style={{ left: `${(a.startMs / span) * 100}%`, width: `max(3px, ${((a.endMs - a.startMs) / span) * 100}%)`, background: STATE_COLOR[a.outcome] ?? "#94a3b8" }}
                      title={`${task.taskId} attempt ${a.attempt}: ${a.outcome}, ${fmtDuration(a.endMs - a.startMs)} (from +${fmtDuration(a.startMs)})`}
                      aria-label={`${task.taskId} attempt ${a.attempt} ${a.outcome}`}
                      onClick={() => openLog(runId, task.taskId)}
                    />
                  ))}
                </div>
              </div>
            ))}
            <div className="gantt-row gantt-axis" aria-hidden="true">
              <span className="gantt-name" />
              <div className="gantt-track">
                {ticks.map((f) => (
                  <span key={f} style={{ left: `${f * 100}%` }}>{fmtDuration(f * t.spanMs)}</span>
                ))}
              </div>
            </div>
          </div>
        );
      }}
    </Loaded>
  );
}

/** Recent runs (columns, oldest left) × tasks (rows); a cell opens that task's log in that run. */
export function RunGrid({ current, refreshMs }: { current: string; refreshMs: number }) {
  const state = useApi<PipelineGrid>("/pipeline-grid?limit=25", { refreshMs });
  return (
    <Loaded state={state} what="reading the recent runs">
      {(g) => {
        if (!g.runs.length) return <Empty title="no pipeline runs yet" />;
        const runs = [...g.runs].reverse();
        return (
          <div className="grid-scroll">
            <table className="run-grid" data-grid-runs={runs.length}>
              <thead>
                <tr>
                  <th />
                  {runs.map((r) => (
                    <th key={r.id} className={r.id === current ? "current" : undefined}>
                      <button
                        type="button"
                        className="grid-run"
                        style={{ background: STATE_COLOR[r.status] ?? "#94a3b8" }}
                        title={`run ${shortId(r.id)} · ${r.status} · ${fmtTime(r.startedAt)} UTC · ${fmtDuration(r.durationMs)}`}
                        aria-label={`run ${shortId(r.id)} ${r.status}`}
                        onClick={() => navigate(`/pipeline/${r.id}`)}
                      />
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {g.tasks.map((task) => (
                  <tr key={task}>
                    <th scope="row" title={task}>{shortTask(task)}</th>
                    {runs.map((r) => {
                      const cell = r.cells[task];
                      return (
                        <td key={r.id} className={r.id === current ? "current" : undefined}>
                          {cell ? (
                            <button
                              type="button"
                              className="grid-cell"
                              data-run={r.id}
                              data-task={task}
                              data-state={cell.state}
                              style={{ background: STATE_COLOR[cell.state] ?? "#94a3b8" }}
                              title={`${task} in run ${shortId(r.id)}: ${cell.state}${cell.ms !== null ? `, ${fmtDuration(cell.ms)}` : ""}`}
                              aria-label={`${task} in run ${shortId(r.id)}: ${cell.state}`}
                              onClick={() => openLog(r.id, task)}
                            />
                          ) : (
                            <span className="grid-none" title={`${task} was not part of run ${shortId(r.id)}`} />
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      }}
    </Loaded>
  );
}
