// Tests of MERGE/upsert and SCD type 1 / type 2 on hand-made histories.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { fresh } = useTempLakes();
const values = (rows: string) => `SELECT * FROM (VALUES ${rows})`;

describe("merge", () => {
  it("updates matched rows, inserts new ones, deletes flagged ones, and keeps the old version readable", async () => {
    const { lake } = await fresh();
    const v1 = (await lake.materialize("silver.acct", values("(1, 'a', 10), (2, 'b', 20), (3, 'c', 30), (NULL, 'z', 0)") + " t(id, name, bal)", { parents: [] })).version;
    const m = await lake.merge("silver.acct", values("(2, 'B', 21, 'U'), (3, NULL, NULL, 'D'), (4, 'd', 40, 'I'), (9, 'x', 0, 'D')") + " s(id, name, bal, op)", {
      key: ["id"], deleteWhen: "op = 'D'", exclude: ["op"], parents: [v1],
    });
    expect(m).toMatchObject({ inserted: 1, updated: 1, deleted: 1 });
    expect(m.version).toMatchObject({ version: 2, operation: "merge", rowCount: 4 });
    expect(m.version.parents).toEqual([{ table: "silver.acct", version: 1 }, { table: "silver.acct", version: 1 }]);
    expect(await lake.query("SELECT * FROM silver.acct ORDER BY id")).toEqual([
      { id: 1, name: "a", bal: 10 }, { id: 2, name: "B", bal: 21 }, { id: 4, name: "d", bal: 40 }, { id: null, name: "z", bal: 0 },
    ]);
    expect(await lake.query("SELECT count(*) AS n FROM silver.acct VERSION AS OF 1")).toEqual([{ n: 4 }]);
    // An upsert (no deletes) counts from the rows written; a target row with a NULL key is kept.
    const up = await lake.merge("silver.acct", values("(1, 'A', 11), (5, 'e', 50)") + " s(id, name, bal)", { key: ["id"] });
    expect(up).toMatchObject({ inserted: 1, updated: 1, deleted: 0, version: { rowCount: 5 } });
    await expect(lake.merge("silver.acct", "SELECT NULL::INTEGER AS id, 'q' AS name, 1 AS bal", { key: ["id"] })).rejects.toThrow(/NULL key/);
  });

  it("honours whenMatched ignore / delete and whenNotMatched ignore, with composite keys", async () => {
    const { lake } = await fresh();
    await lake.materialize("silver.k", values("(1, 'x', 'a'), (1, 'y', 'b')") + " t(a, b, v)", { parents: [] });
    const ign = await lake.merge("silver.k", values("(1, 'x', 'A'), (2, 'x', 'N')") + " s(a, b, v)", { key: ["a", "b"], whenMatched: "ignore" });
    expect(ign).toMatchObject({ inserted: 1, updated: 0, deleted: 0 });
    expect(await lake.query("SELECT v FROM silver.k ORDER BY a, b")).toEqual([{ v: "a" }, { v: "b" }, { v: "N" }]);
    const del = await lake.merge("silver.k", values("(1, 'y', '?'), (5, 'z', 'new')") + " s(a, b, v)", { key: ["a", "b"], whenMatched: "delete", whenNotMatched: "ignore" });
    expect(del).toMatchObject({ inserted: 0, deleted: 1 });
    expect(await lake.query("SELECT a, b FROM silver.k ORDER BY a, b")).toEqual([{ a: 1, b: "x" }, { a: 2, b: "x" }]);
  });

  it("keeps files whose key range holds no changed key", async () => {
    const { lake } = await fresh();
    await lake.ingestRecords("bronze.ev", [{ id: 1, v: "a" }, { id: 2, v: "b" }]);
    await lake.ingestRecords("bronze.ev", [{ id: 10, v: "c" }, { id: 11, v: "d" }]);
    const m = await lake.merge("bronze.ev", "SELECT 11 AS id, 'D' AS v", { key: ["id"] });
    expect(m).toMatchObject({ updated: 1, filesKept: 1, filesRewritten: 1 });
    expect((await lake.query("SELECT v FROM bronze.ev ORDER BY id")).map((r) => r.v)).toEqual(["a", "b", "c", "D"]);
  });

  it("reads a file's key range over all its row groups by value, not as text (a 300k-row file has three)", async () => {
    const { lake } = await fresh();
    // File 1: ids 5..300,004 in three row groups whose text minima are '5', '122885', '245765' (text min: '122885').
    await lake.ingestRecords("bronze.big", Array.from({ length: 300_000 }, (_, i) => ({ id: i + 5, v: "old" })));
    await lake.ingestRecords("bronze.big", [{ id: 400_000, v: "new" }]); // a second file
    const m = await lake.merge("bronze.big", "SELECT 7 AS id, 'upd' AS v", { key: ["id"] });
    expect(m).toMatchObject({ updated: 1, inserted: 0 });
    expect(await lake.query("SELECT v FROM bronze.big WHERE id = 7")).toEqual([{ v: "upd" }]);
    expect(await lake.query("SELECT count(*) AS n FROM bronze.big")).toEqual([{ n: 300001 }]);
  });

  it("refuses a source key of another type family than the table's, naming both (text into a BIGINT key)", async () => {
    const { lake } = await fresh();
    await lake.ingestRecords("bronze.t", [{ id: 1, v: "a" }, { id: 7, v: "b" }]);
    await lake.ingestRecords("bronze.t", [{ id: 20, v: "c" }]);
    await expect(lake.merge("bronze.t", "SELECT '7' AS id, 'x' AS v", { key: ["id"] })).rejects.toThrow(/merge key id is BIGINT in bronze.t but VARCHAR in the source/);
    const m = await lake.merge("bronze.t", "SELECT 7::INTEGER AS id, 'x' AS v", { key: ["id"] }); // another width: fine
    expect(m).toMatchObject({ updated: 1, inserted: 0 });
    expect(await lake.query("SELECT count(*) AS n FROM bronze.t")).toEqual([{ n: 3 }]);
  });

  it("refuses duplicate source keys and unknown key columns", async () => {
    const { lake } = await fresh();
    await lake.materialize("silver.d", "SELECT 1 AS id", { parents: [] });
    await expect(lake.merge("silver.d", "SELECT 1 AS id UNION ALL SELECT 1", { key: ["id"] })).rejects.toThrow(/duplicate key/);
    await expect(lake.merge("silver.d", "SELECT 1 AS id", { key: ["nope"] })).rejects.toThrow(ValidationError);
    await expect(lake.merge("silver.d", "SELECT 1 AS id", { key: [] })).rejects.toThrow(/at least one key/);
    expect((await lake.current("silver.d"))?.version).toBe(1);
  });
});

