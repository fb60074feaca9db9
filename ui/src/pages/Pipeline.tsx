// Pipeline: the DAG of the latest (or a chosen) pipeline run, each task coloured by its state with its duration
// and note — live while the run goes (polled every 1.5 s from the run's task logs) — trigger and cancel buttons,
// its Gantt, the grid of recent runs × tasks, the task logs (?task= picks one), the run's checks and candidates, and the history of pipeline runs.
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import type { PipelineInfo, PipelineLogsResponse, PipelineRunView } from "../../../src/ui-api/pipeline.js";
import type { PipelineRunBrief, PipelineRunDetail } from "../../../src/ui-api/types.js";
import { TRAINING_SECONDS_METRICS } from "../../../src/flow/training-seconds.js";
import { ApiFailure, useApi, usePost } from "../api.js";
import { Badge } from "../components/Badges.js";
import { DataTable } from "../components/DataTable.js";
import { Card, ErrorBox, Loaded, Loading, PageHeader } from "../components/States.js";
import { fmtAgo, fmtDuration, fmtNum, fmtTime, shortId } from "../format.js";
import { Link, navigate, setQuery, useLocation } from "../router.js";
import { PipelineOutcome } from "./Overview.js";
import type { GraphNode } from "../components/Graph.js";
import { Gantt, RunGrid, STATE_COLOR } from "../components/PipelineViews.js";

const Graph = lazy(() => import("../components/Graph.js").then((m) => ({ default: m.Graph })));


/** Trigger a pipeline, cancel the run shown or retry it when it failed: POSTs to the dashboard API, which needs the server's token. */
function RunControl({ run }: { run: PipelineRunView | undefined }) {
  const pipelines = useApi<PipelineInfo[]>("/pipelines");
  const [chosen, setChosen] = useState<string>("");
  const { busy, error, post } = usePost();
  const [said, setSaid] = useState("");
  const names = (pipelines.data ?? []).map((p) => p.name);
  const name = chosen || run?.pipeline || names[0] || "default";
  const act = async (url: string, done: (body: { runId: string }) => void) => {
    const answer = await post<{ runId: string }>(url, {});
    if (answer !== null) done(answer);
  };
  return (
    <div className="run-control">
      {names.length > 1 && (
        <select aria-label="pipeline" value={name} onChange={(e) => setChosen(e.target.value)}>
          {names.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      )}
      <button type="button" disabled={busy} onClick={() => act(`/api/pipelines/${encodeURIComponent(name)}/trigger`, (b) => {
        setSaid(`run ${shortId(b.runId)} of ${name} started`);
        navigate(`/pipeline/${b.runId}`);
      })}>
        Trigger {name}
      </button>
      {run?.live && (
        <button type="button" className="danger" disabled={busy} onClick={() => act(`/api/pipeline-runs/${run.id}/cancel`, (b) => setSaid(`cancel requested for ${shortId(b.runId)}`))}>
          Cancel run
        </button>
      )}
      {run && (run.status === "failed" || run.status === "cancelled") && (
        <button type="button" disabled={busy} onClick={() => act(`/api/pipeline-runs/${run.id}/retry`, (b) => {
          setSaid(`run ${shortId(b.runId)} retries ${shortId(run.id)}`);
          navigate(`/pipeline/${b.runId}`);
        })}>
          Retry failed
        </button>
      )}
      {said && <span className="muted">{said}</span>}
      {error && <ErrorBox error={error.status === 401 ? new ApiFailure(400, error.body) : error} />}
    </div>
  );
}

/** The run's task logs (attempts, progress, retries, errors), one task or all, polled while the run goes. */
function TaskLogs({ run }: { run: PipelineRunView }) {
  // The task is in the URL (?task=…), so a Gantt bar or a grid cell links straight to its log.
  const task = useLocation().query.get("task") ?? "";
  const setTask = (t: string) => setQuery({ task: t });
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (task) box.current?.scrollIntoView({ block: "start" });
  }, [task, run.id]);
  const logs = useApi<PipelineLogsResponse>(`/pipeline-runs/${run.id}/logs${task ? `?task=${encodeURIComponent(task)}` : ""}`, { refreshMs: run.live ? 1500 : undefined });
  return (
    <div ref={box} id="task-logs">
    <Card
      title="Task logs"
      extra={
        <select aria-label="task" value={task} onChange={(e) => setTask(e.target.value)}>
          <option value="">every task</option>
          {run.dag.nodes.map((n) => <option key={n.id} value={n.id}>{n.id}</option>)}
        </select>
      }
    >
      <Loaded state={logs} what="reading the logs">
        {(l) =>
          l.lines.length === 0 ? (
            <p className="muted">no log lines {task ? `for ${task} ` : ""}in this run (runs recorded before logs were kept have none)</p>
          ) : (
            <pre className="code small task-logs">{l.lines.map((x) => `${x.at.slice(11, 23)}  ${x.taskId.padEnd(30)} ${x.line}`).join("\n")}</pre>
          )
        }
      </Loaded>
    </Card>
    </div>
  );
}

