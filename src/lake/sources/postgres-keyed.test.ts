// Tests of a keyed PostgreSQL source against the real server: after each upsert, delete, late row and rerun, bronze's
// current rows equal the source table exactly (count and content by key) and the key stays unique.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { ConfigError } from "../../errors.js";
import { runChecks } from "../../quality/checks.js";
import { dropSchema, freshSchema, postgresUnavailable, postgresUrl, serviceGate } from "../../store/test-helpers/services.js";
import type { Lake } from "../lake.js";
import { useTempLakes } from "../test-helpers/tmp-lake.js";
import { ingestPostgres, type PostgresSourceOptions } from "./postgres.js";

const SCHEMA = freshSchema("millrace_keyed");
const T = `${SCHEMA}.customers`;
let client: pg.Client | null = null;

beforeAll(async () => {
  if (!(await serviceGate(await postgresUnavailable()))) return;
  client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.query(`CREATE SCHEMA ${SCHEMA}`);
  await client.query(`CREATE TABLE ${T} (id int PRIMARY KEY, name text, plan text, spend numeric(10,2), updated_at timestamptz NOT NULL)`);
});
afterAll(async () => {
  await client?.end();
  if (client) await dropSchema(SCHEMA);
});

const { fresh } = useTempLakes();
const sql = (text: string) => client!.query(text);

/** The source's rows and bronze's current rows, both as id → "name|plan|spend|epoch". */
async function bothSides(lake: Lake, table: string, source = T) {
  const src = (await client!.query(`SELECT id, name, plan, spend::float8 AS spend, extract(epoch FROM updated_at)::float8 AS at FROM ${source} ORDER BY id`)).rows;
  const lk = await lake.query(`SELECT id, name, plan, spend, epoch(updated_at) AS at FROM ${table} ORDER BY id`);
  const line = (r: Record<string, unknown>) => `${r.id}|${r.name}|${r.plan}|${Number(r.spend)}|${Number(r.at)}`;
  return { source: src.map(line), bronze: lk.map(line) };
}

/** The bar: bronze equals the source exactly (count and keyed content) and a unique check on the key passes. */
async function expectExact(lake: Lake, table: string) {
  const { source, bronze } = await bothSides(lake, table);
  const [{ n }] = (await client!.query(`SELECT count(*)::int AS n FROM ${T}`)).rows;
  expect(await lake.query(`SELECT count(*) AS n FROM ${table}`)).toEqual([{ n }]);
  expect(bronze).toEqual(source);
  const cur = (await lake.current(table))!;
  expect((await runChecks(lake, { table, version: cur.version }, [{ rule: "unique", column: "id" }])).passed).toBe(true);
}