describe("slowly changing dimensions", () => {
  const day = (d: string) => `${d}T00:00:00.000Z`;

  it("SCD2 with strategy check keeps both histories and reruns change nothing", async () => {
    const { lake } = await fresh();
    const d1 = values("('c1', 'Month-to-month', 50.0), ('c2', 'One year', 70.0)") + " s(customer, contract, charges)";
    const r1 = await lake.scd2("gold.dim_customer", d1, { key: ["customer"], tracked: ["contract"], strategy: "check", now: day("2024-01-01") });
    expect(r1).toMatchObject({ changed: true, inserted: 2, updated: 0 });
    const again = await lake.scd2("gold.dim_customer", d1, { key: ["customer"], tracked: ["contract"], strategy: "check", now: day("2024-01-15") });
    expect(again).toMatchObject({ changed: false, version: { version: 1 } });
    // charges is not tracked: its change alone makes no new version.
    const d2 = values("('c1', 'Two year', 55.0), ('c2', 'One year', 99.0), ('c3', 'One year', 10.0)") + " s(customer, contract, charges)";
    const r2 = await lake.scd2("gold.dim_customer", d2, { key: ["customer"], tracked: ["contract"], strategy: "check", now: day("2024-02-01") });
    expect(r2).toMatchObject({ changed: true, inserted: 1, updated: 1, version: { version: 2 } });
    const rows = await lake.query(
      "SELECT customer, contract, CAST(valid_from AS VARCHAR) AS f, CAST(valid_to AS VARCHAR) AS t, is_current FROM gold.dim_customer ORDER BY customer, valid_from",
    );
    expect(rows).toEqual([
      { customer: "c1", contract: "Month-to-month", f: "2024-01-01 00:00:00", t: "2024-02-01 00:00:00", is_current: false },
      { customer: "c1", contract: "Two year", f: "2024-02-01 00:00:00", t: null, is_current: true },
      { customer: "c2", contract: "One year", f: "2024-01-01 00:00:00", t: null, is_current: true },
      { customer: "c3", contract: "One year", f: "2024-02-01 00:00:00", t: null, is_current: true },
    ]);
    const r3 = await lake.scd2("gold.dim_customer", values("('c1', 'Two year', 1.0)") + " s(customer, contract, charges)", {
      key: ["customer"], tracked: ["contract"], strategy: "check", now: day("2024-03-01"), invalidateHardDeletes: true,
    });
    expect(r3).toMatchObject({ changed: true, closed: 2 });
    expect(await lake.query("SELECT customer FROM gold.dim_customer WHERE is_current ORDER BY 1")).toEqual([{ customer: "c1" }]);
    expect(await lake.query("SELECT count(*) AS n FROM gold.dim_customer")).toEqual([{ n: 4 }]);
  });

  it("SCD2 with strategy timestamp builds a chain from several changes at once and ignores stale rows", async () => {
    const { lake } = await fresh();
    const both = values(`('c1', 'Month', TIMESTAMP '2024-01-01'), ('c1', 'Year', TIMESTAMP '2024-03-01'), ('c1', 'Year', TIMESTAMP '2024-04-01'),
                        ('c2', 'Month', TIMESTAMP '2024-01-05')`) + " s(customer, contract, updated_at)";
    const opts = { key: ["customer"], strategy: "timestamp" as const, updatedAt: "updated_at" };
    const r1 = await lake.scd2("gold.dim", both, opts);
    expect(r1).toMatchObject({ changed: true });
    expect(await lake.query("SELECT contract, CAST(valid_to AS VARCHAR) AS t, is_current FROM gold.dim WHERE customer = 'c1' ORDER BY valid_from")).toEqual([
      { contract: "Month", t: "2024-03-01 00:00:00", is_current: false },
      { contract: "Year", t: null, is_current: true },
    ]);
    expect((await lake.scd2("gold.dim", both, opts)).changed).toBe(false);
    const stale = values("('c2', 'Two year', TIMESTAMP '2023-12-01')") + " s(customer, contract, updated_at)";
    expect((await lake.scd2("gold.dim", stale, opts)).changed).toBe(false);
    const clash = values("('c9', 'A', TIMESTAMP '2024-01-01'), ('c9', 'B', TIMESTAMP '2024-01-01')") + " s(customer, contract, updated_at)";
    await expect(lake.scd2("gold.dim", clash, opts)).rejects.toThrow(/same updated_at/);
    await expect(lake.scd2("gold.dim", both, { ...opts, updatedAt: undefined })).rejects.toThrow(/needs updatedAt/);
  });

  it("SCD1 overwrites in place only when a tracked column changed", async () => {
    const { lake } = await fresh();
    const r1 = await lake.scd1("gold.plan", values("(1, 'basic'), (2, 'pro')") + " s(id, plan)", { key: ["id"] });
    expect(r1).toMatchObject({ changed: true, inserted: 2 });
    expect((await lake.scd1("gold.plan", values("(1, 'basic'), (2, 'pro')") + " s(id, plan)", { key: ["id"] })).changed).toBe(false);
    const r3 = await lake.scd1("gold.plan", values("(1, 'basic'), (2, 'max')") + " s(id, plan)", { key: ["id"] });
    expect(r3).toMatchObject({ changed: true, updated: 1, inserted: 0, version: { version: 2 } });
    expect(await lake.query("SELECT plan FROM gold.plan ORDER BY id")).toEqual([{ plan: "basic" }, { plan: "max" }]);
  });
});
