// Forgetting a landing file: its rows leave the table as a new audited version, nothing else changes, and the
// file is not ingested again until it is re-saved with new content.
import { describe, expect, it } from "vitest";
import { NotFoundError } from "../errors.js";
import { forgetFile } from "./forget.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh } = useTempLakes();

describe("forget", () => {
  it("removes exactly the file's rows (a mixed batch keeps the others), audited in the manifest", async () => {
    const { dir, lake } = await fresh();
    const a = write(dir, "a.csv", "id\n1\n2\n");
    const b = write(dir, "b.csv", "id\n3\n4\n5\n");
    const c = write(dir, "c.csv", "id\n6\n");
    await lake.ingestFiles("bronze.f", [a, b]);
    await lake.ingestFiles("bronze.f", [c]);
    const r = await forgetFile(lake, b, { actor: "bob" });
    expect(r).toMatchObject({ table: "bronze.f", file: b, version: 3, rowsBefore: 6, rowsRemoved: 3, rowsAfter: 3, actor: "bob" });
    const v = (await lake.current("bronze.f"))!;
    expect(v.operation).toBe("forget");
    expect(v.info).toMatchObject({ forgotten: { file: b, rowsRemoved: 3 }, rowsRemoved: 3, actor: "bob" });
    expect(await lake.query("SELECT id FROM bronze.f ORDER BY id")).toEqual([1, 2, 6].map((id) => ({ id })));
    expect(await lake.current("bronze.f__quarantine")).toBeNull(); // nothing was quarantined: no table is started
    // Still in the landing folder: not loaded again; re-saved with new content: loaded (as a replacement).
    expect((await lake.ingestFiles("bronze.f", [a, b, c])).version).toBeNull();
    write(dir, "b.csv", "id\n7\n");
    const again = await lake.ingestFiles("bronze.f", [a, b, c]);
    expect(again).toMatchObject({ rowsOut: 1, rowsRemoved: 0 });
    expect(await lake.query("SELECT id FROM bronze.f ORDER BY id")).toEqual([1, 2, 6, 7].map((id) => ({ id })));
    // Forgetting twice changes nothing; an unknown file is a typed error.
    await forgetFile(lake, a);
    expect((await forgetFile(lake, a)).rowsRemoved).toBe(0);
    await expect(forgetFile(lake, write(dir, "never.csv", "id\n1\n"))).rejects.toThrow(NotFoundError);
    expect(await lake.query("SELECT count(*) AS n FROM bronze.f")).toEqual([{ n: 2 }]);
  });
});

describe("forget a file recorded with no rows", () => {
  it("forgets the record (a version, audited), so the next ingest reads the file again; twice changes nothing", async () => {
    const { dir, lake } = await fresh();
    const a = write(dir, "a.csv", "id,d\n1,x\n2,y\n");
    const ok = write(dir, "ok.csv", "id\n3\n");
    await lake.ingestFiles("bronze.z", [ok]);
    expect(await lake.ingestFiles("bronze.z", [a], { csv: { types: { d: "DATE" } } })).toMatchObject({ rowsOut: 0, rowsBad: 2 });
    expect((await lake.ingestFiles("bronze.z", [a])).skipped).toEqual([a]);
    const r = await forgetFile(lake, a, { actor: "ann" });
    expect(r).toMatchObject({ table: "bronze.z", version: 3, rowsRemoved: 0, rowsAfter: 1, recordForgotten: true });
    expect((await lake.current("bronze.z"))!.info).toMatchObject({ forgotten: { file: a, rowsRemoved: 0 }, actor: "ann" });
    expect((await forgetFile(lake, a)).recordForgotten).toBeUndefined();
    const again = await lake.ingestFiles("bronze.z", [ok, a]);
    expect(again).toMatchObject({ skipped: [ok], rowsOut: 2, rowsBad: 0 });
    expect(await lake.query("SELECT id FROM bronze.z ORDER BY id")).toEqual([1, 2, 3].map((id) => ({ id })));
  });
});

describe("forget takes the file's quarantine rows too", () => {
  const lines = async (lake: Awaited<ReturnType<typeof fresh>>["lake"], table: string) =>
    (await lake.query(`SELECT source_file AS f, line FROM ${table}__quarantine ORDER BY f, line`)) as { f: string; line: number }[];

  it("a file recorded with no rows: after forget and a re-read that quarantines again, each line is there once", async () => {
    const { dir, lake } = await fresh();
    const a = write(dir, "a.csv", "id,d\n1,x\n2,y\n");
    const ok = write(dir, "ok.csv", "id,d\n3,2026-01-01\n4,z\n");
    const types = { csv: { types: { d: "DATE" } } };
    await lake.ingestFiles("bronze.q", [ok], types);
    expect(await lake.ingestFiles("bronze.q", [a], types)).toMatchObject({ rowsOut: 0, rowsBad: 2 });
    const r = await forgetFile(lake, a);
    expect(r).toMatchObject({ recordForgotten: true, quarantineRowsRemoved: 2 });
    // The forget is a new quarantine version, parented by the main table's forget version; ok.csv's line stays.
    const q = (await lake.current("bronze.q__quarantine"))!;
    expect(q).toMatchObject({ operation: "quarantine", parents: [{ table: "bronze.q", version: r.version }] });
    expect(await lines(lake, "bronze.q")).toEqual([{ f: ok, line: 3 }]);
    expect(await lake.ingestFiles("bronze.q", [ok, a], types)).toMatchObject({ skipped: [ok], rowsOut: 0, rowsBad: 2 });
    expect(await lines(lake, "bronze.q")).toEqual([{ f: a, line: 2 }, { f: a, line: 3 }, { f: ok, line: 3 }]);
    // The earlier quarantine version still holds what it held (time travel).
    expect(await lake.query(`SELECT count(*) AS n FROM read_parquet([${(await lake.history("bronze.q__quarantine"))[1].files.map((f) => `'${lake.root}/${f}'`).join(", ")}])`)).toEqual([{ n: 3 }]);
  });

  it("a file partly quarantined: forgetting it removes its rows and its quarantine lines, not another file's", async () => {
    const { dir, lake } = await fresh();
    const a = write(dir, "a.csv", "id,d\n1,2026-01-01\n2,x\n");
    const b = write(dir, "b.csv", "id,d\n3,y\n4,2026-01-02\n");
    const types = { csv: { types: { d: "DATE" } } };
    await lake.ingestFiles("bronze.p", [a, b], types);
    expect(await lines(lake, "bronze.p")).toHaveLength(2);
    const r = await forgetFile(lake, a);
    expect(r).toMatchObject({ rowsRemoved: 1, rowsAfter: 1, quarantineRowsRemoved: 1 });
    expect(await lines(lake, "bronze.p")).toEqual([{ f: b, line: 2 }]);
    // Forgetting again changes neither table.
    const qv = (await lake.current("bronze.p__quarantine"))!.version;
    expect(await forgetFile(lake, a)).toMatchObject({ rowsRemoved: 0, quarantineRowsRemoved: 0 });
    expect((await lake.current("bronze.p__quarantine"))!.version).toBe(qv);
  });
});
