// Tests of SQL model loading, ref ordering, cycle and unknown-ref errors, and rendering.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { loadSqlModels, orderSqlModels, refsOf, renderSqlModel, type SqlModel } from "./sql-models.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function project(files: Record<string, string>): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-models-"));
  dirs.push(d);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
    fs.writeFileSync(path.join(d, rel), text);
  }
  return d;
}
const model = (name: string, refs: string[]): SqlModel => ({ name, path: `models/${name.replace(".", "/")}.sql`, sql: "", refs });

describe("sql models", () => {
  it("loads models per layer folder and finds refs in every quoting and spacing", () => {
    const d = project({
      "silver/customers.sql": "select * from {{ ref('bronze.customers') }} c join {{ref(\"bronze.plans\")}} p using (id)\n",
      "gold/churn.sql": "select * from {{   ref( 'silver.customers' )   }} union all select * from {{ ref('silver.customers') }}",
      "gold/notes.txt": "ignored",
    });
    const models = loadSqlModels(d);
    expect(models.map((m) => m.name)).toEqual(["gold.churn", "silver.customers"]);
    expect(models[1].refs).toEqual(["bronze.customers", "bronze.plans"]);
    expect(models[0].refs).toEqual(["silver.customers"]);
    expect(models[0].path).toBe(path.join(d, "gold", "churn.sql"));
    expect(loadSqlModels(path.join(d, "absent"))).toEqual([]);
  });

  it("refuses a model file whose name is not a table name", () => {
    const d = project({ "silver/my-model.sql": "select 1" });
    expect(() => loadSqlModels(d)).toThrow(/my-model/);
  });

  it("orders models after the models they ref", () => {
    const ordered = orderSqlModels(
      [model("gold.mart", ["gold.dim", "silver.a"]), model("gold.dim", ["silver.b"]), model("silver.b", ["silver.a"]), model("silver.a", ["bronze.x"])],
      ["bronze.x"],
    );
    expect(ordered.map((m) => m.name)).toEqual(["silver.a", "silver.b", "gold.dim", "gold.mart"]);
  });

  it("names the file and the ref when a ref is unknown", () => {
    const err = (() => {
      try {
        orderSqlModels([model("silver.a", ["bronze.missing"])], ["bronze.x"]);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).toContain("bronze.missing");
    expect(err?.message).toContain("models/silver/a.sql");
  });

  it("names the whole cycle path", () => {
    const models = [model("silver.a", ["silver.c"]), model("silver.b", ["silver.a"]), model("silver.c", ["silver.b"]), model("gold.z", ["silver.a"])];
    expect(() => orderSqlModels(models, [])).toThrow(/silver\.a → silver\.c → silver\.b → silver\.a/);
    expect(() => orderSqlModels([model("silver.self", ["silver.self"])], [])).toThrow(/silver\.self → silver\.self/);
    expect(() => orderSqlModels([model("silver.a", []), model("silver.a", [])], [])).toThrow(/two SQL models/);
  });

  it("renders refs with the resolver and leaves other text alone", () => {
    const sql = "select '{{ not a ref }}' as s, * from {{ ref('bronze.x') }} join {{ref(\"silver.y\")}} using(id)";
    const m: SqlModel = { name: "gold.g", path: "g.sql", sql, refs: refsOf(sql) };
    expect(renderSqlModel(m, (t) => `read_parquet('${t}.parquet')`)).toBe(
      "select '{{ not a ref }}' as s, * from read_parquet('bronze.x.parquet') join read_parquet('silver.y.parquet') using(id)",
    );
    expect(renderSqlModel(m, () => "$&$1")).toContain("from $&$1 join");
  });
});
