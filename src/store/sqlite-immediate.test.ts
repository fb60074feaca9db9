// SQLite transactions of the metadata store take the write lock when they begin: a transaction that reads and then
// writes can no longer fail with SQLITE_BUSY_SNAPSHOT because another connection (a worker) committed in between.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { sql } from "#kysely";
import { sqliteKysely } from "./open-metadata-store.js";

let dir = "";
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("metadata store on SQLite", () => {
  it("begins transactions IMMEDIATE: a read-then-write transaction holds the write lock from its start", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-immediate-"));
    const file = path.join(dir, "meta.db");
    const a = new Database(file);
    a.pragma("journal_mode = WAL");
    const db = sqliteKysely(a);
    await db.schema.createTable("t").addColumn("x", "integer").execute();
    const other = new Database(file);
    other.pragma("busy_timeout = 0");
    await db.transaction().execute(async (tx) => {
      await tx.selectFrom("t").select(sql<number>`max(x)`.as("m")).execute();
      // Another connection cannot commit in between (deferred: it could, and the insert below failed BUSY_SNAPSHOT).
      expect(() => other.prepare("insert into t values (1)").run()).toThrow(/locked|busy/i);
      await tx.insertInto("t").values({ x: 2 }).execute();
    });
    other.prepare("insert into t values (3)").run(); // the lock is released at commit
    expect(other.prepare("select x from t order by x").all()).toEqual([{ x: 2 }, { x: 3 }]);
    other.close();
    await db.destroy();
  });
});
