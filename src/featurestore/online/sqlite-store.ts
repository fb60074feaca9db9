// The embedded online store: one SQLite file (better-sqlite3), a row per (project, view, entity key) holding the
// encoded feature row; lookups are prepared point reads on the primary key.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { decodeRow, encodeRow, type OnlineRow, type OnlineStore, type ViewState } from "./online-store.js";

export class SqliteOnlineStore implements OnlineStore {
  readonly kind = "sqlite";
  private readonly db: Database.Database;
  private readonly getOne: Database.Statement<[string, string, string], { row: string }>;
  private readonly upsert: Database.Statement<[string, string, string, number, string]>;

  constructor(file: string, private readonly project: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS online_features (
        project TEXT NOT NULL, view TEXT NOT NULL, entity_key TEXT NOT NULL, event_ts INTEGER NOT NULL, row TEXT NOT NULL,
        PRIMARY KEY (project, view, entity_key)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS online_features_ts ON online_features (project, view, event_ts);
      CREATE TABLE IF NOT EXISTS online_views (project TEXT NOT NULL, view TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (project, view));`);
    this.getOne = this.db.prepare("SELECT row FROM online_features WHERE project = ? AND view = ? AND entity_key = ?");
    this.upsert = this.db.prepare(
      "INSERT INTO online_features (project, view, entity_key, event_ts, row) VALUES (?, ?, ?, ?, ?) ON CONFLICT (project, view, entity_key) DO UPDATE SET event_ts = excluded.event_ts, row = excluded.row",
    );
  }

  async put(view: string, rows: OnlineRow[]): Promise<void> {
    this.db.transaction(() => {
      for (const r of rows) this.upsert.run(this.project, view, r.key, r.ts, encodeRow(r));
    })();
  }

  async remove(view: string, keys: string[]): Promise<void> {
    const del = this.db.prepare("DELETE FROM online_features WHERE project = ? AND view = ? AND entity_key = ?");
    this.db.transaction(() => {
      for (const k of keys) del.run(this.project, view, k);
    })();
  }

  async get(view: string, keys: string[]): Promise<(OnlineRow | null)[]> {
    return this.getSync(view, keys);
  }

  /** The lookup without a promise: SQLite answers in microseconds. */
  getSync(view: string, keys: string[]): (OnlineRow | null)[] {
    const out = new Array<OnlineRow | null>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const hit = this.getOne.get(this.project, view, keys[i]);
      out[i] = hit ? decodeRow(keys[i], hit.row) : null;
    }
    return out;
  }

  async keys(view: string): Promise<string[]> {
    return this.db.prepare("SELECT entity_key FROM online_features WHERE project = ? AND view = ?").pluck().all(this.project, view) as string[];
  }

  async expire(view: string, cutoff: number): Promise<number> {
    return this.db.prepare("DELETE FROM online_features WHERE project = ? AND view = ? AND event_ts < ?").run(this.project, view, cutoff).changes;
  }

  async count(view: string): Promise<number> {
    return Number(this.db.prepare("SELECT count(*) FROM online_features WHERE project = ? AND view = ?").pluck().get(this.project, view));
  }

  async state(view: string): Promise<ViewState | null> {
    const s = this.db.prepare("SELECT state FROM online_views WHERE project = ? AND view = ?").pluck().get(this.project, view) as string | undefined;
    return s ? (JSON.parse(s) as ViewState) : null;
  }

  async setState(state: ViewState): Promise<void> {
    this.db
      .prepare("INSERT INTO online_views (project, view, state) VALUES (?, ?, ?) ON CONFLICT (project, view) DO UPDATE SET state = excluded.state")
      .run(this.project, state.view, JSON.stringify(state));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
