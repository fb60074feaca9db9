// Write-audit-publish: a version is committed only after its audit passes; a failed audit leaves no trace.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Lake } from "./lake.js";

describe("Lake.withAudit", () => {
  it("commits a version only when its audit passes, and a failed audit leaves the previous version and no files", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-audit-"));
    const lake = await Lake.open(root);
    const v1 = (await lake.materialize("silver.t", "SELECT 1 AS x UNION ALL SELECT 2", { parents: [] })).version;
    const filesBefore = fs.readdirSync(path.join(root, "tables/silver/t/data")).sort();

    let seen: number[] = [];
    const failing = lake.withAudit(
      "silver.t",
      async (staged) => {
        seen = (await lake.query(`SELECT x FROM ${lake.relation(staged)} ORDER BY x`)).map((r) => Number(r.x));
        throw new Error("x must be positive");
      },
      () => lake.materialize("silver.t", "SELECT -1 AS x", { parents: [] }),
    );
    await expect(failing).rejects.toThrow("x must be positive");
    expect(seen).toEqual([-1]);
    expect((await lake.current("silver.t"))?.version).toBe(v1.version);
    expect(fs.readdirSync(path.join(root, "tables/silver/t/data")).sort()).toEqual(filesBefore);
    expect((await lake.query(`SELECT sum(x) AS s FROM ${lake.relation(v1)}`))[0].s).toBe(3);

    const ok = await lake.withAudit("silver.t", async (staged) => expect(staged.rowCount).toBe(1), () => lake.materialize("silver.t", "SELECT 5 AS x", { parents: [] }));
    expect(ok.version.version).toBe(2);
    expect((await lake.current("silver.t"))?.version).toBe(2);
    // The audit ends with its body: later writes are not audited.
    await lake.materialize("silver.t", "SELECT -7 AS x", { parents: [] });
    expect((await lake.current("silver.t"))?.version).toBe(3);
    await lake.close();
  });
});
