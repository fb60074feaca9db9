// Lineage: a model version (or table version, run, dataset) and everything it was made from — run, dataset,
// tables and the source files with their hashes — as a graph, or everything made from it.
import { lazy, Suspense, useEffect, useState } from "react";
import type { LineageGraph, LineageNodeKind } from "../../../src/ui-api/types.js";
import { qs, useApi } from "../api.js";
import { Card, Loaded, Loading, PageHeader } from "../components/States.js";
import type { GraphNode } from "../components/Graph.js";
import { navigate, setQuery } from "../router.js";

const Graph = lazy(() => import("../components/Graph.js").then((m) => ({ default: m.Graph })));

export const KIND_COLOR: Record<LineageNodeKind, string> = {
  model: "#8b5cf6", run: "#2563eb", dataset: "#0ea5e9", table: "#10b981", file: "#f59e0b", other: "#94a3b8",
};

export default function Lineage({ query }: { query: URLSearchParams }) {
  const ref = query.get("ref") ?? "";
  const direction = query.get("direction") === "down" ? "down" : "up";
  const [draft, setDraft] = useState(ref);
  useEffect(() => setDraft(ref), [ref]);
  const state = useApi<LineageGraph>(`/lineage${qs({ ref, direction: direction === "down" ? "down" : undefined })}`);
  return (
    <>
      <PageHeader title="Lineage" sub="every record points at the records it came from: model ← run ← dataset ← tables ← source files" />
      <Card>
        <form className="toolbar" onSubmit={(e) => { e.preventDefault(); setQuery({ ref: draft.trim() }); }}>
          <label>
            record
            <input className="mono wide" placeholder="churn@3, gold.churn_training@2, run:<id>" value={draft} onChange={(e) => setDraft(e.target.value)} />
          </label>
          <button type="submit" className="btn">show</button>
          <div className="segmented" role="group" aria-label="direction">
            <button type="button" className={direction === "up" ? "active" : undefined} onClick={() => setQuery({ direction: null })}>made from</button>
            <button type="button" className={direction === "down" ? "active" : undefined} onClick={() => setQuery({ direction: "down" })}>used by</button>
          </div>
          <span className="legend">{Object.entries(KIND_COLOR).slice(0, 5).map(([k, c]) => <span key={k}><i style={{ background: c }} />{k}</span>)}</span>
        </form>
      </Card>
      <Loaded state={state} what="walking the lineage">
        {(g) => {
          const nodes: GraphNode[] = g.nodes.map((n) => ({
            id: n.id,
            title: n.label,
            tag: n.kind,
            color: KIND_COLOR[n.kind],
            lines: n.detail.slice(0, 3),
            highlight: n.id === g.root,
            onOpen: n.href ? () => navigate(n.href!) : () => setQuery({ ref: n.id }),
          }));
          return (
            <>
              <Card title={<>Graph of <code>{g.root}</code></>} extra={g.truncated ? <span className="warn-text">stopped at {g.nodes.length} records</span> : <span className="muted">{g.nodes.length} records, {g.edges.length} edges</span>}>
                <Suspense fallback={<Loading what="drawing the graph" />}>
                  <Graph nodes={nodes} edges={g.edges.map((e) => ({ from: e.from, to: e.to, label: e.kind.replace("_", " ") }))} />
                </Suspense>
              </Card>
              <Card title="Records">
                <table className="data dense">
                  <thead>
                    <tr><th>kind</th><th>record</th><th>facts</th></tr>
                  </thead>
                  <tbody>
                    {g.nodes.map((n) => (
                      <tr key={n.id}>
                        <td><span className="kind" style={{ color: KIND_COLOR[n.kind] }}>{n.kind}</span></td>
                        <td className="mono small break">{n.id}</td>
                        <td className="small">{n.detail.join(" · ")}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Card>
            </>
          );
        }}
      </Loaded>
    </>
  );
}
