// Tests of keyed landing files: after every step bronze's current rows equal the source's truth exactly (count and
// content by key), updates replace, `_deleted` and snapshot mode delete, reruns add nothing, history keeps old rows.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runChecks } from "../../quality/checks.js";
import type { Lake } from "../lake.js";
import { useTempLakes } from "../test-helpers/tmp-lake.js";
import { ingestKeyedFiles } from "./files-keyed.js";

const { fresh, write, open } = useTempLakes();
type Row = { id: number; name: string; plan: string };

/** The current bronze rows as the source would hold them, by key. */
async function current(lake: Lake, table: string): Promise<Row[]> {
  return (await lake.query(`SELECT id, name, plan FROM ${table} ORDER BY id`)) as Row[];
}

/** The bar: count and keyed content equal the truth, and the key is unique. */
async function expectExactly(lake: Lake, table: string, truth: Map<number, Omit<Row, "id">>) {
  const want = [...truth].sort((a, b) => a[0] - b[0]).map(([id, r]) => ({ id, ...r }));
  expect(await lake.query(`SELECT count(*) AS n FROM ${table}`)).toEqual([{ n: truth.size }]);
  expect(await current(lake, table)).toEqual(want);
  const cur = (await lake.current(table))!;
  const report = await runChecks(lake, { table, version: cur.version }, [{ rule: "unique", column: "id" }]);
  expect(report.passed).toBe(true);
}

