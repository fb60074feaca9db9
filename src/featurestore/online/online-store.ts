// The online store's contract: the latest feature row per entity key of each view, read by key at serving time, and
// each view's materialization state. One adapter per backend (online-stores.ts lists them); all keep the same rows.

/** One entity's latest feature values in a view. `ts` is the row's event time (ms since the epoch). */
export interface OnlineRow {
  key: string;
  ts: number;
  values: Record<string, unknown>;
}

/** What the last materialization of a view wrote, kept beside its rows. */
export interface ViewState {
  view: string;
  /** The lake table and version materialized. */
  table: string;
  version: number;
  /** Hash of the view's definition: a changed definition forces a full rewrite. */
  definition: string;
  materializedAt: number;
  /** Entities held now. */
  rows: number;
  /** The newest event time held (ms), or null when empty. */
  newestTs: number | null;
}

export interface OnlineStore {
  readonly kind: string;
  /** Upserts rows (a row replaces the key's previous one). */
  put(view: string, rows: OnlineRow[]): Promise<void>;
  remove(view: string, keys: string[]): Promise<void>;
  /** Rows for the keys, in order; null for a key the store does not hold. Read only: the SQLite store shares cached rows. */
  get(view: string, keys: string[]): Promise<(OnlineRow | null)[]>;
  /** Every key held for the view. */
  keys(view: string): Promise<string[]>;
  /** Removes rows whose event time is before `cutoff` (ms); returns how many. */
  expire(view: string, cutoff: number): Promise<number>;
  count(view: string): Promise<number>;
  state(view: string): Promise<ViewState | null>;
  setState(state: ViewState): Promise<void>;
  close(): Promise<void>;
}

/** The stored text of a row: its event time, a tab, then its values as JSON (one parse per lookup). */
export function encodeRow(r: OnlineRow): string {
  return `${r.ts}\t${JSON.stringify(r.values)}`;
}

export function decodeRow(key: string, text: string): OnlineRow {
  const tab = text.indexOf("\t");
  return { key, ts: Number(text.slice(0, tab)), values: JSON.parse(text.slice(tab + 1)) as Record<string, unknown> };
}
