// Registry actions from the dashboard: promote a version to an alias with a reason, roll an alias back to the version
// it held before, archive or restore a version. They go to the server's token-guarded routes
// (POST /models/{name}/aliases/{alias}[/rollback], POST /models/{name}/versions/{version}/archive); each is audited
// there, and every page shown reads its data again so the history and the served version update.
import { useState, type FormEvent } from "react";
import type { AliasTransitionRow, ArchiveResult } from "../../../src/ui-api/types.js";
import { ApiFailure, usePost } from "../api.js";
import { ErrorBox } from "./States.js";

type Done = { text: string } | null;

function useAction() {
  const { busy, error, post } = usePost();
  const [done, setDone] = useState<Done>(null);
  const run = async <T = AliasTransitionRow,>(url: string, body: unknown, said: (t: T) => string) => {
    setDone(null);
    const t = await post<T>(url, body);
    if (t !== null) setDone({ text: said(t) });
    return t !== null;
  };
  return { busy, error, done, run };
}

const aliasUrl = (name: string, alias: string) => `/models/${encodeURIComponent(name)}/aliases/${encodeURIComponent(alias)}`;
const ALIAS = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** A failed move: the server's message (a 401 names the missing token, a 403 the missing scope) and its hint. */
function Failure({ error }: { error: ApiFailure }) {
  // The token form of a 401 on a page read would reload the page; here the message and hint say what to do.
  return <ErrorBox error={error.status === 401 || error.status === 404 ? new ApiFailure(400, error.body) : error} />;
}

/** Points an alias (the served one by default) at this version, with the reason the audit keeps. */
export function PromoteForm({ name, version, aliases, defaultAlias }: { name: string; version: number; aliases: string[]; defaultAlias: string }) {
  const [alias, setAlias] = useState(defaultAlias);
  const [reason, setReason] = useState("");
  const a = useAction();
  const holds = aliases.includes(alias);
  const valid = ALIAS.test(alias) && reason.trim().length > 0 && !holds;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await a.run(aliasUrl(name, alias), { version, reason: reason.trim() }, (t) => `@${t.alias} moved from ${t.fromVersion === null ? "nothing" : `v${t.fromVersion}`} to v${t.toVersion}`)) setReason("");
  };
  return (
    <form className="registry-action" onSubmit={submit} aria-label="promote">
      <div className="toolbar">
        <label>
          alias
          <input name="alias" list="alias-names" value={alias} onChange={(e) => setAlias(e.target.value.trim())} size={12} />
        </label>
        <label className="grow">
          reason (kept in the audit)
          <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="why this version" maxLength={1000} />
        </label>
        <button className="btn primary" type="submit" disabled={!valid || a.busy}>
          {a.busy ? "moving…" : `Promote v${version} to @${alias || "…"}`}
        </button>
      </div>
      <datalist id="alias-names">
        {["production", "staging", "challenger", ...aliases].filter((x, i, all) => all.indexOf(x) === i).map((x) => (
          <option key={x} value={x} />
        ))}
      </datalist>
      {holds && <div className="muted small">v{version} already holds @{alias}</div>}
      {a.done && <div className="outcome ok" role="status">{a.done.text}</div>}
      {a.error && <Failure error={a.error} />}
    </form>
  );
}

/** Moves an alias back to the version it held before its last move. */
export function RollbackForm({ name, alias, version }: { name: string; alias: string; version: number }) {
  const [reason, setReason] = useState("");
  const a = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await a.run(`${aliasUrl(name, alias)}/rollback`, { reason: reason.trim() }, (t) => `@${t.alias} rolled back from v${t.fromVersion} to ${t.toVersion === null ? "nothing" : `v${t.toVersion}`}`)) setReason("");
  };
  return (
    <form className="registry-action" onSubmit={submit} aria-label={`roll back @${alias}`}>
      <div className="toolbar">
        <label className="grow">
          reason
          <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder={`why @${alias} leaves v${version}`} maxLength={1000} />
        </label>
        <button className="btn" type="submit" disabled={reason.trim().length === 0 || a.busy}>
          {a.busy ? "rolling back…" : `Roll back @${alias}`}
        </button>
      </div>
      {a.done && <div className="outcome ok" role="status">{a.done.text}</div>}
      {a.error && <Failure error={a.error} />}
    </form>
  );
}

/**
 * Archives the version (it keeps its artifact and lineage, loses every alias it holds and cannot take one) or restores
 * it. Archiving a version that holds an alias says which aliases go before the button is pressed.
 */
export function ArchiveForm({ name, version, archived, aliases }: { name: string; version: number; archived: boolean; aliases: string[] }) {
  const [reason, setReason] = useState("");
  const a = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const url = `/models/${encodeURIComponent(name)}/versions/${version}/archive`;
    const ok = await a.run<ArchiveResult>(url, { reason: reason.trim(), restore: archived }, (r) =>
      !r.changed
        ? `v${r.version} already was ${r.archived ? "archived" : "active"}`
        : r.archived
          ? `v${r.version} archived${r.aliasesRemoved.length ? `; ${r.aliasesRemoved.map((t) => `@${t.alias}`).join(", ")} removed` : ""}`
          : `v${r.version} restored: it can take an alias again`,
    );
    if (ok) setReason("");
  };
  const verb = archived ? "Restore" : "Archive";
  return (
    <form className="registry-action" onSubmit={submit} aria-label={archived ? "restore" : "archive"}>
      <div className="toolbar">
        <label className="grow">
          reason (kept in the audit)
          <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder={archived ? `why v${version} comes back` : `why v${version} is retired`} maxLength={1000} />
        </label>
        <button className={archived ? "btn" : "btn danger"} type="submit" disabled={reason.trim().length === 0 || a.busy}>
          {a.busy ? `${verb.toLowerCase()}…` : `${verb} v${version}`}
        </button>
      </div>
      {!archived && aliases.length > 0 && (
        <div className="warn small" role="note">
          archiving takes {aliases.map((x) => `@${x}`).join(", ")} off v{version}: a server following {aliases.length > 1 ? "them" : "it"} has no version to answer with until another is promoted
        </div>
      )}
      {a.done && <div className="outcome ok" role="status">{a.done.text}</div>}
      {a.error && <Failure error={a.error} />}
    </form>
  );
}
