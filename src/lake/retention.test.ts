// Tests of vacuum (retention with protected versions), lineage to source files, table diff and profiles.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NotFoundError, ValidationError } from "../errors.js";
import { diffTable, lineageOf, listLakeTables, parseTableRef, profileOf, tableHistory, vacuumLake } from "./commands.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh } = useTempLakes();

describe("vacuum", () => {
  it("keeps the newest N and every protected version, removes the rest and unnamed files", async () => {
    const { lake } = await fresh();
    for (let i = 1; i <= 5; i++) await lake.materialize("silver.m", `SELECT ${i} AS v`, { parents: [] });
    fs.writeFileSync(path.join(lake.root, "tables/silver/m/data/orphan-from-a-crash.parquet"), "x");
    const dry = await vacuumLake(lake, { table: "silver.m", keep: 2, protectedVersions: [{ table: "silver.m", version: 1 }], dryRun: true });
    expect(dry[0]).toMatchObject({ removedVersions: [2, 3], keptVersions: [1, 4, 5], protectedKept: [1], dryRun: true });
    expect((await lake.history("silver.m")).length).toBe(5);
    const [r] = await vacuumLake(lake, { table: "silver.m", keep: 2, protectedVersions: [{ table: "silver.m", version: 1 }] });
    expect(r.removedFiles).toHaveLength(3);
    expect((await lake.history("silver.m")).map((v) => v.version)).toEqual([1, 4, 5]);
    expect(await lake.query("SELECT v FROM silver.m VERSION AS OF 1")).toEqual([{ v: 1 }]);
    await expect(lake.query("SELECT v FROM silver.m VERSION AS OF 2")).rejects.toThrow(NotFoundError);
    expect(fs.readdirSync(path.join(lake.root, "tables/silver/m/data"))).toHaveLength(3);
    await expect(vacuumLake(lake, { keep: 0 })).rejects.toThrow(ValidationError);
    await expect(vacuumLake(lake, { table: "silver.none", keep: 1 })).rejects.toThrow(NotFoundError);
  });

  it("keeps files shared by kept versions, and the ingest checkpoint survives removed versions", async () => {
    const { dir, lake } = await fresh();
    const files = [1, 2, 3].map((i) => write(dir, `f${i}.csv`, `k\n${i}\n`));
    for (const f of files) await lake.ingestFiles("bronze.b", [f]);
    const [r] = await vacuumLake(lake, { table: "bronze.b", keep: 1 });
    expect(r.removedVersions).toEqual([1, 2]);
    expect(r.removedFiles).toEqual([]); // version 3 still names all three files
    expect(await lake.query("SELECT sum(k) AS s FROM bronze.b")).toEqual([{ s: 6 }]);
    const again = await lake.ingestFiles("bronze.b", files);
    expect(again.version).toBeNull();
    expect(again.skipped).toHaveLength(3);
  });
});

describe("lineage, diff, profile and history", () => {
  it("walks a gold version down to the source files with hashes", async () => {
    const { dir, lake } = await fresh();
    const a = write(dir, "a.csv", "id,x\n1,10\n");
    const b = write(dir, "b.csv", "id,x\n2,20\n");
    await lake.ingestFiles("bronze.src", [a]);
    const b2 = (await lake.ingestFiles("bronze.src", [b])).version!;
    const s = (await lake.materialize("silver.s", `SELECT id, x FROM ${lake.relation(b2)}`, { parents: [b2] })).version;
    const g = (await lake.materialize("gold.g", `SELECT sum(x) AS t FROM ${lake.relation(s)}`, { parents: [s] })).version;
    const { tree, edges } = lineageOf(lake, parseTableRef("gold.g@1"));
    expect(tree.parents[0].table).toBe("silver.s");
    const bronze = tree.parents[0].parents[0];
    expect(bronze).toMatchObject({ table: "bronze.src", version: 2 });
    expect(bronze.sourceFiles.map((f) => path.basename(f.path))).toEqual(["a.csv", "b.csv"]);
    expect(bronze.sourceFiles[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(edges).toContainEqual({ from: "table:gold.g@1", to: "table:silver.s@1", kind: "derived_from" });
    expect(edges.filter((e) => e.kind === "ingested_from")).toHaveLength(2);
    expect(g.version).toBe(1);
    expect(() => parseTableRef("gold.g")).toThrow(/names no version/);
    expect(parseTableRef("gold.g", () => 7)).toEqual({ table: "gold.g", version: 7 });
  });

  it("diffs schema, row counts and rows by key", async () => {
    const { lake } = await fresh();
    await lake.materialize("silver.d", "SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) t(id, v)", { parents: [] });
    await lake.materialize("silver.d", "SELECT * FROM (VALUES (1, 'a', 1.5), (2, 'B', 2.5), (4, 'd', 0.0)) t(id, v, w)", { parents: [] });
    const d = await diffTable(lake, "silver.d", 1, 2, ["id"]);
    expect(d.rowCount).toEqual({ from: 3, to: 3, delta: 0 });
    expect(d.schema.added.map((c) => c.name)).toEqual(["w"]);
    expect(d.rows).toEqual({ added: 1, removed: 1, changed: 1, key: ["id"] });
    expect(d.contentChanged).toBe(true);
    const h = await tableHistory(lake, "silver.d");
    expect(h.map((e) => e.version)).toEqual([1, 2]);
    expect((await listLakeTables(lake))[0]).toMatchObject({ table: "silver.d", version: 2, rowCount: 3, columns: 3 });
    await expect(tableHistory(lake, "silver.none")).rejects.toThrow(NotFoundError);
  });

  it("profiles columns once per version and stores the profile beside it", async () => {
    const { lake } = await fresh();
    const v = (await lake.materialize("silver.p", "SELECT range::DOUBLE AS x, CASE WHEN range % 3 = 0 THEN NULL ELSE 'k' || (range % 2) END AS c FROM range(100)", { parents: [] })).version;
    const p = await profileOf(lake, v);
    const x = p.columns.find((c) => c.name === "x")!;
    expect(x).toMatchObject({ count: 100, nulls: 0, min: 0, max: 99, mean: 49.5 });
    expect(x.histogram?.counts.reduce((a, b) => a + b, 0)).toBe(100);
    expect(x.quantiles?.p50).toBeGreaterThan(40);
    const c = p.columns.find((c) => c.name === "c")!;
    expect(c.nulls).toBe(34);
    expect(c.top?.[0]).toEqual({ value: null, count: 34 });
    expect(fs.existsSync(path.join(lake.root, "tables/silver/p/_profiles/1.json"))).toBe(true);
    expect((await profileOf(lake, v)).computedAt).toBe(p.computedAt);
  });
});
