// What a page shows while it loads, when a request failed (the server's message and hint) and when there is
// nothing yet (the command that makes something).
import { useState, type ReactNode } from "react";
import { setToken, type ApiFailure } from "../api.js";

export function Loading({ what = "loading" }: { what?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {what}…
    </div>
  );
}

/** The server has an API token: ask for it once, keep it for this tab, and load the page again. */
function TokenForm({ message }: { message: string }) {
  const [token, set] = useState("");
  return (
    <form
      className="error-box"
      onSubmit={(e) => {
        e.preventDefault();
        setToken(token.trim());
        window.location.reload();
      }}
    >
      <strong>{message}</strong>
      <div className="toolbar">
        <label>
          API token
          <input type="password" autoComplete="current-password" value={token} onChange={(e) => set(e.target.value)} />
        </label>
        <button className="btn" type="submit" disabled={!token.trim()}>
          open
        </button>
      </div>
    </form>
  );
}

export function ErrorBox({ error, onRetry }: { error: ApiFailure; onRetry?: () => void }) {
  if (error.status === 401) return <TokenForm message={error.body.message} />;
  // Not found is a state (nothing run yet, a deleted run), not a failure: said calmly, with what to run.
  if (error.status === 404) {
    return (
      <Empty title={error.body.message}>{error.body.hint && <div className="hint">{renderHint(error.body.hint)}</div>}</Empty>
    );
  }
  return (
    <div className="error-box" role="alert">
      <strong>{error.body.message}</strong>
      {error.body.hint && <div className="hint">{renderHint(error.body.hint)}</div>}
      {onRetry && (
        <button type="button" className="btn small" onClick={onRetry}>
          try again
        </button>
      )}
    </div>
  );
}

/** Hints usually name a command: "run the pipeline: millrace run DIR" shows the command as code. */
function renderHint(hint: string): ReactNode {
  const i = hint.search(/\bmillrace |\bnpm /);
  if (i < 0) return hint;
  return (
    <>
      {hint.slice(0, i)}
      <code>{hint.slice(i)}</code>
    </>
  );
}

export function Empty({ title, command, children }: { title: string; command?: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty-title">{title}</div>
      {command && <code className="command">{command}</code>}
      {children}
    </div>
  );
}

/** Renders `body` once the API answered; a spinner before, the error box on failure. */
export function Loaded<T>({ state, children, what }: { state: { data: T | undefined; error: ApiFailure | null; reload(): void }; what?: string; children: (data: T) => ReactNode }) {
  if (state.error) return <ErrorBox error={state.error} onRetry={state.reload} />;
  if (state.data === undefined) return <Loading what={what} />;
  return <>{children(state.data)}</>;
}

export function PageHeader({ title, sub, actions }: { title: ReactNode; sub?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {sub && <div className="sub">{sub}</div>}
      </div>
      {actions && <div className="actions">{actions}</div>}
    </header>
  );
}

export function Card({ title, children, className, extra }: { title?: ReactNode; children: ReactNode; className?: string; extra?: ReactNode }) {
  return (
    <section className={`card ${className ?? ""}`}>
      {(title || extra) && (
        <div className="card-title">
          <h2>{title}</h2>
          {extra}
        </div>
      )}
      {children}
    </section>
  );
}

export function KeyValues({ items }: { items: [ReactNode, ReactNode][] }) {
  return (
    <dl className="kv">
      {items.map(([k, v], i) => (
        <div key={i}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
