// Many one-record pushes: the table keeps a bounded number of data files (folded in order, nothing lost or
// doubled), a retried batch id is still skipped, and the quarantine still commits alongside.
import { describe, expect, it } from "vitest";
import { COMPACTION } from "./compact.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { fresh, open } = useTempLakes();

describe("small-file compaction", () => {
  it("120 pushes leave at most 17 data files, every row once and in push order", async () => {
    const { lake } = await fresh();
    for (let i = 0; i < 120; i++) {
      const r = await lake.ingestNdjson("bronze.p", `{"id":${i},"v":"r${i}"}\n${i % 40 === 0 ? "bad line\n" : ""}`, { batchId: `b${i}` });
      expect(r.rowsOut).toBe(1);
    }
    const cur = (await lake.current("bronze.p"))!;
    expect(cur.version).toBe(120);
    expect(cur.files.length).toBeLessThanOrEqual(COMPACTION.maxSmallFiles + 1); // was 120
    expect(cur.rowCount).toBe(120);
    const ids = (await lake.query(`SELECT id FROM ${lake.relation(cur)}`)).map((r) => r.id);
    expect(ids).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect((await lake.history("bronze.p")).some((v) => v.info?.compacted)).toBe(true);
    // Idempotency and quarantine are unaffected; a fresh Lake (as after a restart) agrees.
    expect((await lake.ingestNdjson("bronze.p", '{"id":0}\n', { batchId: "b7" })).version).toBeNull();
    const again = await open(lake.root);
    expect((await again.ingestNdjson("bronze.p", '{"id":0}\n', { batchId: "b100" })).version).toBeNull();
    expect(await again.query("SELECT count(*) AS n FROM bronze.p__quarantine")).toEqual([{ n: 3 }]);
    // Time travel to a version before a fold still reads its own small files.
    expect(await lake.query("SELECT count(*) AS n FROM bronze.p VERSION AS OF 20")).toEqual([{ n: 20 }]);
  });
});
