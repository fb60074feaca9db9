// Fetching the dashboard API: JSON or a typed error carrying the server's message and hint, with a small cache
// so going back to a page shows it at once while it refreshes.
import { useCallback, useEffect, useRef, useState } from "react";
import type { ApiError } from "../../src/ui-api/types.js";

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.message);
  }
}

const cache = new Map<string, unknown>();
const TOKEN_KEY = "millrace.token";

/** The API token the person entered (kept for this tab only), sent with every request. */
export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** True when the person entered a token in this tab (the curl lines then show the header it needs). */
export function hasToken(): boolean {
  return Boolean(sessionStorage.getItem(TOKEN_KEY));
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return send<T>(`/api${path}`, { signal: signal ?? null });
}

/**
 * POST (or DELETE) a JSON body to a server path — `/api/...` or the server's own routes such as
 * `/models/{name}/aliases/{alias}` — with the tab's token; the same typed errors as a GET.
 */
export async function postJson<T>(url: string, body: unknown, method: "POST" | "DELETE" = "POST"): Promise<T> {
  return send<T>(url, { method, body: JSON.stringify(body), headers: { "content-type": "application/json" } });
}

async function send<T>(url: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    const token = sessionStorage.getItem(TOKEN_KEY);
    res = await fetch(url, { ...init, headers: { accept: "application/json", ...(init.headers as Record<string, string> | undefined), ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiFailure(0, { error: "unreachable", message: "the millrace server did not answer", hint: "is `millrace serve` still running?" });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiFailure(res.status, { error: "bad_response", message: `the server answered ${res.status} without JSON`, hint: text.slice(0, 200) });
  }
  if (!res.ok) throw new ApiFailure(res.status, body as ApiError);
  if (!init.method) cache.set(url.slice("/api".length), body);
  return body as T;
}

/** Downloads a file from the API with the tab's token (a plain link could not send it); errors as ApiFailure. */
export async function downloadFile(path: string, filename: string): Promise<number> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(`/api${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const text = await res.text();
    let body: ApiError;
    try {
      body = JSON.parse(text) as ApiError;
    } catch {
      body = { error: "bad_response", message: `the server answered ${res.status}`, hint: text.slice(0, 200) };
    }
    throw new ApiFailure(res.status, body);
  }
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return blob.size;
}

const CHANGED = "millrace:changed";

/** Something changed on the server (an alias moved): every page shown reads its data again. */
export function notifyChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

export interface ApiState<T> {
  data: T | undefined;
  error: ApiFailure | null;
  loading: boolean;
  reload(): void;
}


/**
 * A POST a click makes (promote, annotate, trigger, …): busy while it goes, its failure kept for the page's ErrorBox,
 * every page's data read again after it lands. Resolves to the answer, or null when it failed.
 */
export function usePost() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  const post = async <T,>(url: string, body: unknown): Promise<T | null> => {
    setBusy(true);
    setError(null);
    try {
      const answer = await postJson<T>(url, body);
      notifyChanged();
      return answer;
    } catch (e) {
      setError(e instanceof ApiFailure ? e : new ApiFailure(0, { error: "client_error", message: String(e) }));
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, post };
}
/** GET /api{path} while the component is shown; null skips the request. `refreshMs` polls while the tab is visible. */
export function useApi<T>(path: string | null, opts: { refreshMs?: number } = {}): ApiState<T> {
  const [state, setState] = useState<{ path: string | null; data: T | undefined; error: ApiFailure | null; loading: boolean }>(() => ({
    path,
    data: path ? (cache.get(path) as T | undefined) : undefined,
    error: null,
    loading: path !== null,
  }));
  const [tick, setTick] = useState(0);
  const current = useRef(path);
  current.current = path;

  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    setState((s) => ({ path, data: s.path === path ? s.data : (cache.get(path) as T | undefined), error: null, loading: true }));
    getJson<T>(path, ctl.signal).then(
      (data) => current.current === path && setState({ path, data, error: null, loading: false }),
      (e: unknown) => {
        if ((e as Error).name === "AbortError") return;
        const error = e instanceof ApiFailure ? e : new ApiFailure(0, { error: "client_error", message: String(e) });
        if (current.current === path) setState({ path, data: undefined, error, loading: false });
      },
    );
    return () => ctl.abort();
  }, [path, tick]);

  useEffect(() => {
    if (!opts.refreshMs || path === null) return;
    const timer = setInterval(() => document.visibilityState === "visible" && setTick((t) => t + 1), opts.refreshMs);
    return () => clearInterval(timer);
  }, [opts.refreshMs, path]);

  useEffect(() => {
    if (path === null) return;
    const bump = () => setTick((t) => t + 1);
    window.addEventListener(CHANGED, bump);
    return () => window.removeEventListener(CHANGED, bump);
  }, [path]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const same = state.path === path;
  return { data: same ? state.data : (path ? (cache.get(path) as T | undefined) : undefined), error: same ? state.error : null, loading: same ? state.loading : path !== null, reload };
}

/** Query string from an object, leaving out empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The project folder, for the commands empty pages suggest (the overview is usually cached already). */
export function useProjectDir(): string {
  const o = useApi<{ project: { dir: string } }>("/overview");
  return o.data?.project.dir ?? "";
}