describe("keyed PostgreSQL source", () => {
  it("upserts, deletes by key scan, picks up late rows inside the lookback, and a rerun changes nothing", async (t) => {
    if (!client) return t.skip();
    const { lake } = await fresh();
    const { lake: noLookback } = await fresh();
    const B = "bronze.customers";
    const opts: PostgresSourceOptions = { connection: postgresUrl, table: T, cursor: "updated_at", key: ["id"], cursorLookback: "1h", deletes: "key_scan" };
    await sql(`INSERT INTO ${T} VALUES (1, 'ann', 'basic', 10.50, '2024-01-01 10:00+00'), (2, 'bob', 'pro', 20, '2024-01-02 10:00+00'), (3, 'cy', 'basic', 5, '2024-01-03 10:00+00')`);
    const r1 = await ingestPostgres(lake, B, opts);
    expect(r1.changes).toEqual({ inserted: 3, updated: 0, deleted: 0, unchanged: 0 });
    await ingestPostgres(noLookback, B, { ...opts, cursorLookback: undefined, deletes: "none" });
    await expectExact(lake, B);

    // Rerun with no change: the lookback re-reads cy, it is unchanged, no version is written.
    const r2 = await ingestPostgres(lake, B, opts);
    expect(r2.version).toBeNull();
    expect(r2.changes).toEqual({ inserted: 0, updated: 0, deleted: 0, unchanged: 1 });
    expect(r2).toMatchObject({ rowsIn: 0, rowsOut: 0 }); // a row read again unchanged is not counted as ingested
    await expectExact(lake, B);

    // Upsert: bob upgrades (twice in one day, one row per key), dee signs up at the same instant.
    await sql(`UPDATE ${T} SET plan = 'max', spend = 25, updated_at = '2024-02-01 09:00+00' WHERE id = 2`);
    await sql(`INSERT INTO ${T} VALUES (4, 'dee', 'pro', 7, '2024-02-01 09:00+00')`);
    const r3 = await ingestPostgres(lake, B, opts);
    expect(r3.changes).toEqual({ inserted: 1, updated: 1, deleted: 0, unchanged: 1 }); // cy: re-read in the lookback
    expect(r3.cursor).toMatchObject({ from: "2024-01-03 10:00:00+00", to: "2024-02-01 09:00:00+00" });
    expect(r3.version?.info).toMatchObject({ inserted: 1, updated: 1, deleted: 0, unchanged: 1, tombstones: 0 });
    await expectExact(lake, B);

    // Delete: ann leaves the source; the key scan (key columns only) finds her gone and bronze drops her row.
    await sql(`DELETE FROM ${T} WHERE id = 1`);
    const r4 = await ingestPostgres(lake, B, opts);
    expect(r4.changes).toMatchObject({ deleted: 1, inserted: 0, updated: 0 });
    expect(r4.keyScan?.keys).toBe(3);
    expect(r4.version?.info).toMatchObject({ tombstones: 1, keyScan: { keys: 3 } });
    await expectExact(lake, B);

    // Late row: committed now with a cursor 30 minutes before the last one read. Without a lookback it is missed.
    await ingestPostgres(noLookback, B, { ...opts, cursorLookback: undefined, deletes: "none" });
    await sql(`INSERT INTO ${T} VALUES (5, 'eve', 'basic', 1, '2024-02-01 08:30+00')`);
    const r5 = await ingestPostgres(lake, B, opts);
    expect(r5.changes).toMatchObject({ inserted: 1, updated: 0, deleted: 0 });
    expect(r5.cursor.to).toBe("2024-02-01 09:00:00+00"); // the cursor never moves back
    await expectExact(lake, B);
    await ingestPostgres(noLookback, B, { ...opts, cursorLookback: undefined, deletes: "none" });
    expect(await noLookback.query(`SELECT count(*) AS n FROM ${B} WHERE id = 5`)).toEqual([{ n: 0 }]);

    // Rerun again: nothing written, nothing duplicated.
    expect((await ingestPostgres(lake, B, opts)).version).toBeNull();
    await expectExact(lake, B);

    // History stays: time travel shows bob on pro and ann present.
    expect(await lake.query(`SELECT id, plan FROM ${B} VERSION AS OF 1 ORDER BY id`)).toEqual([
      { id: 1, plan: "basic" }, { id: 2, plan: "pro" }, { id: 3, plan: "basic" },
    ]);
    // A silver table rebuilt from bronze no longer sees the deleted row.
    const cur = (await lake.current(B))!;
    await lake.materialize("silver.customers", `SELECT * FROM ${lake.relation(cur)}`, { parents: [cur] });
    expect(await lake.query("SELECT count(*) FILTER (WHERE id = 1) AS ann, count(*) AS n FROM silver.customers")).toEqual([{ ann: 0, n: 4 }]);
  });

  it("scans keys at most once per key_scan_every, and a numeric cursor takes a numeric lookback", async (t) => {
    if (!client) return t.skip();
    const { lake } = await fresh();
    const N = `${SCHEMA}.events`;
    await sql(`CREATE TABLE ${N} (id int PRIMARY KEY, seq bigint NOT NULL, v text)`);
    await sql(`INSERT INTO ${N} SELECT g, g * 10, 'v' || g FROM generate_series(1, 50) g`);
    let clock = Date.parse("2024-05-01T00:00:00Z");
    const opts: PostgresSourceOptions = {
      connection: postgresUrl, table: N, cursor: "seq", key: ["id"], cursorLookback: 25, deletes: "key_scan", keyScanEvery: "1h", now: () => clock,
    };
    const count = async () => Number((await lake.query("SELECT count(*) AS n FROM bronze.events"))[0].n);
    expect((await ingestPostgres(lake, "bronze.events", opts)).changes?.inserted).toBe(50);
    await sql(`DELETE FROM ${N} WHERE id IN (3, 4)`);
    clock += 10 * 60_000; // the first run only loads (no keys to lose yet), so no scan is on record: this run scans
    expect((await ingestPostgres(lake, "bronze.events", opts)).keyScan?.keys).toBe(48);
    expect(await count()).toBe(48);
    await sql(`DELETE FROM ${N} WHERE id = 7`);
    clock += 30 * 60_000; // 30 minutes after the last scan: not due, the delete waits
    const early = await ingestPostgres(lake, "bronze.events", opts);
    expect(early.keyScan).toBeUndefined();
    expect(await count()).toBe(48);
    clock += 31 * 60_000;
    expect((await ingestPostgres(lake, "bronze.events", opts)).changes?.deleted).toBe(1);
    expect(await count()).toBe(47);
    // The row holding the last cursor value is deleted: nothing is read past the cursor, the key scan alone deletes.
    await sql(`DELETE FROM ${N} WHERE id = 50`);
    clock += 61 * 60_000;
    const scanOnly = await ingestPostgres(lake, "bronze.events", { ...opts, cursorLookback: undefined });
    expect(scanOnly).toMatchObject({ rowsIn: 0, changes: { inserted: 0, updated: 0, deleted: 1, unchanged: 0 } });
    expect(await count()).toBe(46);
    // A late row 20 below the last seq (500) is inside the lookback of 25.
    await sql(`INSERT INTO ${N} VALUES (99, 480, 'late')`);
    expect((await ingestPostgres(lake, "bronze.events", opts)).changes?.inserted).toBe(1);
    expect(await lake.query("SELECT v FROM bronze.events WHERE id = 99")).toEqual([{ v: "late" }]);
    expect(await count()).toBe(Number((await client!.query(`SELECT count(*) AS n FROM ${N}`)).rows[0].n));
    // The source emptied: the key scan finds no key at all, and bronze ends empty too.
    await sql(`DELETE FROM ${N}`);
    clock += 61 * 60_000;
    expect((await ingestPostgres(lake, "bronze.events", opts)).changes).toMatchObject({ deleted: 47, inserted: 0 });
    expect(await count()).toBe(0);
    await expect(ingestPostgres(lake, "bronze.events", { ...opts, cursorLookback: "1h" })).rejects.toThrow(ConfigError);
    await expect(ingestPostgres(lake, "bronze.x", { connection: postgresUrl, table: N, cursor: "seq", cursorLookback: 5 })).rejects.toThrow(/need a key/);
  });
});
