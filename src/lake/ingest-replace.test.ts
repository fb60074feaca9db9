// A landing file re-saved under the same name replaces its rows (old ones leave, new ones come in, one version),
// and an ingest warns about a file whose rows were all quarantined or whose columns differ from the table's.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh } = useTempLakes();

describe("re-saved landing file", () => {
  it("replaces that file's rows in one new version: counts match the files exactly (was 2 → 4 duplicates)", async () => {
    const { dir, lake } = await fresh();
    const a = write(dir, "landing/a.csv", "id,v\n1,10\n2,20\n");
    const b = write(dir, "landing/b.csv", "id,v\n3,30\n");
    await lake.ingestFiles("bronze.t", [a, b]);
    write(dir, "landing/a.csv", "id,v\n1,11\n2,21\n4,40\n"); // corrected and one row added
    const r = await lake.ingestFiles("bronze.t", [a, b]);
    expect(r.version?.operation).toBe("replace");
    expect(r.skipped).toEqual([b]);
    expect(r.rowsRemoved).toBe(2);
    expect(r.ingested).toMatchObject([{ path: a, rows: 3, replaced: { rowsRemoved: 2 } }]);
    expect(r.version?.rowCount).toBe(4);
    expect(await lake.query("SELECT id, v FROM bronze.t ORDER BY id")).toEqual([{ id: 1, v: 11 }, { id: 2, v: 21 }, { id: 3, v: 30 }, { id: 4, v: 40 }]);
    expect(r.version?.info).toMatchObject({ replaced: [{ file: a, rowsRemoved: 2, rowsAdded: 3 }], rowsRemoved: 2, actor: expect.any(String) });
    // Saving it back to the first content replaces again; an unchanged file is still skipped.
    write(dir, "landing/a.csv", "id,v\n1,10\n2,20\n");
    const back = await lake.ingestFiles("bronze.t", [a, b]);
    expect(back.version?.rowCount).toBe(3);
    expect((await lake.ingestFiles("bronze.t", [a, b])).version).toBeNull();
    // Time travel still sees each state.
    expect(await lake.query("SELECT count(*) AS n FROM bronze.t VERSION AS OF 2")).toEqual([{ n: 4 }]);
  });

  it("takes the file's earlier quarantine lines out with its rows: each line of the new content is set aside once", async () => {
    const { dir, lake } = await fresh();
    const types = { csv: { types: { d: "DATE" } } };
    const lines = async () => lake.query("SELECT source_file AS f, line FROM bronze.rq__quarantine ORDER BY f, line");
    const a = write(dir, "a.csv", "id,d\n1,2026-01-01\n2,x\n");
    const b = write(dir, "b.csv", "id,d\n3,y\n");
    await lake.ingestFiles("bronze.rq", [a, b], types);
    write(dir, "a.csv", "id,d\n1,2026-01-01\n2,x\n5,z\n"); // one more bad line
    await lake.ingestFiles("bronze.rq", [a, b], types);
    expect(await lines()).toEqual([{ f: a, line: 3 }, { f: a, line: 4 }, { f: b, line: 2 }]);
    write(dir, "a.csv", "id,d\n1,2026-01-01\n"); // fixed: its quarantine lines leave in the same write
    await lake.ingestFiles("bronze.rq", [a, b], types);
    expect(await lines()).toEqual([{ f: b, line: 2 }]);
  });

  it("a mixed data file (two sources' rows in one file) is rewritten without the replaced file's rows", async () => {
    const { dir, lake } = await fresh();
    const a = write(dir, "a.csv", "id\n1\n2\n");
    const b = write(dir, "b.csv", "id\n3\n");
    await lake.ingestFiles("bronze.m", [a, b]);
    // Fold the two files into one (as a compaction would), keeping the lineage columns.
    const cur = (await lake.current("bronze.m"))!;
    await lake.writeVersion("bronze.m", async (ctx) => {
      const out = ctx.newFile();
      const n = await lake.duck.run(`COPY (SELECT * FROM ${lake.relation(cur)}) TO '${out.abs}' (FORMAT parquet)`);
      return { files: [out.rel], fileRows: [n], operation: "compact", parents: [cur] };
    });
    write(dir, "a.csv", "id\n5\n");
    const r = await lake.ingestFiles("bronze.m", [a, b]);
    expect(r.rowsRemoved).toBe(2);
    expect(await lake.query("SELECT id FROM bronze.m ORDER BY id")).toEqual([{ id: 3 }, { id: 5 }]);
    expect(r.version?.rowCount).toBe(2);
    expect(path.basename(r.version!.files[0])).toMatch(/^v3-/);
    expect(fs.existsSync(dir)).toBe(true);
  });
});

describe("ingest warnings", () => {
  it("names a file whose rows were all quarantined, and files that lack or add a column", async () => {
    const { dir, lake } = await fresh();
    const first = await lake.ingestFiles("bronze.w", [write(dir, "a.csv", "id,name\n1,x\n")]);
    expect(first.warnings).toEqual([]);
    const bad = write(dir, "bad.json", "nope\nstill not json\n");
    const lost = write(dir, "lost.csv", "id\n2\n");
    const gained = write(dir, "gained.csv", "id,name,extra\n3,y,z\n");
    const r = await lake.ingestFiles("bronze.w", [bad, lost, gained]);
    expect(r.warnings).toEqual([
      `${bad}: all 2 rows were quarantined (first: line 1: invalid JSON: Unexpected token 'o', "nope" is not valid JSON)`,
      `${lost}: lacks column name of bronze.w (read as NULL)`,
      `${gained}: has new column extra not in bronze.w`,
    ]);
    expect(r.version?.info?.warnings).toEqual(r.warnings);
  });
});
