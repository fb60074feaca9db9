// Incremental ingest from a PostgreSQL table by a cursor column (e.g. updated_at). Without a key each run appends
// the rows whose cursor is past the last one committed; with a key bronze keeps one current row per key (see
// postgres-keyed.ts). The cursor is stored in the bronze manifest, so it moves exactly when its rows are committed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { ConfigError, ValidationError } from "../../errors.js";
import { sha256File } from "../hash.js";
import { ingestSources } from "../ingest.js";
import type { Lake } from "../lake.js";
import { checkTableName, connect, duckTypes, pgIdent } from "./postgres-client.js";
import { ingestPostgresKeyed } from "./postgres-keyed.js";
import type { PostgresIngestResult, PostgresSourceOptions } from "./postgres-types.js";

export type { PostgresIngestResult, PostgresSourceOptions } from "./postgres-types.js";

export async function ingestPostgres(lake: Lake, table: string, opts: PostgresSourceOptions): Promise<PostgresIngestResult> {
  checkTableName(opts.table);
  if (opts.key?.length) return ingestPostgresKeyed(lake, table, opts);
  if (opts.cursorLookback !== undefined || (opts.deletes ?? "none") !== "none") {
    throw new ValidationError(`${opts.table}: cursor_lookback and deletes need a key`, { path: "key", hint: "declare key: [id] so re-read rows replace instead of duplicating" });
  }
  const cur = await lake.current(table);
  const from = (cur?.info?.cursor as { value?: string | null } | undefined)?.value ?? null;
  const client = await connect(opts.connection, opts.table);
  let rows: Record<string, unknown>[];
  let fields: pg.FieldDef[];
  try {
    const cols = opts.columns?.length ? opts.columns.map(pgIdent).join(", ") : "*";
    const c = pgIdent(opts.cursor);
    const res = await client.query({
      text: `SELECT ${cols} FROM ${pgIdent(opts.table)}${from === null ? "" : ` WHERE ${c} > $1`} ORDER BY ${c}`,
      values: from === null ? [] : [from],
    });
    rows = res.rows;
    fields = res.fields;
  } catch (e) {
    throw new ConfigError(`reading ${opts.table} from PostgreSQL failed: ${(e as Error).message}`, { hint: "check the table and cursor column names" });
  } finally {
    await client.end().catch(() => undefined);
  }
  if (!fields.some((f) => f.name === opts.cursor)) {
    throw new ConfigError(`cursor column ${opts.cursor} is not selected from ${opts.table}`, { path: opts.cursor });
  }
  const to = rows.length ? String(rows[rows.length - 1][opts.cursor]) : from;
  const empty: PostgresIngestResult = { table, version: null, ingested: [], skipped: [], rowsIn: 0, rowsOut: 0, rowsBad: 0, schemaChanges: [], cursor: { column: opts.cursor, from, to } };
  if (!rows.length) return empty;
  const tmp = path.join(os.tmpdir(), `millrace-pg-${randomBytes(6).toString("hex")}.ndjson`);
  fs.writeFileSync(tmp, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  try {
    const label = `postgres:${opts.table}`;
    const result = await ingestSources(
      lake, table,
      [{
        abs: tmp, label, key: `${label}@${from ?? ""}`, hash: await sha256File(tmp),
        opts: { format: "json", jsonColumns: duckTypes(fields) },
      }],
      { cursor: { column: opts.cursor, value: to } },
    );
    return { ...result, cursor: { column: opts.cursor, from, to } };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