describe("keyed landing files", () => {
  it("upserts by key, deletes by the _deleted flag, and a rerun adds nothing", async () => {
    const { dir, lake } = await fresh();
    const T = "bronze.customers";
    const land = path.join(dir, "landing");
    const files: string[] = [];
    const run = (name: string, text: string) => {
      files.push(write(land, name, text));
      return ingestKeyedFiles(lake, T, files, { key: ["id"] });
    };
    const truth = new Map([[1, { name: "ann", plan: "basic" }], [2, { name: "bob", plan: "pro" }], [3, { name: "cy", plan: "basic" }]]);
    const r1 = await run("a.csv", "id,name,plan\n1,ann,basic\n2,bob,pro\n3,cy,basic\n");
    expect(r1.changes).toEqual({ inserted: 3, updated: 0, deleted: 0, unchanged: 0 });
    await expectExactly(lake, T, truth);

    // Bob upgrades, cy is sent again unchanged, dee is new; ann's row appears twice in one file: the last one wins.
    truth.set(2, { name: "bob", plan: "max" }).set(4, { name: "dee", plan: "pro" }).set(1, { name: "ann", plan: "pro" });
    const r2 = await run("b.csv", "id,name,plan\n2,bob,max\n3,cy,basic\n4,dee,pro\n1,ann,gold\n1,ann,pro\n");
    expect(r2.changes).toEqual({ inserted: 1, updated: 2, deleted: 0, unchanged: 1 });
    expect(r2.version).toMatchObject({ operation: "upsert", info: { inserted: 1, updated: 2, deleted: 0, unchanged: 1, tombstones: 0 } });
    await expectExactly(lake, T, truth);

    // ann leaves, dee changes; a delete of a key never seen removes nothing. The flag column is not stored.
    truth.delete(1);
    truth.set(4, { name: "dee", plan: "max" });
    const r3 = await run("c.csv", "id,name,plan,_deleted\n1,,,true\n4,dee,max,false\n99,,,true\n");
    expect(r3.changes).toEqual({ inserted: 0, updated: 1, deleted: 1, unchanged: 0 });
    expect(r3.version?.info?.tombstones).toBe(1);
    expect(r3.version?.schema.map((c) => c.name)).not.toContain("_deleted");
    await expectExactly(lake, T, truth);

    // Rerun with every file already read: nothing read, no version, nothing duplicated.
    const r4 = await ingestKeyedFiles(lake, T, files, { key: ["id"] });
    expect(r4.version).toBeNull();
    expect(r4.skipped).toHaveLength(3);
    await expectExactly(lake, T, truth);

    // History stays: time travel still shows bob on pro and ann present.
    expect(await lake.query(`SELECT id, plan FROM ${T} VERSION AS OF 1 ORDER BY id`)).toEqual([
      { id: 1, plan: "basic" }, { id: 2, plan: "pro" }, { id: 3, plan: "basic" },
    ]);
    // A table rebuilt from bronze no longer sees the deleted key.
    const cur = (await lake.current(T))!;
    const silver = await lake.materialize("silver.customers", `SELECT id, plan FROM ${lake.relation(cur)}`, { parents: [cur] });
    expect(await lake.query("SELECT count(*) AS n, count(*) FILTER (WHERE id = 1) AS ann FROM silver.customers")).toEqual([{ n: 3, ann: 0 }]);
    expect(silver.version.rowCount).toBe(3);
  });

  it("the last of several new files wins for a key, and a file of unchanged rows changes nothing", async () => {
    const { dir, lake } = await fresh();
    const T = "bronze.k";
    const a = write(dir, "l/a.csv", "id,name,plan\n1,a,x\n2,b,x\n");
    const b = write(dir, "l/b.csv", "id,name,plan\n1,a,y\n");
    const r = await ingestKeyedFiles(lake, T, [a, b], { key: ["id"] });
    expect(r.changes).toEqual({ inserted: 2, updated: 0, deleted: 0, unchanged: 0 });
    await expectExactly(lake, T, new Map([[1, { name: "a", plan: "y" }], [2, { name: "b", plan: "x" }]]));
    const c = write(dir, "l/c.csv", "id,name,plan\n2,b,x\n");
    const same = await ingestKeyedFiles(lake, T, [a, b, c], { key: ["id"] });
    expect(same.changes).toEqual({ inserted: 0, updated: 0, deleted: 0, unchanged: 1 });
    // The file is remembered (a version with the same data files, so nothing downstream rebuilds).
    expect(same.version?.contentHash).toBe(r.version?.contentHash);
    expect((await ingestKeyedFiles(lake, T, [a, b, c], { key: ["id"] })).version).toBeNull();
  });

  it("snapshot mode: each file is the whole table, so keys absent from it are deleted", async () => {
    const { dir, lake } = await fresh();
    const T = "bronze.snap";
    const files: string[] = [];
    const run = (name: string, text: string) => {
      files.push(write(dir, `l/${name}`, text));
      return ingestKeyedFiles(lake, T, files, { key: ["id"], mode: "snapshot" });
    };
    await run("d1.csv", "id,name,plan\n1,a,x\n2,b,x\n3,c,x\n");
    const r2 = await run("d2.csv", "id,name,plan\n2,b,y\n3,c,x\n5,e,x\n");
    expect(r2.changes).toEqual({ inserted: 1, updated: 1, deleted: 1, unchanged: 1 });
    await expectExactly(lake, T, new Map([[2, { name: "b", plan: "y" }], [3, { name: "c", plan: "x" }], [5, { name: "e", plan: "x" }]]));
    // Two snapshots at once: only the later one counts.
    files.push(write(dir, "l/d3.csv", "id,name,plan\n9,z,z\n"));
    const r3 = await run("d4.csv", "id,name,plan\n3,c,q\n");
    expect(r3.changes).toEqual({ inserted: 0, updated: 1, deleted: 2, unchanged: 0 });
    await expectExactly(lake, T, new Map([[3, { name: "c", plan: "q" }]]));
    expect((await ingestKeyedFiles(lake, T, files, { key: ["id"], mode: "snapshot" })).version).toBeNull();
  });

  it("a file saved again under its name replaces its rows: keys it dropped leave, other files' rows stay", async () => {
    const { dir, lake } = await fresh();
    const T = "bronze.re";
    const a = write(dir, "l/a.csv", "id,name,plan\n1,a,x\n2,b,x\n3,c,x\n");
    const b = write(dir, "l/b.csv", "id,name,plan\n4,d,x\n");
    await ingestKeyedFiles(lake, T, [a, b], { key: ["id"] });
    write(dir, "l/a.csv", "id,name,plan\n1,a,y\n3,c,x\n");
    const r = await ingestKeyedFiles(lake, T, [a, b], { key: ["id"] });
    expect(r.changes).toEqual({ inserted: 0, updated: 1, deleted: 1, unchanged: 1 });
    await expectExactly(lake, T, new Map([[1, { name: "a", plan: "y" }], [3, { name: "c", plan: "x" }], [4, { name: "d", plan: "x" }]]));
    // Saved back with its first content: a change again, not "already read".
    write(dir, "l/a.csv", "id,name,plan\n1,a,x\n2,b,x\n3,c,x\n");
    expect((await ingestKeyedFiles(lake, T, [a, b], { key: ["id"] })).changes).toEqual({ inserted: 1, updated: 1, deleted: 0, unchanged: 1 });
    await expectExactly(lake, T, new Map([[1, { name: "a", plan: "x" }], [2, { name: "b", plan: "x" }], [3, { name: "c", plan: "x" }], [4, { name: "d", plan: "x" }]]));
  });

  it("a commit that dies before its manifest leaves the table as it was, and the retry lands exactly once", async () => {
    const { dir } = await fresh();
    let die = true;
    const lake = await open(path.join(dir, "lake2"), { beforeCommit: () => { if (die) throw new Error("killed"); } });
    const T = "bronze.retry";
    const a = write(dir, "l/a.csv", "id,name,plan\n1,a,x\n2,b,x\n");
    die = false;
    await ingestKeyedFiles(lake, T, [a], { key: ["id"] });
    const b = write(dir, "l/b.csv", "id,name,plan\n2,b,y\n3,c,x\n");
    die = true;
    await expect(ingestKeyedFiles(lake, T, [a, b], { key: ["id"] })).rejects.toThrow(/killed/);
    await expectExactly(lake, T, new Map([[1, { name: "a", plan: "x" }], [2, { name: "b", plan: "x" }]]));
    die = false;
    const retry = await ingestKeyedFiles(lake, T, [a, b], { key: ["id"] });
    expect(retry.changes).toEqual({ inserted: 1, updated: 1, deleted: 0, unchanged: 0 });
    await expectExactly(lake, T, new Map([[1, { name: "a", plan: "x" }], [2, { name: "b", plan: "y" }], [3, { name: "c", plan: "x" }]]));
    expect((await ingestKeyedFiles(lake, T, [a, b], { key: ["id"] })).version).toBeNull();
  });

  it("composite keys, and schema_policy fail with files that do or do not carry the delete flag", async () => {
    const { dir, lake } = await fresh();
    const T = "bronze.comp";
    const opts = { key: ["region", "id"], schemaPolicy: "fail" as const };
    const a = write(dir, "l/a.csv", "region,id,v\neu,1,a\nus,1,b\neu,2,c\n");
    await ingestKeyedFiles(lake, T, [a], opts);
    const b = write(dir, "l/b.csv", "region,id,v\nus,1,B\n");
    expect((await ingestKeyedFiles(lake, T, [a, b], opts)).changes).toEqual({ inserted: 0, updated: 1, deleted: 0, unchanged: 0 });
    const c = write(dir, "l/c.csv", "region,id,v,_deleted\neu,1,,true\nus,2,d,false\n");
    expect((await ingestKeyedFiles(lake, T, [a, b, c], opts)).changes).toEqual({ inserted: 1, updated: 0, deleted: 1, unchanged: 0 });
    expect(await lake.query(`SELECT region, id, v FROM ${T} ORDER BY region, id`)).toEqual([
      { region: "eu", id: 2, v: "c" }, { region: "us", id: 1, v: "B" }, { region: "us", id: 2, v: "d" },
    ]);
    // A real schema change is still refused under fail.
    const d = write(dir, "l/d.csv", "region,id,v,extra\neu,3,e,x\n");
    await expect(ingestKeyedFiles(lake, T, [a, b, c, d], opts)).rejects.toThrow(/new column extra/);
  });

  it("turning the key on over an appended table collapses a key held twice, even twice in one file", async () => {
    const { dir, lake } = await fresh();
    const T = "bronze.old";
    const a = write(dir, "l/a.csv", "id,name,plan\n1,a,x\n1,a,y\n2,b,x\n");
    await lake.ingestFiles(T, [a]);
    const b = write(dir, "l/b.csv", "id,name,plan\n3,c,x\n");
    const r = await ingestKeyedFiles(lake, T, [a, b], { key: ["id"] });
    expect(r.changes).toEqual({ inserted: 1, updated: 0, deleted: 0, unchanged: 0 });
    expect(r.version?.info).toMatchObject({ deduplicated: 1 });
    expect(await lake.query(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ${T}`)).toEqual([{ n: 3, ids: 3 }]);
  });

  it("rows with a NULL key go to the quarantine (rows in = rows out + quarantined); a missing key column is named", async () => {
    const { dir, lake } = await fresh();
    const r = await ingestKeyedFiles(lake, "bronze.n", [write(dir, "n.csv", "id,name,plan\n1,a,x\n,b,x\n")], { key: ["id"] });
    expect(r).toMatchObject({ rowsIn: 2, rowsOut: 1, rowsBad: 1, changes: { inserted: 1 } });
    expect(await lake.query("SELECT count(*) AS n FROM bronze.n__quarantine WHERE rule = 'key'")).toEqual([{ n: 1 }]);
    await expect(ingestKeyedFiles(lake, "bronze.n", [write(dir, "m.csv", "name,plan\na,x\n")], { key: ["id"] })).rejects.toThrow(/key column id/);
  });

  it("a re-saved keyed file's earlier quarantine lines leave when it is read again: each line once", async () => {
    const { dir, lake } = await fresh();
    const lines = async () => lake.query("SELECT source_file AS f, raw FROM bronze.rk__quarantine ORDER BY f, raw");
    const n = write(dir, "n.csv", "id,name,plan\n1,a,x\n,b,x\n");
    const keep = write(dir, "k.csv", "id,name,plan\n2,k,x\n,k,y\n");
    await ingestKeyedFiles(lake, "bronze.rk", [n, keep], { key: ["id"] });
    write(dir, "n.csv", "id,name,plan\n1,a,x\n,b,x\n,c,x\n");
    await ingestKeyedFiles(lake, "bronze.rk", [n, keep], { key: ["id"] });
    expect((await lines()).map((l) => l.f)).toEqual([n, n, keep].sort());
    write(dir, "n.csv", "id,name,plan\n1,a,y\n");
    await ingestKeyedFiles(lake, "bronze.rk", [n, keep], { key: ["id"] });
    expect((await lines()).map((l) => l.f)).toEqual([keep]);
  });

  it("says aloud when a keyed file lacks a column of the table (run --strict fails on such warnings)", async () => {
    const { dir, lake } = await fresh();
    const T = "bronze.accounts";
    const land = path.join(dir, "landing");
    const files = [write(land, "a.csv", "id,name,plan\n1,ann,basic\n2,bob,pro\n")];
    const first = await ingestKeyedFiles(lake, T, files, { key: ["id"] });
    expect(first.warnings ?? []).toEqual([]);
    files.push(write(land, "b.csv", "id,name\n3,cy\n"));
    const second = await ingestKeyedFiles(lake, T, files, { key: ["id"] });
    expect(second.warnings).toEqual([expect.stringMatching(/b\.csv: lacks column plan of bronze\.accounts/)]);
    expect((await lake.current(T))!.info?.warnings).toEqual(second.warnings);
  });
});
