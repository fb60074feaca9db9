// Incremental ingest from a PostgreSQL table by a cursor column (e.g. updated_at): each run appends the rows
// whose cursor is past the last one committed; the cursor is stored in the bronze manifest, so it moves exactly
// when the rows it covers are committed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { ConfigError, ValidationError } from "../../errors.js";
import { sha256File } from "../hash.js";
import { ingestSources, type IngestResult } from "../ingest.js";
import type { Lake } from "../lake.js";
import { ident, lit } from "../sql.js";

export interface PostgresSourceOptions {
  /** A connection string (postgres://user@host:port/db) or a pg client config. */
  connection: string | pg.ClientConfig;
  /** The source table, "schema.table" or "table". */
  table: string;
  /** A column that grows when a row is inserted or updated (timestamp or number). */
  cursor: string;
  /** The row key: with it, rows sharing the last cursor value are read again and deduplicated, so none is missed. */
  key?: string[];
  columns?: string[];
}

export interface PostgresIngestResult extends IngestResult {
  cursor: { column: string; from: string | null; to: string | null };
}

/** PostgreSQL type OIDs → DuckDB types; anything else arrives as text. */
const TYPES: Record<number, string> = {
  16: "BOOLEAN", 20: "BIGINT", 21: "SMALLINT", 23: "INTEGER", 700: "FLOAT", 701: "DOUBLE", 1700: "DOUBLE",
  1082: "DATE", 1114: "TIMESTAMP", 1184: "TIMESTAMP", 25: "VARCHAR", 1043: "VARCHAR", 2950: "VARCHAR", 114: "JSON", 3802: "JSON",
};
/** Kept as the server's text (exact), cast by DuckDB from the declared column type. */
const AS_TEXT = new Set([20, 1700, 1082, 1114, 1184]);

const pgIdent = (name: string) => name.split(".").map((p) => `"${p.replaceAll('"', '""')}"`).join(".");

export async function ingestPostgres(lake: Lake, table: string, opts: PostgresSourceOptions): Promise<PostgresIngestResult> {
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/.test(opts.table)) {
    throw new ValidationError(`postgres table "${opts.table}" is not a table name`, { path: "table", hint: "write schema.table or table" });
  }
  const cur = await lake.current(table);
  const from = (cur?.info?.cursor as { value?: string | null } | undefined)?.value ?? null;
  const client = new pg.Client({
    ...(typeof opts.connection === "string" ? { connectionString: opts.connection } : opts.connection),
    types: { getTypeParser: ((oid: number) => (AS_TEXT.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid))) as never },
  });
  try {
    await client.connect();
  } catch (e) {
    throw new ConfigError(`cannot connect to PostgreSQL for ${opts.table}: ${(e as Error).message}`, { hint: "check the source's connection string" });
  }
  let rows: Record<string, unknown>[];
  let fields: pg.FieldDef[];
  try {
    await client.query("SET TIME ZONE 'UTC'");
    const cols = opts.columns?.length ? opts.columns.map(pgIdent).join(", ") : "*";
    const c = pgIdent(opts.cursor);
    // With a key, rows at exactly the last cursor value are read again: one committed after our last read shares it.
    const op = opts.key?.length ? ">=" : ">";
    const res = await client.query({
      text: `SELECT ${cols} FROM ${pgIdent(opts.table)}${from === null ? "" : ` WHERE ${c} ${op} $1`} ORDER BY ${c}`,
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
  if (from !== null && opts.key?.length && cur) {
    const seen = new Set(
      (await lake.query(`SELECT ${opts.key.map(ident).join(", ")} FROM ${lake.relation(cur)} WHERE ${ident(opts.cursor)} = CAST(${lit(from)} AS ${cur.schema.find((c) => c.name === opts.cursor)?.type ?? "VARCHAR"})`))
        .map((r) => JSON.stringify(opts.key!.map((k) => String(r[k])))),
    );
    rows = rows.filter((r) => !(String(r[opts.cursor]) === from && seen.has(JSON.stringify(opts.key!.map((k) => String(r[k]))))));
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
        opts: { format: "json", jsonColumns: Object.fromEntries(fields.map((f) => [f.name, TYPES[f.dataTypeID] ?? "VARCHAR"])) },
      }],
      { cursor: { column: opts.cursor, value: to } },
    );
    return { ...result, cursor: { column: opts.cursor, from, to } };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
