// Opens the metadata store named by a URL: a SQLite file (embedded default) or postgres://… (scale-out).
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, type Driver } from "#kysely";
import { ConfigError } from "../errors.js";
import type { MetadataStore } from "./metadata-store.js";
import { SqlMetadataStore } from "./sql-metadata-store.js";

/**
 * `url` is `postgres://user@host:port/db[?schema=name]`, `sqlite:/path/meta.db`, or a plain file path.
 * The optional `schema` parameter keeps several projects (or test runs) apart in one PostgreSQL database.
 */
export async function openMetadataStore(url: string): Promise<MetadataStore> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  const file = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : url;
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const database = new Database(file);
  // WAL lets `millrace serve` read while `millrace run` writes; busy_timeout waits instead of failing.
  database.pragma("journal_mode = WAL");
  database.pragma("busy_timeout = 5000");
  database.pragma("foreign_keys = ON");
  return SqlMetadataStore.open(sqliteKysely(database), "sqlite");
}

/**
 * SQLite transactions begin IMMEDIATE: they take the write lock first, waiting up to busy_timeout. A plain (deferred)
 * transaction that reads, then writes after another connection committed (a worker, the scheduler) fails at once with
 * SQLITE_BUSY_SNAPSHOT, busy_timeout or not: appendLogs (max(seq), then insert) lost a run's log lines that way.
 */
export function sqliteKysely(database: Database.Database): Kysely<any> {
  class ImmediateSqliteDialect extends SqliteDialect {
    override createDriver(): Driver {
      const driver = super.createDriver();
      driver.beginTransaction = async (connection) => {
        await connection.executeQuery(CompiledQuery.raw("begin immediate"));
      };
      return driver;
    }
  }
  return new Kysely<any>({ dialect: new ImmediateSqliteDialect({ database }) });
}

async function openPostgres(url: string): Promise<MetadataStore> {
  // Loaded here, not at the top: the embedded (SQLite) default should not pay for the PostgreSQL driver.
  const { default: pg } = await import("pg");
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema");
  parsed.searchParams.delete("schema");
  if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new ConfigError(`invalid PostgreSQL schema name "${schema}" in the metadata URL`, {
      hint: "use letters, digits and underscores, starting with a letter",
    });
  }
  if (schema) {
    const setup = new pg.Client({ connectionString: parsed.toString() });
    await setup.connect();
    try {
      await setup.query(`create schema if not exists "${schema}"`);
    } finally {
      await setup.end();
    }
  }
  // search_path as a startup option applies to every pooled connection before its first query.
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: 5,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return SqlMetadataStore.open(db, "postgres", schema ?? "public");
}