interface Check { table: string; column?: string; rule: string; severity: string; passed: boolean; failing: number; total: number; message: string }
interface Candidate { candidate: string; model: string; runId: string; cv: Record<string, number>; test: Record<string, number>; trainSeconds: number; finalFitSeconds?: number; cvSeconds?: number; searchSeconds?: number }

/** "CV folds 2.1 s, final fit 0.9 s": the parts of a candidate's train time. */
function trainParts(c: Candidate): string {
  const parts: [string, number | undefined][] = [["CV folds", c.cvSeconds], ["search", c.searchSeconds], ["final fit", c.finalFitSeconds]];
  return parts.filter(([, v]) => v !== undefined).map(([name, v]) => `${name} ${fmtDuration(v! * 1000)}`).join(", ");
}

/** Splits a note into at most two short lines for a node card. */
function wrap(text: string, width = 36): string[] {
  const words = text.split(" ");
  const lines: string[] = [""];
  for (const w of words) {
    const last = lines.length - 1;
    if ((lines[last] + " " + w).trim().length > width && lines[last]) {
      if (lines.length === 2) {
        lines[1] += "…";
        break;
      }
      lines.push(w);
    } else lines[last] = (lines[last] + " " + w).trim();
  }
  return lines.filter(Boolean);
}

function openTask(id: string, candidates: Candidate[], run: PipelineRunDetail): (() => void) | undefined {
  const [kind, rest] = id.includes(":") ? [id.slice(0, id.indexOf(":")), id.slice(id.indexOf(":") + 1)] : [id, ""];
  if (kind === "ingest" || kind === "transform") return () => navigate(`/tables/${rest}`);
  if (kind === "train") {
    const c = candidates.find((x) => x.candidate === rest);
    return c ? () => navigate(`/runs/${c.runId}`) : undefined;
  }
  if (kind === "register" && run.model) return () => navigate(`/models/${encodeURIComponent(run.model!.name)}/${run.model!.version}`);
  return undefined;
}

function Dag({ run }: { run: PipelineRunDetail }) {
  const candidates = (run.summary.candidates ?? []) as Candidate[];
  const nodes: GraphNode[] = run.dag.nodes.map((n) => ({
    id: n.id,
    title: n.id.includes(":") ? n.id.slice(n.id.indexOf(":") + 1) : n.id,
    tag: n.kind,
    color: STATE_COLOR[n.state] ?? "#94a3b8",
    lines: [n.state === "absent" ? "not in this run" : `${n.state}${n.ms !== null ? ` · ${fmtDuration(n.ms)}` : ""}`, ...wrap(n.note ?? "")],
    onOpen: openTask(n.id, candidates, run),
  }));
  const edges = run.dag.edges.map((e) => ({ from: e.from, to: e.to }));
  return (
    <Suspense fallback={<Loading what="drawing the DAG" />}>
      <Graph nodes={nodes} edges={edges} />
    </Suspense>
  );
}

function Details({ run }: { run: PipelineRunDetail }) {
  const checks = ((run.summary.checks ?? []) as { results: Check[] }[]).flatMap((c) => c.results ?? []);
  const candidates = (run.summary.candidates ?? []) as Candidate[];
  const metric = String(run.summary.metric ?? "");
  return (
    <div className="grid two">
      <Card title={`Candidates (${candidates.length})`}>
        <DataTable
          dense
          rows={candidates}
          rowKey={(c) => c.runId}
          initialSort={{ key: "test", dir: "desc" }}
          empty="no candidate trained in this run"
          columns={[
            { key: "candidate", label: "candidate", render: (c) => <Link to={`/runs/${c.runId}`} title={c.model}>{c.candidate}</Link>, sort: (c) => c.candidate },
            { key: "cv", label: `cv ${metric}`, align: "right", render: (c) => `${fmtNum(c.cv[`${metric}_mean`])} ± ${fmtNum(c.cv[`${metric}_std`], 3)}`, sort: (c) => c.cv[`${metric}_mean`] },
            { key: "test", label: `test ${metric}`, align: "right", render: (c) => fmtNum(c.test[metric]), sort: (c) => c.test[metric] },
            { key: "secs", label: "train time", title: TRAINING_SECONDS_METRICS.train_seconds, align: "right", render: (c) => <span title={trainParts(c)}>{fmtDuration(c.trainSeconds * 1000)}</span>, sort: (c) => c.trainSeconds },
          ]}
        />
      </Card>
      <Card title={`Checks (${checks.filter((c) => c.passed).length} of ${checks.length} passed)`}>
        <DataTable
          dense
          rows={checks}
          rowKey={(c) => `${c.table}.${c.column ?? ""}.${c.rule}.${c.message}`}
          empty="no checks declared for the tables of this run"
          rowClass={(c) => (c.passed ? undefined : c.severity === "error" ? "row-bad" : "row-warn")}
          columns={[
            { key: "table", label: "table", render: (c) => c.table, sort: (c) => c.table },
            { key: "rule", label: "rule", render: (c) => `${c.rule}${c.column ? ` ${c.column}` : ""}`, sort: (c) => c.rule },
            { key: "state", label: "result", render: (c) => <Badge text={c.passed ? "passed" : c.severity === "error" ? "failed" : "warn"} title={c.message} />, sort: (c) => (c.passed ? 1 : 0) },
            { key: "failing", label: "failing rows", align: "right", render: (c) => `${c.failing} / ${c.total}`, sort: (c) => c.failing },
          ]}
        />
      </Card>
    </div>
  );
}

