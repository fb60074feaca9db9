// Tests of SQL model configs and their materializations: table, view, incremental (merge and append), SCD2.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import type { TableVersion } from "../records.js";
import type { Lake } from "./lake.js";
import { runSqlModel } from "./model-runner.js";
import { parseModelConfig } from "./model-config.js";
import { loadSqlModels, renderSqlModel, type SqlModel } from "./sql-models.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh } = useTempLakes();

function models(dir: string, files: Record<string, string>): Map<string, SqlModel> {
  for (const [rel, text] of Object.entries(files)) write(path.join(dir, "models"), rel, text);
  return new Map(loadSqlModels(path.join(dir, "models")).map((m) => [m.name, m]));
}

/** Runs a model against the current versions of the tables it refs, as the pipeline does. */
async function run(lake: Lake, model: SqlModel) {
  const parents: TableVersion[] = [];
  for (const r of model.refs) parents.push((await lake.current(r))!);
  return runSqlModel(lake, model, {
    resolve: (t) => lake.relation(parents.find((p) => p.table === t)!),
    parents: parents.map((p) => ({ table: p.table, version: p.version })),
  });
}

describe("model config", () => {
  it("parses dbt-style config and refuses what it cannot use", () => {
    expect(parseModelConfig("materialized='incremental', unique_key=['a', \"b\"]", "m.sql")).toEqual({ materialized: "incremental", unique_key: ["a", "b"] });
    expect(parseModelConfig(" materialized = 'scd2' , unique_key='id', strategy='timestamp', updated_at='ts', invalidate_hard_deletes=true ", "m.sql"))
      .toMatchObject({ materialized: "scd2", unique_key: ["id"], invalidate_hard_deletes: true });
    expect(() => parseModelConfig("materialized='snapshot'", "m.sql")).toThrow(/m\.sql: config materialized/);
    expect(() => parseModelConfig("materialized='scd2'", "m.sql")).toThrow(/needs unique_key/);
    expect(() => parseModelConfig("materialized='table', colour='red'", "m.sql")).toThrow(ConfigError);
    expect(() => parseModelConfig("materialized=table", "m.sql")).toThrow(/cannot read config/);
  });

  it("renders source(), is_incremental branches and {{ this }}, and refuses unknown template calls", async () => {
    const { dir } = await fresh();
    const m = models(dir, {
      "silver/ev.sql": `{{ config(materialized='incremental', unique_key='id') }}
select * from {{ source('events') }} join {{ source("gold", "dim") }} using (id)
{% if is_incremental() %} where ts > (select max(ts) from {{ this }}) {% else %} where true {% endif %}`,
      "gold/bad.sql": "select {{ var('x') }}",
    });
    const ev = m.get("silver.ev")!;
    expect(ev.refs).toEqual(["bronze.events", "gold.dim"]);
    expect(ev.config).toEqual({ materialized: "incremental", unique_key: ["id"] });
    const r = (t: string) => `<${t}>`;
    expect(renderSqlModel(ev, r).trim()).toBe("select * from <bronze.events> join <gold.dim> using (id)\n where true");
    expect(renderSqlModel(ev, r, { isIncremental: true, self: "<me>" })).toContain("where ts > (select max(ts) from <me>)");
    expect(() => renderSqlModel(m.get("gold.bad")!, r)).toThrow(/var\(\)/);
    expect(() => renderSqlModel({ ...ev, sql: "select * from {{ this }}" }, r)).toThrow(/outside an is_incremental/);
  });
});

