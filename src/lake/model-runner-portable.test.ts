// A copied or moved lake reuses its SQL model versions (cache keys and stored view SQL hold no absolute path).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { TableVersion } from "../records.js";
import type { Lake } from "./lake.js";
import { runSqlModel } from "./model-runner.js";
import { loadSqlModels, type SqlModel } from "./sql-models.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh, tmp, open } = useTempLakes();

async function run(lake: Lake, model: SqlModel) {
  const parents: TableVersion[] = [];
  for (const r of model.refs) parents.push((await lake.current(r))!);
  return runSqlModel(lake, model, {
    resolve: (t) => lake.relation(parents.find((p) => p.table === t)!),
    parents: parents.map((p) => ({ table: p.table, version: p.version })),
  });
}

describe("a lake in another folder", () => {
  it("reuses every table and view version after a copy, and the views read the copy's files", async () => {
    const { dir, lake } = await fresh();
    await lake.ingestFiles("bronze.events", [write(dir, "e1.csv", "id,amount\n1,10\n2,20\n")]);
    write(dir, "models/silver/events.sql", "select id, amount from {{ source('events') }}");
    write(dir, "models/gold/total.sql", "{{ config(materialized='view') }}\nselect sum(amount) as total from {{ ref('silver.events') }}");
    const models = new Map(loadSqlModels(path.join(dir, "models")).map((m) => [m.name, m]));
    await run(lake, models.get("silver.events")!);
    const view = await run(lake, models.get("gold.total")!);
    expect(JSON.stringify(view.version.info)).not.toContain(lake.root);
    await lake.close();

    const copy = path.join(tmp(), "moved");
    fs.cpSync(dir, copy, { recursive: true });
    fs.rmSync(dir, { recursive: true, force: true });
    const moved = await open(path.join(copy, "lake"));
    const again = [await run(moved, models.get("silver.events")!), await run(moved, models.get("gold.total")!)];
    expect(again.map((r) => [r.reused, r.version.version])).toEqual([[true, 1], [true, 1]]);
    expect(await moved.query("SELECT total FROM gold.total")).toEqual([{ total: 30 }]);
  });

  it("reads a view stored with another folder's absolute paths (written before paths were relative) from this lake", async () => {
    const { lake } = await fresh();
    const old = "select * from read_parquet(['/old/project/.millrace/lake/tables/silver/events/data/v1-ab12cd34-0.parquet'], union_by_name = true)";
    const here = lake.resolveSql(old);
    expect(here).toContain(`'${path.join(lake.root, "tables/silver/events/data/v1-ab12cd34-0.parquet")}'`);
    expect(here).not.toContain("/old/project");
    expect(lake.resolveSql(lake.portableSql(here))).toBe(here);
  });
});