export default function Pipeline({ params }: { params: Record<string, string> }) {
  const id = params.id ?? "latest";
  // The latest run and the history are polled, as Airflow's grid view is: a new run appears by itself.
  const [live, setLive] = useState(false);
  const [missing, setMissing] = useState(false);
  // While a run goes its states are polled every 1.5 s, and so is a run just triggered whose process has not
  // recorded it yet (404); otherwise the latest run and the history every 10 s.
  const fast = live || missing;
  const run = useApi<PipelineRunView>(`/pipeline-runs/${encodeURIComponent(id)}`, { refreshMs: fast ? 1500 : id === "latest" ? 10_000 : 5_000 });
  const history = useApi<PipelineRunBrief[]>("/pipeline-runs?limit=100", { refreshMs: fast ? 3000 : 10_000 });
  if ((run.data?.live ?? false) !== live) setLive(run.data?.live ?? false);
  if ((run.error?.status === 404 && id !== "latest") !== missing) setMissing(run.error?.status === 404 && id !== "latest");
  return (
    <>
      <PageHeader
        title="Pipeline"
        sub={run.data ? <>{run.data.pipeline} run <code>{run.data.id}</code> · {fmtTime(run.data.startedAt)} UTC · <Badge text={run.data.live ? "running" : run.data.outcome} /></> : undefined}
      />
      <RunControl run={run.data} />
      {
        <Loaded state={run} what="reading the run">
          {(r) => (
            <>
              <Card title="DAG" extra={<span className="legend">{Object.entries(STATE_COLOR).filter(([s]) => s !== "absent").map(([s, c]) => <span key={s}><i style={{ background: c }} />{s}</span>)}</span>}>
                <Dag run={r} />
              </Card>
              <div className="grid two">
                <Card title="Outcome">
                  <PipelineOutcome p={r} />
                </Card>
                <Card title="History">
                  <Loaded state={history}>
                    {(h) => (
                      <DataTable
                        dense
                        rows={h}
                        rowKey={(p) => p.id}
                        rowClass={(p) => (p.id === r.id ? "row-selected" : undefined)}
                        columns={[
                          { key: "id", label: "run", render: (p) => <Link to={`/pipeline/${p.id}`}>{shortId(p.id)}</Link> },
                          { key: "status", label: "status", render: (p) => <Badge text={p.status} />, sort: (p) => p.status },
                          { key: "started", label: "started", render: (p) => <span title={fmtTime(p.startedAt)}>{fmtAgo(p.startedAt)}</span>, sort: (p) => p.startedAt },
                          { key: "ms", label: "duration", align: "right", render: (p) => fmtDuration(p.durationMs), sort: (p) => p.durationMs },
                          { key: "model", label: "model", render: (p) => (p.model ? `v${p.model.version} ${p.model.promoted ? "promoted" : "kept out"}` : (p.training?.reason ?? "–")) },
                        ]}
                      />
                    )}
                  </Loaded>
                </Card>
              </div>
              <div className="grid two">
                <Card title="Gantt (task attempts on the run's clock)">
                  <Gantt runId={r.id} live={r.live} />
                </Card>
                <Card title="Grid (recent runs × tasks)" extra={<span className="muted small">click a cell for that task's log</span>}>
                  <RunGrid current={r.id} refreshMs={fast ? 3000 : 10_000} />
                </Card>
              </div>
              <TaskLogs run={r} />
              <Details run={r} />
            </>
          )}
        </Loaded>
      }
    </>
  );
}
