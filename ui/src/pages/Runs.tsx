// Runs: every tracked training run, sorted by any metric and filtered by metric conditions on the server, search
// trials folded under their parent run, chosen metric columns, and a selection to compare side by side.
import { useEffect, useRef, useState } from "react";
import type { Run, RunsResponse } from "../../../src/ui-api/types.js";
import { getJson, qs, useApi, useProjectDir, type ApiFailure } from "../api.js";
import { Badge } from "../components/Badges.js";
import { DataTable, type Column } from "../components/DataTable.js";
import { Card, Empty, ErrorBox, Loading, PageHeader } from "../components/States.js";
import { fmtAgo, fmtDuration, fmtNum, fmtTime, shortId } from "../format.js";
import { Link, navigate, setQuery } from "../router.js";

const PREFERRED = ["roc_auc", "accuracy", "f1", "pr_auc", "log_loss", "r2", "rmse", "mae"];

export function defaultMetricColumns(keys: string[]): string[] {
  const plain = keys.filter((k) => !k.startsWith("cv_") && !k.endsWith("_seconds"));
  const ranked = [...plain].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return ranked.slice(0, 5);
}
const rank = (k: string) => (PREFERRED.includes(k) ? PREFERRED.indexOf(k) : PREFERRED.length);

type Row = Run & { depth: number };

/** A trial is scored by cross-validation only: its column shows the CV mean, marked as such. */
function MetricCell({ run, k }: { run: Row; k: string }) {
  const v = run.metrics[k];
  const cv = run.depth ? run.metrics[`cv_${k}_mean`] : undefined;
  if (v === undefined && cv !== undefined) {
    return (
      <span className="cv" title={`cv_${k}_mean: trials are scored by cross-validation`}>
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

/** Trials have no test metrics: they are fetched sorted by the CV mean of the parents' sort metric. */
const trialSort = (sort: string) => (sort === "started" ? undefined : sort.startsWith("cv_") ? sort : `cv_${sort}_mean`);

export default function Runs({ query }: { query: URLSearchParams }) {
  const dir = useProjectDir();
  const sort = query.get("sort") ?? "started";
  const order = query.get("order") ?? "desc";
  const where = query.get("where") ?? "";
  const status = query.get("status") ?? "";
  const nameFilter = query.get("q") ?? "";
  const [limit, setLimit] = useState(200);
  const state = useApi<RunsResponse>(`/runs${qs({ sort: sort === "started" ? undefined : sort, order, where, status, limit })}`);
  const [whereDraft, setWhereDraft] = useState(where);
  const [selected, setSelected] = useState<string[]>([]);
  const [open, setOpen] = useState<Record<string, Run[] | ApiFailure | "loading">>({});
  const inFlight = useRef(new Set<string>());
  useEffect(() => setOpen({}), [sort, order]);
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

  const rows: Row[] = [];
  for (const r of data?.runs ?? []) {
    if (nameFilter && !`${r.name} ${r.id} ${Object.values(r.tags).join(" ")}`.toLowerCase().includes(nameFilter.toLowerCase())) continue;
    rows.push({ ...r, depth: 0 });
    const kids = open[r.id];
    if (Array.isArray(kids)) for (const k of kids) rows.push({ ...k, depth: 1 });
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
            <input className="mono filter" placeholder="roc_auc>0.8, log_loss<0.45" value={whereDraft} onChange={(e) => setWhereDraft(e.target.value)} />
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
            </div>
          </details>
          <button type="submit" className="btn">apply</button>
        </form>
        {state.error ? (
          <ErrorBox error={state.error} onRetry={state.reload} />
        ) : !data ? (
          <Loading what="reading runs" />
        ) : data.runs.length === 0 && !where && !status ? (
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
              empty={`no run matches ${where || status}`}
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
    </>
  );
}