describe("materializations", () => {
  it("table and view models; a view reads its pinned inputs, and reruns reuse both", async () => {
    const { dir, lake } = await fresh();
    await lake.ingestFiles("bronze.events", [write(dir, "e1.csv", "id,ts,amount\n1,1,10\n2,2,20\n")]);
    const m = models(dir, {
      "silver/events.sql": "select id, ts, amount from {{ source('events') }}",
      "gold/total.sql": "{{ config(materialized='view') }}\nselect sum(amount) as total from {{ ref('silver.events') }};",
    });
    const t = await run(lake, m.get("silver.events")!);
    const v = await run(lake, m.get("gold.total")!);
    expect(v).toMatchObject({ materialized: "view", version: { operation: "view", files: [], rowCount: 1 } });
    expect(await lake.query("SELECT total FROM gold.total")).toEqual([{ total: 30 }]);
    expect(fs.existsSync(path.join(lake.root, "tables/gold/total/data"))).toBe(false);
    expect((await run(lake, m.get("silver.events")!)).reused).toBe(true);
    expect((await run(lake, m.get("gold.total")!)).reused).toBe(true);
    expect(t.version.version).toBe(1);
    const frame = await lake.readFrame(v.version);
    expect(Array.from(frame.columns[0].values as Float64Array)).toEqual([30]);
  });

  it("incremental models merge new rows on unique_key, or append without one", async () => {
    const { dir, lake } = await fresh();
    await lake.ingestFiles("bronze.events", [write(dir, "e1.csv", "id,ts,amount\n1,1,10\n2,2,20\n")]);
    const m = models(dir, {
      "silver/latest.sql": `{{ config(materialized='incremental', unique_key='id') }}
select id, ts, amount from {{ source('events') }}
{% if is_incremental() %} where ts > (select max(ts) from {{ this }}) {% endif %}`,
      "silver/log.sql": `{{ config(materialized='incremental') }}
select id, ts from {{ source('events') }} {% if is_incremental() %} where ts > (select max(ts) from {{ this }}) {% endif %}`,
    });
    const first = await run(lake, m.get("silver.latest")!);
    expect(first.version.rowCount).toBe(2);
    await run(lake, m.get("silver.log")!);
    await lake.ingestFiles("bronze.events", [write(dir, "e2.csv", "id,ts,amount\n2,3,25\n3,4,30\n")]);
    const second = await run(lake, m.get("silver.latest")!);
    expect(second).toMatchObject({ materialized: "incremental", inserted: 1, updated: 1, version: { version: 2, operation: "merge" } });
    expect(await lake.query("SELECT id, amount FROM silver.latest ORDER BY id")).toEqual([
      { id: 1, amount: 10 }, { id: 2, amount: 25 }, { id: 3, amount: 30 },
    ]);
    const log = await run(lake, m.get("silver.log")!);
    expect(log).toMatchObject({ inserted: 2, version: { rowCount: 4, operation: "append" } });
    expect((await run(lake, m.get("silver.log")!)).reused).toBe(true);
  });

  it("an SCD2 gold dimension declared in SQL keeps a contract change across two landing files", async () => {
    const { dir, lake } = await fresh();
    const m = models(dir, {
      "gold/dim_customer.sql": `{{ config(materialized='scd2', unique_key='customer_id', strategy='timestamp', updated_at='_ingested_at', tracked=['contract']) }}
select customer_id, contract, _ingested_at from {{ source('customers') }}`,
    });
    await lake.ingestFiles("bronze.customers", [write(dir, "c1.csv", "customer_id,contract\nA,Month-to-month\nB,One year\n")]);
    await new Promise((r) => setTimeout(r, 5));
    await lake.ingestFiles("bronze.customers", [write(dir, "c2.csv", "customer_id,contract\nA,Two year\nB,One year\n")]);
    const d = await run(lake, m.get("gold.dim_customer")!);
    expect(d.materialized).toBe("scd2");
    expect(await lake.query("SELECT customer_id, contract, is_current FROM gold.dim_customer ORDER BY customer_id, valid_from")).toEqual([
      { customer_id: "A", contract: "Month-to-month", is_current: false },
      { customer_id: "A", contract: "Two year", is_current: true },
      { customer_id: "B", contract: "One year", is_current: true },
    ]);
    expect((await run(lake, m.get("gold.dim_customer")!)).reused).toBe(true);
    expect((await lake.history("gold.dim_customer")).length).toBe(1);
  });

  it("orderBy stores a table model's rows sorted, keeps its cache key, and is skipped for a model lacking a column", async () => {
    const { dir, lake } = await fresh();
    await lake.ingestFiles("bronze.events", [write(dir, "e1.csv", "id,k,ts,amount\n1,b,3,10\n2,a,5,20\n3,b,1,30\n4,a,2,40\n5,c,9,50\n")]);
    const m = models(dir, { "silver/ev.sql": "select id, k, ts, amount from {{ source('events') }}" });
    const model = m.get("silver.ev")!;
    const parent = (await lake.current("bronze.events"))!;
    const opts = (orderBy?: string[]) => ({ resolve: () => lake.relation(parent), parents: [{ table: parent.table, version: parent.version }], ...(orderBy ? { orderBy } : {}) });
    const sorted = await runSqlModel(lake, model, opts(["k", "ts"]));
    // One file, read in stored order.
    expect(sorted.version.files.length).toBe(1);
    expect((await lake.duck.rows(`SELECT id FROM ${lake.relation(sorted.version)}`)).map((r) => r.id)).toEqual([4, 2, 3, 1, 5]);
    expect((await runSqlModel(lake, model, opts())).reused).toBe(true);
    const other = models(dir, { "silver/plain.sql": "select id, amount from {{ source('events') }}" }).get("silver.plain")!;
    const plain = await runSqlModel(lake, other, opts(["k", "ts"]));
    expect((await lake.duck.rows(`SELECT id FROM ${lake.relation(plain.version)}`)).map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
  });
});
