// Editable notes and tags: a run's note and tags (and a model version's description) changed in place with the
// server's token, as promote is; the page reads the run again at once, and the audited edits (who, when, before →
// after) are listed under them. Tags the pipeline writes show without a remove button (the API refuses them).
import { useState, type FormEvent } from "react";
import type { AnnotationEdit, AnnotationResult } from "../../../src/ui-api/types.js";
import { SYSTEM_TAGS } from "../../../src/ui-api/system-tags.js";
import { ApiFailure, useApi, usePost } from "../api.js";
import { fmtAgo, fmtTime } from "../format.js";
import { ErrorBox } from "./States.js";

const TAG_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,63}$/;

function useSave(url: string) {
  const { busy, error, post } = usePost();
  const save = async (body: unknown): Promise<boolean> => (await post<AnnotationResult>(url, body)) !== null;
  // A 401 here means the server needs a token for writes: its message and hint, not the page's token form.
  const failure = error && <ErrorBox error={error.status === 401 ? new ApiFailure(400, error.body) : error} />;
  return { busy, failure, save };
}

/** A note (or description) shown as text, with an edit box behind a button. */
export function NoteEditor({ url, field, value, placeholder }: { url: string; field: "notes" | "description"; value: string | null | undefined; placeholder: string }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(value ?? "");
  const s = useSave(url);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await s.save({ [field]: text.trim() === "" ? null : text })) setEditing(false);
  };
  if (!editing) {
    return (
      <div className="note" data-note={field}>
        {value ? <span className="note-text">{value}</span> : <span className="muted">{placeholder}</span>}{" "}
        <button type="button" className="btn small" onClick={() => (setText(value ?? ""), setEditing(true))}>
          {value ? "edit" : "add"} {field === "notes" ? "note" : "description"}
        </button>
      </div>
    );
  }
  return (
    <form className="note-edit" onSubmit={submit} aria-label={`edit ${field}`}>
      <textarea name={field} value={text} onChange={(e) => setText(e.target.value)} rows={3} maxLength={10_000} autoFocus />
      <div className="toolbar">
        <button className="btn primary" type="submit" disabled={s.busy}>{s.busy ? "saving…" : "Save"}</button>
        <button className="btn" type="button" onClick={() => setEditing(false)} disabled={s.busy}>Cancel</button>
      </div>
      {s.failure}
    </form>
  );
}

/** A run's tags as chips (user tags removable) and a key=value form to add or change one. */
export function TagEditor({ runId, tags }: { runId: string; tags: Record<string, string> }) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const s = useSave(`/api/runs/${encodeURIComponent(runId)}/annotations`);
  const validKey = TAG_KEY.test(key) && !SYSTEM_TAGS.has(key);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await s.save({ tags: { [key]: value } })) (setKey(""), setValue(""));
  };
  return (
    <div className="tag-editor">
      <span className="chips">
        {Object.entries(tags).map(([k, v]) => (
          <span key={k} className="chip" data-tag={k}>
            {k}={v}
            {!SYSTEM_TAGS.has(k) && (
              <button type="button" className="chip-x" aria-label={`remove tag ${k}`} title={`remove ${k}`} disabled={s.busy} onClick={() => void s.save({ tags: { [k]: null } })}>
                ×
              </button>
            )}
          </span>
        ))}
      </span>
      <form className="toolbar tag-add" onSubmit={add} aria-label="add tag">
        <input name="tag-key" placeholder="key" value={key} onChange={(e) => setKey(e.target.value.trim())} size={10} maxLength={64} aria-label="tag key" />
        <input name="tag-value" placeholder="value" value={value} onChange={(e) => setValue(e.target.value)} size={14} maxLength={500} aria-label="tag value" />
        <button className="btn small" type="submit" disabled={!validKey || s.busy}>{key && tags[key] !== undefined ? "set tag" : "add tag"}</button>
      </form>
      {key && SYSTEM_TAGS.has(key) && <div className="muted small">{key} is written by the pipeline</div>}
      {s.failure}
    </div>
  );
}

/** The audited edits of a run or model version, newest first (hidden when there are none). */
export function EditHistory({ path }: { path: string }) {
  const h = useApi<AnnotationEdit[]>(path);
  if (!h.data?.length) return null;
  const show = (v: string | null) => (v === null ? <span className="muted">(none)</span> : <q>{v.length > 80 ? `${v.slice(0, 80)}…` : v}</q>);
  return (
    <details className="edit-history">
      <summary>{h.data.length} edit{h.data.length > 1 ? "s" : ""}, last {fmtAgo(h.data[0].at)} by {h.data[0].actor}</summary>
      <ul>
        {h.data.map((e) => (
          <li key={e.id} data-edit={e.field}>
            <span title={fmtTime(e.at)}>{fmtAgo(e.at)}</span> · {e.actor} · {e.field.replace(/^tag:/, "tag ")}: {show(e.before)} → {show(e.after)}
          </li>
        ))}
      </ul>
    </details>
  );
}
