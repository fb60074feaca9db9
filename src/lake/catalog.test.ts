// The catalog (manifests only, no DuckDB) must answer tables() exactly as the open Lake does, on a real lake.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listTables } from "../app/tables.js";
import { LakeCatalog } from "./catalog.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { fresh, write, tmp } = useTempLakes();

describe("LakeCatalog", () => {
  it("lists every table at its current version as the open lake does, and the same rows for millrace tables", async () => {
    const { dir, lake } = await fresh();
    await lake.ingestFiles("bronze.people", [write(dir, "a.csv", "id,name\n1,ann\n2,bob\n")]);
    await lake.ingestFiles("bronze.people", [write(dir, "b.csv", "id,name\n3,cy\n")]);
    const people = await lake.current("bronze.people");
    await lake.materialize("silver.people", `SELECT id FROM ${lake.relation({ table: "bronze.people", version: people!.version })}`, { parents: [{ table: "bronze.people", version: people!.version }] });
    await lake.materialize("gold.counts", "SELECT 42 AS n", { parents: [] });

    const catalog = new LakeCatalog(lake.root);
    const fromLake = await lake.tables();
    expect(fromLake.map((t) => `${t.table}@${t.version}`)).toEqual(["bronze.people@2", "gold.counts@1", "silver.people@1"]);
    expect(await catalog.tables()).toEqual(fromLake);
    expect(await listTables(catalog)).toEqual(await listTables(lake));
  });

  it("rolls a pointer left behind by a crash forward to the newest committed manifest, like the lake", async () => {
    const { dir, lake } = await fresh();
    await lake.ingestFiles("bronze.people", [write(dir, "a.csv", "id\n1\n")]);
    await lake.ingestFiles("bronze.people", [write(dir, "b.csv", "id\n2\n")]);
    // A crash between the manifest's commit and the pointer's move leaves _current.json at the older version.
    fs.writeFileSync(path.join(lake.root, "tables/bronze/people/_current.json"), JSON.stringify({ version: 1 }));
    const [fromCatalog] = await new LakeCatalog(lake.root).tables();
    expect(fromCatalog.version).toBe(2);
    expect(fromCatalog).toEqual((await lake.tables())[0]);
  });

  it("answers no tables for a lake folder that does not exist yet", async () => {
    expect(await new LakeCatalog(path.join(tmp(), "no-lake")).tables()).toEqual([]);
  });
});
