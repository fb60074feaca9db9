// A PostgreSQL source with a key: rows past the cursor (less a lookback for late commits) and, when due, every key
// are read in one snapshot, then upserted into bronze so it holds exactly the source's current rows, one per key.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { ConfigError } from "../../errors.js";
import { commitKeyed, type KeyedIngestResult } from "../keyed-commit.js";
import type { Lake } from "../lake.js";
import { tableDir, writeFileAtomic } from "../table-log.js";
import { parseDuration } from "./duration.js";
import { connect, duckTypes, pgIdent } from "./postgres-client.js";
import type { PostgresIngestResult, PostgresSourceOptions } from "./postgres-types.js";

interface SnapshotRead {
  rows: Record<string, unknown>[];
  fields: pg.FieldDef[];
  to: string | null;
  /** Every key at the source (arrays in key order), when a key scan ran. */
  keys: unknown[][] | null;
  keyFields: pg.FieldDef[];
}

/** Where the time of the last key scan is kept: losing it only makes the next run scan again. */
const scanFile = (lake: Lake, table: string) => path.join(tableDir(lake.root, table), "_key_scan.json");

function scanDue(lake: Lake, table: string, opts: PostgresSourceOptions, now: number): boolean {
  if (opts.deletes !== "key_scan") return false;
  if (!opts.keyScanEvery) return true;
  const every = parseDuration(opts.keyScanEvery, "key_scan_every");
  try {
    const last = Date.parse((JSON.parse(fs.readFileSync(scanFile(lake, table), "utf8")) as { at: string }).at);
    return !(now - last < every);
  } catch {
    return true;
  }
}

/** The WHERE clause of the incremental read: the last cursor, less the lookback, so late rows are read again. */
async function lowerBound(client: pg.Client, opts: PostgresSourceOptions, from: string): Promise<{ where: string; values: unknown[]; type: string | null }> {
  const c = pgIdent(opts.cursor);
  if (opts.cursorLookback === undefined) return { where: `${c} >= $1`, values: [from], type: null };
  const res = await client.query(
    `SELECT format_type(a.atttypid, a.atttypmod) AS type, t.typcategory AS cat FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped`,
    [pgIdent(opts.table), opts.cursor],
  );
  if (!res.rows.length) throw new ConfigError(`cursor column ${opts.cursor} is not a column of ${opts.table}`, { path: opts.cursor });
  const { type, cat } = res.rows[0] as { type: string; cat: string };
  const numeric = cat === "N";
  if (numeric !== (typeof opts.cursorLookback === "number")) {
    throw new ConfigError(`cursor_lookback ${JSON.stringify(opts.cursorLookback)} does not fit the ${type} cursor ${opts.cursor}`, {
      path: "cursor_lookback", hint: numeric ? "a numeric cursor takes a number, e.g. cursor_lookback: 100" : 'a time cursor takes a duration, e.g. cursor_lookback: "1h"',
    });
  }
  const back = typeof opts.cursorLookback === "number"
    ? { sql: "$2", value: opts.cursorLookback }
    : { sql: "CAST($2 AS interval)", value: `${parseDuration(opts.cursorLookback, "cursor_lookback") / 1000} seconds` };
  return { where: `${c} >= CAST($1 AS ${type}) - ${back.sql}`, values: [from, back.value], type };
}

