// Reverting a table: an earlier version's content becomes current as a new version (same content hash, history
// kept, audited), a downstream model sees new inputs, and the files it undid are not ingested again.
import { describe, expect, it } from "vitest";
import { NotFoundError, ValidationError } from "../errors.js";
import { revertTable } from "./revert.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh } = useTempLakes();

describe("revert", () => {
  it("makes v1's content current as v3, with who and why, and keeps v2 in history", async () => {
    const { dir, lake } = await fresh();
    const good = write(dir, "good.csv", "id\n1\n2\n");
    const bad = write(dir, "bad.csv", "id\n3\n4\n5\n");
    const v1 = (await lake.ingestFiles("bronze.r", [good])).version!;
    await lake.ingestFiles("bronze.r", [bad]);
    const r = await revertTable(lake, "bronze.r", 1, { actor: "ann", reason: "bad.csv was a test export" });
    expect(r).toMatchObject({ from: 2, to: 1, version: 3, rowsBefore: 5, rowsAfter: 2, contentHash: v1.contentHash, actor: "ann" });
    const v3 = (await lake.current("bronze.r"))!;
    expect(v3).toMatchObject({ version: 3, operation: "revert", rowCount: 2, contentHash: v1.contentHash, parents: [{ table: "bronze.r", version: 1 }] });
    expect(v3.info).toEqual({ revertedTo: 1, revertedFrom: 2, actor: "ann", reason: "bad.csv was a test export" });
    expect(await lake.query("SELECT id FROM bronze.r ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await lake.query("SELECT count(*) AS n FROM bronze.r VERSION AS OF 2")).toEqual([{ n: 5 }]);
    // The undone file is still in the landing folder: the next ingest must not bring it back.
    expect((await lake.ingestFiles("bronze.r", [good, bad])).version).toBeNull();
    // A model reading the table is rebuilt: its input files changed.
    const sql = (v: number) => `SELECT count(*) AS n FROM ${lake.relation({ table: "bronze.r", version: v })}`;
    const s2 = await lake.materialize("silver.r", sql(2), { parents: [{ table: "bronze.r", version: 2 }] });
    const s3 = await lake.materialize("silver.r", sql(3), { parents: [{ table: "bronze.r", version: 3 }] });
    expect(s3.version.version).toBe(s2.version.version + 1);
    expect(await lake.query("SELECT n FROM silver.r")).toEqual([{ n: 2 }]);
  });

  it("refuses a version that does not exist, the current one, and a missing table, with a typed error", async () => {
    const { dir, lake } = await fresh();
    await lake.ingestFiles("bronze.x", [write(dir, "a.csv", "id\n1\n")]);
    await expect(revertTable(lake, "bronze.x", 7)).rejects.toThrow(NotFoundError);
    await expect(revertTable(lake, "bronze.x", 1)).rejects.toThrow(ValidationError);
    await expect(revertTable(lake, "bronze.x", 0)).rejects.toThrow(ValidationError);
    await expect(revertTable(lake, "bronze.none", 1)).rejects.toThrow(NotFoundError);
    expect((await lake.history("bronze.x")).length).toBe(1);
  });
});
