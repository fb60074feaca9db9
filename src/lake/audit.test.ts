// Write-audit-publish: a version is committed only after its audit passes; a failed audit leaves no trace.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { TableVersion } from "../records.js";
import { Lake } from "./lake.js";

describe("write-audit-publish", () => {
  it("commits a version only when its audit passes, and a failed audit leaves the previous version and no files", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-audit-"));
    const lake = await Lake.open(root);
    const v1 = (await lake.materialize("silver.t", "SELECT 1 AS x UNION ALL SELECT 2", { parents: [] })).version;
    const filesBefore = fs.readdirSync(path.join(root, "tables/silver/t/data")).sort();

    let seen: number[] = [];
    const failing = lake
      .auditing("silver.t", async (staged) => {
        seen = (await lake.query(`SELECT x FROM ${lake.relation(staged)} ORDER BY x`)).map((r) => Number(r.x));
        throw new Error("x must be positive");
      })
      .materialize("silver.t", "SELECT -1 AS x", { parents: [] });
    await expect(failing).rejects.toThrow("x must be positive");
    expect(seen).toEqual([-1]);
    expect((await lake.current("silver.t"))?.version).toBe(v1.version);
    expect(fs.readdirSync(path.join(root, "tables/silver/t/data")).sort()).toEqual(filesBefore);
    expect((await lake.query(`SELECT sum(x) AS s FROM ${lake.relation(v1)}`))[0].s).toBe(3);

    const ok = await lake.auditing("silver.t", async (staged) => expect(staged.rowCount).toBe(1)).materialize("silver.t", "SELECT 5 AS x", { parents: [] });
    expect(ok.version.version).toBe(2);
    expect((await lake.current("silver.t"))?.version).toBe(2);
    // Writes through the lake itself are not audited.
    await lake.materialize("silver.t", "SELECT -7 AS x", { parents: [] });
    expect((await lake.current("silver.t"))?.version).toBe(3);
    await lake.close();
  });

  it("auditing(table, audit): the view stages each write to that table, publishes it if the audit passes, discards it if not", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-audit-view-"));
    const lake = await Lake.open(root);
    const positive = async (staged: TableVersion) => {
      const [r] = await lake.query(`SELECT min(x) AS m FROM ${lake.relation(staged)}`);
      if (Number(r.m) <= 0) throw new Error(`x must be positive in v${staged.version}`);
    };
    const audited = lake.auditing("silver.t", positive);
    expect((await audited.materialize("silver.t", "SELECT 4 AS x", { parents: [] })).version.version).toBe(1);
    await expect(audited.materialize("silver.t", "SELECT 0 AS x", { parents: [] })).rejects.toThrow("x must be positive in v2");
    expect((await lake.current("silver.t"))?.version).toBe(1);
    expect(fs.readdirSync(path.join(root, "tables/silver/t/data"))).toHaveLength(1);
    // The staged version left nothing behind: the next write takes its number.
    expect((await audited.ingestRecords("bronze.raw", [{ x: -1 }])).version?.version).toBe(1); // another table: not audited
    expect((await audited.materialize("silver.t", "SELECT 9 AS x", { parents: [] })).version.version).toBe(2);
    // The store it came from is not audited, and both see the same versions.
    expect((await lake.materialize("silver.t", "SELECT -3 AS x", { parents: [] })).version.version).toBe(3);
    expect((await audited.current("silver.t"))?.version).toBe(3);
    expect(() => lake.auditing("not a table", positive)).toThrow();
    await lake.close();
  });
});
