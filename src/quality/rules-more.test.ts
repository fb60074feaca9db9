// Tests of the table-level rules (schema, row_count, freshness, distribution), regex, relationships, `mostly`,
// and quarantining rows that break row-level rules while a table is built.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TableRef } from "../records.js";
import { Lake } from "../lake/lake.js";
import { runChecks, type QualityRule } from "./checks.js";
import { quarantineRules } from "./row-rules.js";

let dir: string;
let lake: Lake;
let orders: TableRef;
let customers: TableRef;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-rules-"));
  lake = await Lake.open(path.join(dir, "lake"));
  customers = (await lake.materialize("silver.customers", "SELECT * FROM (VALUES ('c1'), ('c2')) t(id)", { parents: [] })).version;
  orders = (
    await lake.materialize(
      "silver.orders",
      `SELECT * FROM (VALUES
         (1, 'c1', 'A-100', 10.0, TIMESTAMP '2020-01-01 00:00:00'),
         (2, 'c2', 'A-101', 20.0, TIMESTAMP '2020-01-02 00:00:00'),
         (3, 'c9', 'B-7',   30.0, TIMESTAMP '2020-01-03 00:00:00'),
         (4, NULL, 'A-102', 40.0, now()::TIMESTAMP - INTERVAL 1 HOUR)) t(id, customer, code, amount, ordered_at)`,
      { parents: [] },
    )
  ).version;
});
afterAll(async () => {
  await lake.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const one = async (rule: QualityRule) => (await runChecks(lake, orders, [rule])).results[0];

describe("more rules", () => {
  it("regex and relationships count failing rows; mostly lets a few through", async () => {
    expect(await one({ rule: "regex", column: "code", pattern: "^A-\\d+$" })).toMatchObject({ passed: false, failing: 1 });
    expect(await one({ rule: "regex", column: "code", pattern: "^A-\\d+$", mostly: 0.75 })).toMatchObject({ passed: true, failing: 1, passRate: 0.75, mostly: 0.75 });
    expect(await one({ rule: "regex", column: "code", pattern: "^A-\\d+$", mostly: 0.8 })).toMatchObject({ passed: false });
    const rel = await one({ rule: "relationships", column: "customer", to: "silver.customers", field: "id" });
    expect(rel).toMatchObject({ passed: false, failing: 1 });
    expect(rel.message).toContain("have no match in silver.customers.id");
    await expect(one({ rule: "relationships", column: "customer", to: "silver.nope", field: "id" })).rejects.toThrow(/silver\.nope does not exist/);
    await expect(one({ rule: "relationships", column: "customer", to: "silver.customers", field: "nope" })).rejects.toThrow(/column "nope"/);
    expect(await one({ rule: "not_null", column: "customer", mostly: 0.75 })).toMatchObject({ passed: true });
  });

  it("schema, row_count, freshness and distribution judge the whole table", async () => {
    expect(await one({ rule: "schema", columns: { id: "integer", customer: "string", amount: "number", ordered_at: "timestamp" } })).toMatchObject({ passed: true, column: "*" });
    const s = await one({ rule: "schema", columns: { id: "string", missing: "number" }, allow_extra: false });
    expect(s.passed).toBe(false);
    expect(s.observed?.problems).toEqual(["id is INTEGER, expected string", "missing is missing", "customer is not declared", "code is not declared", "amount is not declared", "ordered_at is not declared"]);
    expect(await one({ rule: "row_count", min: 1, max: 4 })).toMatchObject({ passed: true });
    expect(await one({ rule: "row_count", min: 5 })).toMatchObject({ passed: false, message: expect.stringContaining("4 rows, expected [5, ∞]") });
    expect(await one({ rule: "freshness", column: "ordered_at", max_age: "2h" })).toMatchObject({ passed: true });
    expect(await one({ rule: "freshness", column: "ordered_at", max_age: 60 })).toMatchObject({ passed: false });
    await expect(one({ rule: "freshness", column: "code", max_age: "1d" })).rejects.toThrow(/date or timestamp/);
    expect(await one({ rule: "distribution", column: "amount", mean: { min: 20, max: 30 }, quantiles: { p50: { min: 25, max: 25 } } })).toMatchObject({ passed: true });
    const d = await one({ rule: "distribution", column: "amount", mean: { max: 10 }, std: { min: 100 } });
    expect(d).toMatchObject({ passed: false, failing: 2 });
    expect(d.observed?.mean).toBe(25);
    expect(await one({ rule: "range", column: "ordered_at", min: "2020-01-02" })).toMatchObject({ failing: 1 });
  });

  it("rejects malformed rules with the path of the bad field", async () => {
    await expect(runChecks(lake, orders, [{ rule: "regex", column: "code", pattern: "(" } as QualityRule])).rejects.toThrow(/not a valid regular expression/);
    await expect(runChecks(lake, orders, [{ rule: "not_null", column: "id", mostly: 1.5 } as QualityRule])).rejects.toThrow(/checks of silver\.orders\[0\]\.mostly/);
    await expect(runChecks(lake, orders, [{ rule: "freshness", column: "ordered_at", max_age: "soon" } as QualityRule])).rejects.toThrow(/max_age/);
    await expect(runChecks(lake, orders, [{ rule: "distribution", column: "amount" } as QualityRule])).rejects.toThrow(/needs mean, std or quantiles/);
  });
});

describe("quarantine on build", () => {
  it("moves rows breaking quarantine rules aside with rule and reason; rows_in = rows_out + rows_quarantined", async () => {
    const sql = `SELECT id, customer, code, amount, 'orders.csv' AS _source_file FROM ${lake.relation(orders)}`;
    const schema = await lake.duck.describe(sql);
    const rules: QualityRule[] = [
      { rule: "not_null", column: "customer", quarantine: true },
      { rule: "relationships", column: "customer", to: "silver.customers", field: "id", quarantine: true },
      { rule: "regex", column: "code", pattern: "^A-", quarantine: true },
      { rule: "range", column: "amount", max: 1000 },
    ];
    const rowRules = await quarantineRules(lake, "silver.clean_orders", rules, schema);
    expect(rowRules.map((r) => r.rule)).toEqual(["not_null(customer)", "relationships(customer)", "regex(code)"]);
    const r = await lake.materialize("silver.clean_orders", sql, { parents: [orders, customers], rowRules });
    expect(r).toMatchObject({ rowsIn: 4, rowsQuarantined: 2, version: { rowCount: 2, info: { rowsIn: 4, rowsOut: 2, rowsQuarantined: 2 } } });
    expect(await lake.query("SELECT rule, reason, source_file, table_version FROM silver.clean_orders__quarantine ORDER BY rule")).toEqual([
      { rule: "not_null(customer)", reason: "customer is null", source_file: "orders.csv", table_version: 1 },
      { rule: "relationships(customer)", reason: "customer has no match in silver.customers.id: c9", source_file: "orders.csv", table_version: 1 },
    ]);
    const checks = await runChecks(lake, r.version, rules);
    expect(checks.passed).toBe(true);
    // A rebuild replaces the quarantine of the previous build rather than piling up duplicates.
    await lake.materialize("silver.clean_orders", sql + " WHERE id <> 4", { parents: [orders], rowRules });
    expect(await lake.query("SELECT count(*) AS n, max(table_version) AS v FROM silver.clean_orders__quarantine")).toEqual([{ n: 1, v: 2 }]);
    await lake.materialize("silver.clean_orders", sql, { parents: [orders] });
    expect(await lake.query("SELECT count(*) AS n FROM silver.clean_orders__quarantine")).toEqual([{ n: 0 }]);
  });
});

describe("rule registry", () => {
  it("an unknown rule's hint lists every rule the schema knows, and row-level rules are those of ROW_LEVEL_RULES", async () => {
    const { parseQualityRules, ROW_LEVEL_RULES } = await import("./rules.js");
    const { isRowLevel } = await import("./rule-sql.js");
    let hint = "";
    try {
      parseQualityRules([{ rule: "nope", column: "x" }]);
    } catch (e) {
      hint = (e as { hint?: string }).hint ?? "";
    }
    for (const r of ["schema", "not_null", "unique", "accepted_values", "relationships", "range", "regex", "row_count", "freshness", "distribution"]) expect(hint).toContain(r);
    expect(isRowLevel({ rule: "regex", column: "x", pattern: "a" } as never)).toBe(true);
    expect(isRowLevel({ rule: "unique", column: "x" } as never)).toBe(false);
    expect(ROW_LEVEL_RULES).toContain("relationships");
  });
});

