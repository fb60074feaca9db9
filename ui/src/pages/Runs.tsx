// Runs: every tracked training run, sorted by any metric and filtered by metric conditions on the server (param
// conditions on the runs listed), search trials folded under their parent run (finished ones ranked, pruned ones
// after them) with a parallel-coordinates plot per search, chosen metric and param columns, and a selection to compare.
import { useEffect, useRef, useState } from "react";
import type { Run, RunsResponse } from "../../../src/ui-api/types.js";
import { getJson, qs, useApi, useProjectDir, type ApiFailure } from "../api.js";
import { Badge } from "../components/Badges.js";
import { DataTable, type Column } from "../components/DataTable.js";
import { Card, Empty, ErrorBox, Loading, PageHeader } from "../components/States.js";
import { fmtAgo, fmtDuration, fmtNum, fmtTime, shortId } from "../format.js";
import { ParallelTrials, orderTrials, trialState, varyingParams } from "../components/Trials.js";
import { useMetricDirections } from "../metrics.js";
import { Link, navigate, setQuery } from "../router.js";
import { paramText } from "./RunPage.js";

const PREFERRED = ["roc_auc", "accuracy", "f1", "pr_auc", "log_loss", "r2", "rmse", "mae"];

export function defaultMetricColumns(keys: string[]): string[] {
  const plain = keys.filter((k) => !k.startsWith("cv_") && !k.endsWith("_seconds"));
  const ranked = [...plain].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return ranked.slice(0, 5);
}
const rank = (k: string) => (PREFERRED.includes(k) ? PREFERRED.indexOf(k) : PREFERRED.length);

type Row = Run & { depth: number };

/** A trial is scored by cross-validation only: its column shows the CV mean, marked as such (pruned: partial). */
function MetricCell({ run, k }: { run: Row; k: string }) {
  const v = run.metrics[k];
  // A trial or candidate holds its CV mean; a project CV fold's search (auto/cv-fold-i) that fold's held-out score.
  const fold = run.metrics[`cv_${k}_mean`] === undefined && run.metrics[`cv_${k}`] !== undefined;
  const cv = run.depth ? run.metrics[fold ? `cv_${k}` : `cv_${k}_mean`] : undefined;
  if (v === undefined && cv !== undefined) {
    const pruned = trialState(run) === "pruned";
    const title = fold ? `cv_${k}: the held-out score of this CV fold` : pruned ? `cv_${k}_mean over the folds run before the trial was pruned: not comparable with finished trials` : `cv_${k}_mean: trials are scored by cross-validation`;
    return (
      <span className={pruned ? "cv partial" : "cv"} title={title}>
        {fmtNum(cv)}
      </span>
    );
  }
  return <>{fmtNum(v)}</>;
}

/** The rows as shown (trials included) as CSV, for a spreadsheet or a notebook. */
export function runsCsv(rows: Run[], metrics: string[]): string {
  const cell = (v: unknown) => {
    const t = v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v);
    return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  const params = [...new Set(rows.flatMap((r) => Object.keys(r.params)))].sort();
  const head = ["id", "name", "status", "parent", "started", "duration_ms", ...metrics, ...params.map((p) => `param.${p}`)];
  const lines = rows.map((r) => [r.id, r.name, r.status, r.parentRunId ?? "", r.startedAt, r.durationMs ?? "", ...metrics.map((k) => r.metrics[k]), ...params.map((p) => r.params[p])].map(cell).join(","));
  return [head.join(","), ...lines].join("\n") + "\n";
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  a.click();
  URL.revokeObjectURL(url);
}

/** The learner first, then the other params that differ between the runs listed (three at most). */
function defaultParamColumns(runs: Run[]): string[] {
  const vary = varyingParams(runs);
  return [...vary.filter((k) => k === "model"), ...vary.filter((k) => k !== "model")].slice(0, 3);
}

export type ParamFilter = { key: string; op: "<" | "<=" | "=" | "!=" | ">=" | ">"; value: string | number };

