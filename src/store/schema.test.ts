// migrateToLatest on real SQLite files and on PostgreSQL: the Migrator is skipped only when the database recorded exactly today's
// migrations; a new, older or newer database still goes through it (and its refusals).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { migrateToLatest } from "./schema.js";
import { dropSchema, freshSchema, postgresUnavailable, postgresUrl, serviceGate } from "./test-helpers/services.js";

const dirs: string[] = [];
const open: Kysely<any>[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function database(): { db: Kysely<any>; raw: Database.Database } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-schema-"));
  dirs.push(dir);
  const raw = new Database(path.join(dir, "meta.db"));
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: raw }) });
  open.push(db);
  return { db, raw };
}
const recorded = (raw: Database.Database) => (raw.prepare("select name from millrace_migrations order by name").all() as { name: string }[]).map((r) => r.name);

describe("migrateToLatest", () => {
  it("creates the schema in a new database, and a second call changes nothing", async () => {
    const { db, raw } = database();
    await migrateToLatest(db);
    const names = recorded(raw);
    expect(names).toContain("0007_dataset_flagged");
    expect(raw.prepare("select count(*) as n from sqlite_master where name = 'runs'").get()).toEqual({ n: 1 });
    const changes = raw.prepare("select total_changes() as n").get();
    await migrateToLatest(db);
    expect(raw.prepare("select total_changes() as n").get()).toEqual(changes);
    expect(recorded(raw)).toEqual(names);
  });

  it("runs the Migrator for a database that lacks a migration's record (it re-runs it: here the column exists, so it fails)", async () => {
    const { db, raw } = database();
    await migrateToLatest(db);
    raw.prepare("delete from millrace_migrations where name = '0007_dataset_flagged'").run();
    await expect(migrateToLatest(db)).rejects.toThrow(/migration 0007_dataset_flagged failed/);
  });

  it("leaves a database that recorded a migration this version does not know to the Migrator's refusal", async () => {
    const { db, raw } = database();
    await migrateToLatest(db);
    raw.prepare("insert into millrace_migrations (name, timestamp) values ('9999_from_a_newer_version', '2099-01-01T00:00:00.000Z')").run();
    await expect(migrateToLatest(db)).rejects.toThrow(/9999_from_a_newer_version/);
  });
});

// The same three cases on PostgreSQL, in a schema of their own (the path a shared store takes: the migrations table
// is looked up in that schema, never in another project's). Skipped without a server; CI (MILLRACE_REQUIRE_SERVICES=1)
// fails instead.
describe("migrateToLatest on PostgreSQL", () => {
  const schemas: string[] = [];
  afterEach(async () => {
    for (const s of schemas.splice(0)) await dropSchema(s);
  });
  /** A Kysely on a fresh schema, and a query on the same schema through its own client. */
  async function pgDatabase(): Promise<{ db: Kysely<any>; schema: string; sql: (text: string) => Promise<any[]> } | null> {
    if (!(await serviceGate(await postgresUnavailable()))) return null;
    const schema = freshSchema("schema_test");
    schemas.push(schema);
    const setup = new pg.Client({ connectionString: postgresUrl });
    await setup.connect();
    await setup.query(`create schema "${schema}"`);
    await setup.end();
    const pool = new pg.Pool({ connectionString: postgresUrl, max: 2, options: `-c search_path=${schema}` });
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    open.push(db);
    const sql = async (text: string) => {
      const c = new pg.Client({ connectionString: postgresUrl, options: `-c search_path=${schema}` });
      await c.connect();
      try {
        return (await c.query(text)).rows;
      } finally {
        await c.end();
      }
    };
    return { db, schema, sql };
  }
  const names = async (sql: (text: string) => Promise<any[]>) => (await sql("select name from millrace_migrations order by name")).map((r) => r.name as string);

  it("creates the schema in a new schema, and a second call keeps the same records", async (ctx) => {
    const p = await pgDatabase();
    if (!p) return ctx.skip();
    await migrateToLatest(p.db, p.schema);
    const first = await names(p.sql);
    expect(first).toContain("0007_dataset_flagged");
    expect(await p.sql(`select count(*)::int as n from information_schema.tables where table_schema = '${p.schema}' and table_name = 'runs'`)).toEqual([{ n: 1 }]);
    await migrateToLatest(p.db, p.schema);
    expect(await names(p.sql)).toEqual(first);
  });

  it("runs the Migrator for a schema that lacks a migration's record (the column exists, so it fails)", async (ctx) => {
    const p = await pgDatabase();
    if (!p) return ctx.skip();
    await migrateToLatest(p.db, p.schema);
    await p.sql("delete from millrace_migrations where name = '0007_dataset_flagged'");
    await expect(migrateToLatest(p.db, p.schema)).rejects.toThrow(/migration 0007_dataset_flagged failed/);
  });

  it("leaves a schema that recorded a migration this version does not know to the Migrator's refusal", async (ctx) => {
    const p = await pgDatabase();
    if (!p) return ctx.skip();
    await migrateToLatest(p.db, p.schema);
    await p.sql("insert into millrace_migrations (name, timestamp) values ('9999_from_a_newer_version', '2099-01-01T00:00:00.000Z')");
    await expect(migrateToLatest(p.db, p.schema)).rejects.toThrow(/9999_from_a_newer_version/);
  });
});
