// One lake table: its current schema and version history, and for any version a per-column profile (histograms,
// top values), the first rows, and the diff against another version.
import { useState } from "react";
import type { TableDetail, TableDiffResponse, TablePreview } from "../../../src/ui-api/types.js";
import { qs, useApi } from "../api.js";
import { DataTable } from "../components/DataTable.js";
import { Card, KeyValues, Loaded, PageHeader } from "../components/States.js";
import { fmtAgo, fmtInt, fmtTime } from "../format.js";
import { Link, setQuery } from "../router.js";
import { Profile } from "./TableProfile.js";

const TABS = ["profile", "rows", "history", "schema", "diff"] as const;

function Preview({ table, version }: { table: string; version: number }) {
  const state = useApi<TablePreview>(`/tables/${table}/preview${qs({ version, limit: 50 })}`);
  return (
    <Loaded state={state} what="reading rows">
      {(p) => (
        <div className="table-wrap">
          <table className="data dense">
            <thead>
              <tr>{p.columns.map((c) => <th key={c}>{c}</th>)}</tr>
            </thead>
            <tbody>
              {p.rows.map((r, i) => (
                <tr key={i}>{r.map((v, j) => <td key={j} className={typeof v === "number" ? "num" : undefined}>{v === null ? <span className="muted">null</span> : typeof v === "object" ? JSON.stringify(v) : String(v)}</td>)}</tr>
              ))}
            </tbody>
          </table>
          <div className="muted small">the first {p.rows.length} rows of v{p.version}</div>
        </div>
      )}
    </Loaded>
  );
}

function Diff({ table, versions, to }: { table: string; versions: number[]; to: number }) {
  const [from, setFrom] = useState(versions.find((v) => v < to) ?? to);
  const [target, setTarget] = useState(to);
  const [key, setKey] = useState("");
  const [keyApplied, setKeyApplied] = useState("");
  const state = useApi<TableDiffResponse>(`/tables/${table}/diff${qs({ from, to: target, key: keyApplied })}`);
  const pick = (value: number, set: (n: number) => void) => (
    <select value={value} onChange={(e) => set(Number(e.target.value))}>
      {versions.map((v) => <option key={v} value={v}>v{v}</option>)}
    </select>
  );
  return (
    <>
      <form className="toolbar" onSubmit={(e) => { e.preventDefault(); setKeyApplied(key.trim()); }}>
        <label>from {pick(from, setFrom)}</label>
        <label>to {pick(target, setTarget)}</label>
        <label>
          key columns (for row changes)
          <input className="mono" placeholder="customer_id" value={key} onChange={(e) => setKey(e.target.value)} />
        </label>
        <button className="btn" type="submit">compare</button>
      </form>
      <Loaded state={state} what="comparing">
        {(d) => (
          <KeyValues
            items={[
              ["rows", `${fmtInt(d.rowCount.from)} → ${fmtInt(d.rowCount.to)} (${d.rowCount.delta >= 0 ? "+" : ""}${fmtInt(d.rowCount.delta)})`],
              ["content", d.contentChanged ? "changed" : "identical (same content hash)"],
              ["files", `${d.files.added} added, ${d.files.removed} removed, ${d.files.kept} kept`],
              ["columns added", d.schema.added.map((c) => `${c.name} ${c.type}`).join(", ") || "none"],
              ["columns removed", d.schema.removed.map((c) => `${c.name} ${c.type}`).join(", ") || "none"],
              ["types changed", d.schema.changed.map((c) => `${c.name}: ${c.from} → ${c.to}`).join(", ") || "none"],
              ["row changes", d.rows ? `${fmtInt(d.rows.added)} added, ${fmtInt(d.rows.removed)} removed, ${fmtInt(d.rows.changed)} changed (key ${d.rows.key.join(", ")})` : "give key columns to count rows added, removed and changed"],
            ]}
          />
        )}
      </Loaded>
    </>
  );
}

export default function TablePage({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const table = params.table;
  const state = useApi<TableDetail>(`/tables/${table}`);
  const tab = (TABS as readonly string[]).includes(query.get("tab") ?? "") ? (query.get("tab") as (typeof TABS)[number]) : "profile";
  return (
    <Loaded state={state} what="reading the table">
      {(t) => {
        const version = Number(query.get("version")) || t.current.version;
        const versions = t.history.map((h) => h.version);
        return (
          <>
            <PageHeader
              title={<>{t.table} <span className="muted">v{version}</span></>}
              sub={<>current v{t.current.version}: {fmtInt(t.current.rowCount)} rows, {t.current.schema.length} columns, {t.current.operation} {fmtAgo(t.current.createdAt)}</>}
              actions={
                <>
                  <label className="inline">
                    version{" "}
                    <select value={version} onChange={(e) => setQuery({ version: e.target.value })}>
                      {versions.map((v) => <option key={v} value={v}>v{v}</option>)}
                    </select>
                  </label>
                  <Link className="btn" to={`/lineage?ref=${encodeURIComponent(`${t.table}@${version}`)}`}>lineage</Link>
                </>
              }
            />
            <div className="tabs" role="tablist">
              {TABS.map((x) => (
                <button key={x} type="button" role="tab" aria-selected={tab === x} className={tab === x ? "active" : undefined} onClick={() => setQuery({ tab: x })}>
                  {x}
                </button>
              ))}
            </div>
            <Card>
              {tab === "profile" && <Profile table={t.table} version={version} />}
              {tab === "rows" && <Preview table={t.table} version={version} />}
              {tab === "schema" && (
                <DataTable dense rows={t.current.schema} rowKey={(c) => c.name} columns={[
                  { key: "name", label: "column", render: (c) => <span className="mono">{c.name}</span>, sort: (c) => c.name },
                  { key: "type", label: "type", render: (c) => c.type, sort: (c) => c.type },
                  { key: "nullable", label: "nullable", render: (c) => (c.nullable ? "yes" : "no") },
                ]} />
              )}
              {tab === "history" && (
                <DataTable dense rows={t.history} rowKey={(h) => String(h.version)} rowClass={(h) => (h.version === version ? "row-selected" : undefined)} columns={[
                  { key: "version", label: "version", render: (h) => <a href="#" onClick={(e) => { e.preventDefault(); setQuery({ version: String(h.version), tab: "profile" }); }}>v{h.version}</a>, sort: (h) => h.version },
                  { key: "op", label: "operation", render: (h) => h.operation },
                  { key: "rows", label: "rows", align: "right", render: (h) => fmtInt(h.rowCount), sort: (h) => h.rowCount },
                  { key: "quarantined", label: "quarantined", align: "right", render: (h) => (h.rowsQuarantined ? fmtInt(h.rowsQuarantined) : "") },
                  { key: "files", label: "source files", align: "right", render: (h) => h.sourceFiles ?? "" },
                  { key: "parents", label: "built from", render: (h) => h.parents.join(", ") },
                  { key: "at", label: "created", render: (h) => fmtTime(h.createdAt), sort: (h) => h.createdAt },
                  { key: "hash", label: "hash", render: (h) => <code className="small">{h.contentHash.slice(0, 12)}</code> },
                ]} />
              )}
              {tab === "diff" && <Diff table={t.table} versions={versions} to={version} />}
            </Card>
          </>
        );
      }}
    </Loaded>
  );
}
