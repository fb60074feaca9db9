// migrateToLatest on real SQLite files: the Migrator is skipped only when the database recorded exactly today's
// migrations; a new, older or newer database still goes through it (and its refusals).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { migrateToLatest } from "./schema.js";

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
    expect(names).toContain("0006_annotations");
    expect(raw.prepare("select count(*) as n from sqlite_master where name = 'runs'").get()).toEqual({ n: 1 });
    const changes = raw.prepare("select total_changes() as n").get();
    await migrateToLatest(db);
    expect(raw.prepare("select total_changes() as n").get()).toEqual(changes);
    expect(recorded(raw)).toEqual(names);
  });

  it("runs the Migrator for a database that lacks a migration's record (it re-runs it: here the column exists, so it fails)", async () => {
    const { db, raw } = database();
    await migrateToLatest(db);
    raw.prepare("delete from millrace_migrations where name = '0006_annotations'").run();
    await expect(migrateToLatest(db)).rejects.toThrow(/migration 0006_annotations failed/);
  });

  it("leaves a database that recorded a migration this version does not know to the Migrator's refusal", async () => {
    const { db, raw } = database();
    await migrateToLatest(db);
    raw.prepare("insert into millrace_migrations (name, timestamp) values ('9999_from_a_newer_version', '2099-01-01T00:00:00.000Z')").run();
    await expect(migrateToLatest(db)).rejects.toThrow(/9999_from_a_newer_version/);
  });
});
