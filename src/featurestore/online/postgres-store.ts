// The PostgreSQL online store: one table keyed by (project, view, entity key) holding the encoded row, upserted in
// batches through unnest() and read with = ANY($keys); view state in a second table.
import pg from "pg";
import { decodeRow, encodeRow, type OnlineRow, type OnlineStore, type ViewState } from "./online-store.js";

const BATCH = 5000;

export class PostgresOnlineStore implements OnlineStore {
  readonly kind = "postgres";
  private readonly pool: pg.Pool;
  private ready: Promise<void> | null = null;

  constructor(url: string, private readonly project: string, private readonly schema = "public") {
    this.pool = new pg.Pool({ connectionString: url, max: 4 });
  }

  private table(name: string): string {
    return `"${this.schema.replaceAll('"', '""')}".${name}`;
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await this.pool.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema.replaceAll('"', '""')}"`);
      await this.pool.query(`CREATE TABLE IF NOT EXISTS ${this.table("millrace_online_features")} (
        project text NOT NULL, view text NOT NULL, entity_key text NOT NULL, event_ts bigint NOT NULL, row text NOT NULL,
        PRIMARY KEY (project, view, entity_key))`);
      await this.pool.query(`CREATE INDEX IF NOT EXISTS millrace_online_features_ts ON ${this.table("millrace_online_features")} (project, view, event_ts)`);
      await this.pool.query(`CREATE TABLE IF NOT EXISTS ${this.table("millrace_online_views")} (project text NOT NULL, view text NOT NULL, state text NOT NULL, PRIMARY KEY (project, view))`);
    })();
    return this.ready;
  }

  async put(view: string, rows: OnlineRow[]): Promise<void> {
    await this.init();
    for (let i = 0; i < rows.length; i += BATCH) {
      const part = rows.slice(i, i + BATCH);
      await this.pool.query(
        `INSERT INTO ${this.table("millrace_online_features")} (project, view, entity_key, event_ts, row)
         SELECT $1, $2, k, t, r FROM unnest($3::text[], $4::bigint[], $5::text[]) AS u(k, t, r)
         ON CONFLICT (project, view, entity_key) DO UPDATE SET event_ts = excluded.event_ts, row = excluded.row`,
        [this.project, view, part.map((r) => r.key), part.map((r) => r.ts), part.map(encodeRow)],
      );
    }
  }

  async remove(view: string, keys: string[]): Promise<void> {
    await this.init();
    for (let i = 0; i < keys.length; i += BATCH) {
      await this.pool.query(`DELETE FROM ${this.table("millrace_online_features")} WHERE project = $1 AND view = $2 AND entity_key = ANY($3)`, [this.project, view, keys.slice(i, i + BATCH)]);
    }
  }

  async get(view: string, keys: string[]): Promise<(OnlineRow | null)[]> {
    await this.init();
    const r = await this.pool.query<{ entity_key: string; row: string }>({
      name: `millrace-online-get-${this.schema}`,
      text: `SELECT entity_key, row FROM ${this.table("millrace_online_features")} WHERE project = $1 AND view = $2 AND entity_key = ANY($3)`,
      values: [this.project, view, keys],
    });
    const found = new Map(r.rows.map((x) => [x.entity_key, x.row]));
    return keys.map((k) => {
      const t = found.get(k);
      return t === undefined ? null : decodeRow(k, t);
    });
  }

  async keys(view: string): Promise<string[]> {
    await this.init();
    const r = await this.pool.query<{ entity_key: string }>(`SELECT entity_key FROM ${this.table("millrace_online_features")} WHERE project = $1 AND view = $2`, [this.project, view]);
    return r.rows.map((x) => x.entity_key);
  }

  async expire(view: string, cutoff: number): Promise<number> {
    await this.init();
    const r = await this.pool.query(`DELETE FROM ${this.table("millrace_online_features")} WHERE project = $1 AND view = $2 AND event_ts < $3`, [this.project, view, cutoff]);
    return r.rowCount ?? 0;
  }

  async count(view: string): Promise<number> {
    await this.init();
    const r = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table("millrace_online_features")} WHERE project = $1 AND view = $2`, [this.project, view]);
    return Number(r.rows[0].n);
  }

  async state(view: string): Promise<ViewState | null> {
    await this.init();
    const r = await this.pool.query<{ state: string }>(`SELECT state FROM ${this.table("millrace_online_views")} WHERE project = $1 AND view = $2`, [this.project, view]);
    return r.rows.length ? (JSON.parse(r.rows[0].state) as ViewState) : null;
  }

  async setState(state: ViewState): Promise<void> {
    await this.init();
    await this.pool.query(
      `INSERT INTO ${this.table("millrace_online_views")} (project, view, state) VALUES ($1, $2, $3) ON CONFLICT (project, view) DO UPDATE SET state = excluded.state`,
      [this.project, state.view, JSON.stringify(state)],
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