async function readSnapshot(opts: PostgresSourceOptions, from: string | null, scan: boolean): Promise<SnapshotRead> {
  const client = await connect(opts.connection, opts.table);
  try {
    // One snapshot for the rows and the keys: a row deleted between the two reads cannot be both read and kept.
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const bound = from === null ? null : await lowerBound(client, opts, from);
    const cols = opts.columns?.length ? opts.columns.map(pgIdent).join(", ") : "*";
    const c = pgIdent(opts.cursor);
    const res = await client.query({
      text: `SELECT ${cols} FROM ${pgIdent(opts.table)}${bound ? ` WHERE ${bound.where}` : ""} ORDER BY ${c} NULLS FIRST`,
      values: bound?.values ?? [],
    });
    const lastRead = res.rows.length ? (res.rows[res.rows.length - 1][opts.cursor] as string | null) : null;
    let to = lastRead === null || lastRead === undefined ? from : String(lastRead);
    if (bound?.type && from !== null && lastRead !== null && lastRead !== undefined) {
      // The rows read may all lie inside the lookback: the cursor never moves back.
      const g = await client.query(`SELECT GREATEST(CAST($1 AS ${bound.type}), CAST($2 AS ${bound.type}))::text AS v`, [from, String(lastRead)]);
      to = String(g.rows[0].v);
    }
    let keys: unknown[][] | null = null;
    let keyFields: pg.FieldDef[] = [];
    if (scan) {
      const k = await client.query({ text: `SELECT ${opts.key!.map(pgIdent).join(", ")} FROM ${pgIdent(opts.table)}`, rowMode: "array" });
      keys = k.rows as unknown[][];
      keyFields = k.fields;
    }
    await client.query("COMMIT");
    return { rows: res.rows, fields: res.fields, to, keys, keyFields };
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`reading ${opts.table} from PostgreSQL failed: ${(e as Error).message}`, { hint: "check the table, cursor and key column names" });
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function ingestPostgresKeyed(lake: Lake, table: string, opts: PostgresSourceOptions): Promise<PostgresIngestResult> {
  const key = opts.key!;
  const cur = await lake.current(table);
  const from = (cur?.info?.cursor as { value?: string | null } | undefined)?.value ?? null;
  const now = opts.now?.() ?? Date.now();
  const scan = cur !== null && scanDue(lake, table, opts, now);
  const read = await readSnapshot(opts, from, scan);
  for (const col of [opts.cursor, ...key]) {
    if (!read.fields.some((f) => f.name === col)) throw new ConfigError(`column ${col} is not selected from ${opts.table}`, { path: col, hint: "add it to columns:" });
  }
  const cursor = { column: opts.cursor, from, to: read.to };
  const empty: PostgresIngestResult = {
    table, version: null, ingested: [], skipped: [], rowsIn: 0, rowsOut: 0, rowsBad: 0, schemaChanges: [], cursor,
    key, changes: { inserted: 0, updated: 0, deleted: 0, unchanged: 0 },
  };
  if (!cur && !read.rows.length) return empty;
  const tmp = path.join(os.tmpdir(), `millrace-pg-${randomBytes(6).toString("hex")}`);
  const rowsFile = `${tmp}.rows.ndjson`;
  const keysFile = `${tmp}.keys.ndjson`;
  try {
    const label = `postgres:${opts.table}`;
    const sources = read.rows.length
      ? [{ abs: rowsFile, label, key: label, hash: "", opts: { format: "json" as const, jsonColumns: duckTypes(read.fields) } }]
      : [];
    if (read.rows.length) fs.writeFileSync(rowsFile, read.rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    if (read.keys) {
      const names = read.keyFields.map((f) => f.name);
      fs.writeFileSync(keysFile, read.keys.map((k) => JSON.stringify(Object.fromEntries(names.map((n, i) => [n, k[i]])))).join("\n") + (read.keys.length ? "\n" : ""));
    }
    const at = new Date(now).toISOString();
    const result: KeyedIngestResult = await commitKeyed(lake, table, sources, {
      key,
      remember: false,
      ...(read.keys ? { presentKeys: { abs: keysFile, columns: duckTypes(read.keyFields) } } : {}),
      info: { cursor: { column: opts.cursor, value: read.to }, ...(read.keys ? { keyScan: { at, keys: read.keys.length } } : {}) },
    });
    if (read.keys) writeFileAtomic(scanFile(lake, table), JSON.stringify({ at, keys: read.keys.length }));
    // Rows read again (at the last cursor, or inside the lookback) and found unchanged were not taken: as before
    // keys existed, rowsIn / rowsOut count the rows that came in; `changes.unchanged` counts the others.
    const again = result.changes.unchanged;
    return {
      ...result, rowsIn: result.rowsIn - again, rowsOut: result.rowsOut - again,
      ingested: result.ingested.map((f) => ({ ...f, rows: f.rows - again })),
      cursor, ...(read.keys ? { keyScan: { at, keys: read.keys.length } } : {}),
    };
  } finally {
    fs.rmSync(rowsFile, { force: true });
    fs.rmSync(keysFile, { force: true });
  }
}
