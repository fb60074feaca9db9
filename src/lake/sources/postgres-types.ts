// The options and result of a PostgreSQL source, in their own file so the appending (postgres.ts) and the keyed
// (postgres-keyed.ts) ingests share them without importing each other.
import type pg from "pg";
import type { IngestResult } from "../ingest.js";
import type { RowChanges } from "../keyed-commit.js";

export interface PostgresSourceOptions {
  /** A connection string (postgres://user@host:port/db) or a pg client config. */
  connection: string | pg.ClientConfig;
  /** The source table, "schema.table" or "table". */
  table: string;
  /** A column that grows when a row is inserted or updated (timestamp or number). */
  cursor: string;
  /** The row key: bronze then holds one current row per key (updates replace; rows at the last cursor are re-read). */
  key?: string[];
  columns?: string[];
  /** With a key: re-read rows whose cursor is this far before the last one, for rows committed late with an older
   *  cursor value. A duration ("1h") for a time cursor, a number for a numeric one. */
  cursorLookback?: string | number;
  /** With a key. key_scan: read every key (only the key columns) and delete from bronze the keys that are gone. */
  deletes?: "none" | "key_scan";
  /** Scan keys at most once per this duration (e.g. "6h"); default every run. */
  keyScanEvery?: string;
  /** The clock for keyScanEvery (tests). */
  now?: () => number;
}

export interface PostgresIngestResult extends IngestResult {
  cursor: { column: string; from: string | null; to: string | null };
  /** Keyed sources: what the run did to bronze's current rows. */
  key?: string[];
  changes?: RowChanges;
  /** Set when this run scanned every key for deletes. */
  keyScan?: { at: string; keys: number };
}