/**
 * Splits a filter into metric conditions (sent to the server as `where`) and param conditions (`param.max_depth>=4`,
 * `param.model=gbdt`), applied to the runs listed. A malformed param condition is an error naming it.
 */
export function splitFilter(text: string): { where: string; params: ParamFilter[]; error: string | null } {
  const metric: string[] = [];
  const params: ParamFilter[] = [];
  for (const part of text.split(",").map((x) => x.trim()).filter(Boolean)) {
    if (!/^params?\./.test(part)) {
      metric.push(part);
      continue;
    }
    const m = /^params?\.([A-Za-z_][A-Za-z0-9_.]*)\s*(<=|>=|!=|=|<|>)\s*(.+)$/.exec(part);
    if (!m) return { where: "", params: [], error: `"${part}" is not param.<name><op><value> (ops: < <= = != >= >)` };
    const raw = m[3].trim();
    const num = Number(raw);
    const value = raw !== "" && Number.isFinite(num) ? num : raw.replace(/^["']|["']$/g, "");
    if (typeof value === "string" && !["=", "!="].includes(m[2])) return { where: "", params: [], error: `"${part}": ${m[2]} needs a number (text compares with = or !=)` };
    params.push({ key: m[1], op: m[2] as ParamFilter["op"], value });
  }
  return { where: metric.join(","), params, error: null };
}

export function paramMatches(run: Run, f: ParamFilter): boolean {
  const v = run.params[f.key];
  if (v === undefined) return f.op === "!=";
  if (typeof f.value === "string") return (paramText(v) === f.value) === (f.op === "=");
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(n)) return f.op === "!=";
  switch (f.op) {
    case "<": return n < f.value;
    case "<=": return n <= f.value;
    case "=": return n === f.value;
    case "!=": return n !== f.value;
    case ">=": return n >= f.value;
    case ">": return n > f.value;
  }
}

/** Trials have no test metrics: they are fetched sorted by the CV mean of the parents' sort metric. */
const trialSort = (sort: string) => (sort === "started" ? undefined : sort.startsWith("cv_") ? sort : `cv_${sort}_mean`);

export default function Runs({ query }: { query: URLSearchParams }) {
  const dir = useProjectDir();
  const sort = query.get("sort") ?? "started";
  const order = query.get("order") ?? "desc";
  const filter = query.get("where") ?? "";
  const { where, params: paramFilters, error: filterError } = splitFilter(filter);
  const { lowerIsBetter } = useMetricDirections();
  const status = query.get("status") ?? "";
  const nameFilter = query.get("q") ?? "";
  const [limit, setLimit] = useState(200);
  const state = useApi<RunsResponse>(`/runs${qs({ sort: sort === "started" ? undefined : sort, order, where, status, limit })}`);
  const [whereDraft, setWhereDraft] = useState(filter);
  const [selected, setSelected] = useState<string[]>([]);
  const [open, setOpen] = useState<Record<string, Run[] | ApiFailure | "loading">>({});
  const inFlight = useRef(new Set<string>());
  // A new sort reads the unfolded trials again in the new order (they stay unfolded).
  useEffect(() => setOpen((o) => Object.fromEntries(Object.keys(o).map((id) => [id, "loading" as const]))), [sort, order]);
  // Trials are fetched when their parent is unfolded, sorted as the parents are.
  useEffect(() => {
    for (const [id, v] of Object.entries(open)) {
      if (v !== "loading" || inFlight.current.has(id)) continue;
      inFlight.current.add(id);
      const done = (runs: Run[] | ApiFailure) => {
        inFlight.current.delete(id);
        setOpen((o) => (o[id] ? { ...o, [id]: runs } : o));
      };
      getJson<RunsResponse>(`/runs${qs({ parent: id, sort: trialSort(sort), order, limit: 1000 })}`).then((r) => done(r.runs), done);
    }
  }, [open, sort, order]);

  const data = state.data;
  const keys = data?.metricKeys ?? [];
  const cols = query.get("cols")?.split(",").filter(Boolean) ?? defaultMetricColumns(keys);

  const paramKeys = [...new Set((data?.runs ?? []).flatMap((r) => Object.keys(r.params)))].sort();
  const paramCols = query.get("params")?.split(",").filter((k) => k && k !== "-") ?? defaultParamColumns(data?.runs ?? []);
  const keep = (r: Run) => paramFilters.every((f) => paramMatches(r, f));
  const rows: Row[] = [];
  const searches: { parent: Run; trials: Run[] }[] = [];
  for (const r of data?.runs ?? []) {
    if (nameFilter && !`${r.name} ${r.id} ${Object.values(r.tags).join(" ")}`.toLowerCase().includes(nameFilter.toLowerCase())) continue;
    const kids = open[r.id];
    // A trial records only the params it searched: the rest (the learner, fixed params) are its parent's.
    const trials = Array.isArray(kids) ? orderTrials(kids).map((k) => ({ ...k, params: { ...r.params, ...k.params } })).filter(keep) : [];
    if (!keep(r) && trials.length === 0) continue;
    rows.push({ ...r, depth: 0 });
    for (const k of trials) rows.push({ ...k, depth: 1 });
    if (Array.isArray(kids) && kids.length) searches.push({ parent: r, trials: kids });
  }

  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const trialsOf = (r: Run) => Number(r.tags.search_trials ?? 0);
  const columns: Column<Row>[] = [
    {
      key: "select",
      label: "",
      render: (r) => <input type="checkbox" aria-label={`select ${r.name}`} checked={selected.includes(r.id)} onChange={() => toggle(r.id)} />,
    },
    {
      key: "name",
      label: "run",
      render: (r) => (
        <span className={r.depth ? "trial" : undefined}>
          {r.depth === 0 && trialsOf(r) > 0 && (
            <button
              type="button"
              className="fold"
              aria-expanded={open[r.id] !== undefined}
              onClick={() => setOpen((o) => { const n = { ...o }; if (n[r.id]) delete n[r.id]; else n[r.id] = "loading"; return n; })}
            >
              {open[r.id] ? "▾" : "▸"} {trialsOf(r)} trials
            </button>
          )}
          <Link to={`/runs/${r.id}`} className="run-link" data-run-id={r.id}>
            {r.name}
          </Link>{" "}
          <span className="muted mono">{shortId(r.id)}</span>
        </span>
      ),
    },
    { key: "status", label: "status", render: (r) => <Badge text={r.tags.state && r.depth ? r.tags.state : r.status} /> },
    { key: "started", label: "started", sort: (r) => r.startedAt, render: (r) => <span title={fmtTime(r.startedAt)}>{fmtAgo(r.startedAt)}</span> },
    { key: "duration", label: "duration", align: "right", render: (r) => fmtDuration(r.durationMs) },
    ...paramCols.map((k): Column<Row> => ({ key: `param.${k}`, label: <span className="param-col">{k}</span>, title: `param ${k}`, align: "right", render: (r) => (r.params[k] === undefined ? <span className="muted">–</span> : <span className="mono small">{paramText(r.params[k])}</span>) })),
    ...cols.map((k): Column<Row> => ({ key: k, label: k, align: "right", sort: (r) => r.metrics[k], render: (r) => <MetricCell run={r} k={k} /> })),
  ];

  return (
    <>
      <PageHeader
        title="Runs"
        sub="training runs of every pipeline run; search trials fold under the candidate that ran them"
        actions={
          <>
            <button type="button" className="btn" disabled={!rows.length} onClick={() => download("runs.csv", runsCsv(rows, keys))}>
              CSV
            </button>
            <button type="button" className="btn primary" disabled={selected.length < 2} onClick={() => navigate(`/compare?ids=${selected.join(",")}`)}>
              Compare {selected.length >= 2 ? selected.length : ""} runs
            </button>
          </>
        }
      />
      <Card>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery({ where: whereDraft.trim() });
          }}
        >
          <label>
            filter
            <input className="filter" name="filter" placeholder="roc_auc>0.8, param.max_depth>=4" value={whereDraft} onChange={(e) => setWhereDraft(e.target.value)} title="metric conditions (roc_auc>0.8) and param conditions (param.model=gbdt, param.learning_rate<0.1), joined by commas" />
          </label>
          <label>
            name
            <input placeholder="gbdt" value={nameFilter} onChange={(e) => setQuery({ q: e.target.value })} />
          </label>
          <label>
            status
            <select value={status} onChange={(e) => setQuery({ status: e.target.value })}>
              <option value="">any</option>
              <option>finished</option>
              <option>failed</option>
              <option>running</option>
            </select>
          </label>
          <label>
            sort
            <select value={sort} onChange={(e) => setQuery({ sort: e.target.value })}>
              <option value="started">start time</option>
              {keys.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
          <button type="button" className="btn" onClick={() => setQuery({ order: order === "desc" ? "asc" : "desc" })} title="order">
            {order === "desc" ? "▼ desc" : "▲ asc"}
          </button>
          <details className="columns-menu">
            <summary className="btn">columns</summary>
            <div className="menu">
              <div className="menu-head">metrics</div>
              {keys.map((k) => (
                <label key={k}>
                  <input
                    type="checkbox"
                    checked={cols.includes(k)}
                    onChange={() => setQuery({ cols: (cols.includes(k) ? cols.filter((c) => c !== k) : [...cols, k]).join(",") })}
                  />
                  {k}
                </label>
              ))}
              <div className="menu-head">params</div>
              {paramKeys.map((k) => (
                <label key={`param.${k}`}>
                  <input
                    type="checkbox"
                    name={`param-column-${k}`}
                    checked={paramCols.includes(k)}
                    onChange={() => setQuery({ params: (paramCols.includes(k) ? paramCols.filter((c) => c !== k) : [...paramCols, k]).join(",") || "-" })}
                  />
                  {k}
                </label>
              ))}
            </div>
          </details>
          <button type="submit" className="btn">apply</button>
        </form>
        {filterError && <div className="error-box" role="alert"><strong>{filterError}</strong></div>}
        {state.error ? (
          <ErrorBox error={state.error} onRetry={state.reload} />
        ) : !data ? (
          <Loading what="reading runs" />
        ) : data.runs.length === 0 && !filter && !status ? (
          <Empty title="no runs yet: the pipeline trains and tracks every candidate" command={`millrace run ${dir}`} />
        ) : (
          <>
            <DataTable
              rows={rows}
              rowKey={(r) => r.id}
              columns={columns}
              rowClass={(r) => (r.depth ? "child" : undefined)}
              sort={{ key: sort, dir: order as "asc" | "desc" }}
              onSort={(s) => setQuery({ sort: s.key, order: s.dir })}
              empty={`no run matches ${filter || status}`}
            />
            {Object.entries(open).map(([id, v]) => (v instanceof Error ? <ErrorBox key={id} error={v} /> : null))}
            {data.hasMore && (
              <button type="button" className="btn" onClick={() => setLimit((l) => l + 200)}>
                load more
              </button>
            )}
          </>
        )}
      </Card>
      {searches.map(({ parent, trials }) => (
        <Card key={parent.id} title={<>Search of <Link to={`/runs/${parent.id}`}>{parent.name}</Link>: {trials.length} trials{trials.some((t) => trialState(t) === "pruned") ? `, ${trials.filter((t) => trialState(t) === "pruned").length} pruned` : ""}</>}>
          <ParallelTrials trials={trials} label={`parallel coordinates of the trials of ${parent.name}`} lowerIsBetter={lowerIsBetter} />
        </Card>
      ))}
    </>
  );
}
