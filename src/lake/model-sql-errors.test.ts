// A SQL model that does not bind is reported at its file and its file's line, whatever the rendering added or removed
// above it (a config() block, an is_incremental() block, a ref to a view spanning lines); a run-time error names the file.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import type { Lake } from "./lake.js";
import { runSqlModel } from "./model-runner.js";
import { loadSqlModels, type SqlModel } from "./sql-models.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh } = useTempLakes();

async function setup() {
  const { dir, lake } = await fresh();
  await lake.ingestRecords("bronze.c", [{ id: 1, tenure: 3, churn: "No" }]);
  return { dir, lake };
}

function model(dir: string, rel: string, text: string): SqlModel {
  write(path.join(dir, "models"), rel, text);
  return loadSqlModels(path.join(dir, "models")).find((m) => m.path.endsWith(rel))!;
}

async function failure(lake: Lake, m: SqlModel, resolve?: (t: string) => string): Promise<Error> {
  const cur = (await lake.current("bronze.c"))!;
  return runSqlModel(lake, m, { resolve: resolve ?? (() => lake.relation(cur)), parents: [] }).then(() => { throw new Error("built"); }, (e) => e);
}

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("SQL model errors", () => {
  it("a typo'd column is reported at the file's own line, the caret under it", async () => {
    const { dir, lake } = await setup();
    const sql = "-- latest row per customer\nselect\n  id,\n  tenur,\n  churn\nfrom {{ ref('bronze.c') }}\n";
    const m = model(dir, "silver/customers.sql", sql);
    const e = await failure(lake, m);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message.split("\n")[0]).toBe(`${m.path}:4: Binder Error: Referenced column "tenur" not found in FROM clause!`);
    const lines = e.message.split("\n");
    const at = lines.findIndex((l) => l.startsWith("LINE 4: "));
    expect(lines[at]).toBe("LINE 4:   tenur,");
    expect(lines[at + 1].indexOf("^")).toBe(lines[at].indexOf("tenur"));
    expect((e as ConfigError).details.path).toBe(`${m.path}:4`);
  });

  it("counts lines as the file has them with a config() block, an is_incremental() block and a multi-line ref above", async () => {
    const { dir, lake } = await setup();
    const sql = [
      "{{ config(",
      "  materialized='incremental'",
      ") }}",
      "select id, tenure, churn,",
      "{% if is_incremental() %}",
      "  1 as incremental_only,",
      "{% else %}",
      "  0 as flag,",
      "{% endif %}",
      "  no_such_column",
      "from {{ ref('bronze.c') }}",
    ].join("\n");
    const m = model(dir, "silver/inc.sql", sql);
    const cur = (await lake.current("bronze.c"))!;
    const e = await failure(lake, m, () => `(\n\nSELECT *\nFROM ${lake.relation(cur)}\n)`);
    expect(e.message.split("\n")[0]).toMatch(new RegExp(`^${m.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${lineOf(sql, "no_such_column")}: Binder Error`));
    expect(e.message).toMatch(/LINE 10: {3}no_such_column/);
  });

  it("a model that binds but fails while running names its file", async () => {
    const { dir, lake } = await setup();
    const m = model(dir, "silver/cast.sql", "select cast(churn as integer) as c\nfrom {{ ref('bronze.c') }}\n");
    const e = await failure(lake, m);
    expect(e.message).toMatch(new RegExp(`^${m.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*Conversion Error`));
    expect(e).not.toBeInstanceOf(ConfigError);
  });
});
