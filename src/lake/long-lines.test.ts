// Over-long and over-wide lines are set aside before DuckDB reads them, with a reason that says so (a 5 MB single-line
// CSV used 1.35 GB and was quarantined as "Out of Memory"; DuckDB rejecting each extra field took minutes). The tests
// check that the reasons are the pre-scan's, not DuckDB's: speed is measured by benches, never asserted here.
import { describe, expect, it } from "vitest";
import { MAX_EXTRA_FIELDS, MAX_LINE_BYTES } from "./long-lines.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh } = useTempLakes();

describe("line bounds", () => {
  it("a 5 MB line and a line of 990,000 fields are quarantined by line number; the rows around them load", async () => {
    const { dir, lake } = await fresh();
    const rss0 = process.memoryUsage().rss;
    const long = write(dir, "long.csv", "a,b\n1,2\n" + "x,".repeat(2_500_000) + "\n3,4\n");
    const wide = write(dir, "wide.csv", "a,b\n5,6\n" + "x,".repeat(990_000) + "\n7,8\n" + "y,".repeat(MAX_EXTRA_FIELDS + 5) + "\n9,10\n");
    const r = await lake.ingestFiles("bronze.lines", [long, wide]);
    expect(r.ingested.map((f) => [f.rows, f.badRows])).toEqual([[2, 1], [3, 2]]);
    expect(r.ingested[0].badRowSamples).toEqual([{ line: 3, reason: `line longer than ${MAX_LINE_BYTES.csv} bytes (5000000 bytes)` }]);
    expect(r.ingested[1].badRowSamples?.map((s) => s.line)).toEqual([3, 5]);
    expect(r.ingested[1].badRowSamples?.[0].reason).toBe(`line has 990001 fields, more than the 2 of the first line + ${MAX_EXTRA_FIELDS}`);
    expect(await lake.query("SELECT a FROM bronze.lines ORDER BY a")).toEqual([1, 3, 5, 7, 9].map((a) => ({ a })));
    const [{ raw }] = await lake.query("SELECT length(raw) AS raw FROM bronze.lines__quarantine WHERE line = 3 LIMIT 1");
    expect(raw).toBe(10_000); // the quarantined text is cut, not 5 MB per row
    expect(process.memoryUsage().rss - rss0).toBeLessThan(400e6); // was 1.35 GB
  });

  it("a file of 2,000 lines each 250 fields wide (not long) is caught line by line by the pre-scan", async () => {
    const { dir, lake } = await fresh();
    const f = write(dir, "many.csv", "a,b\n1,2\n" + ("x,".repeat(250) + "\n").repeat(2000) + "3,4\n");
    const r = await lake.ingestFiles("bronze.many", [f]);
    expect([r.rowsOut, r.rowsBad]).toEqual([2, 2000]);
    // The pre-scan's reason, not DuckDB's (13.7 s and 1.36 GB when DuckDB rejected each extra field).
    expect(r.ingested[0].badRowSamples?.[0]).toEqual({ line: 3, reason: `line has 251 fields, more than the 2 of the first line + ${MAX_EXTRA_FIELDS}` });
  });

  it("a single-line CSV longer than the bound: its one line is quarantined with that reason", async () => {
    const { dir, lake } = await fresh();
    const r = await lake.ingestFiles("bronze.one", [write(dir, "one.csv", "a".repeat(MAX_LINE_BYTES.csv + 1))]);
    expect([r.rowsOut, r.rowsBad]).toEqual([0, 1]);
    expect(r.ingested[0].badRowSamples?.[0].reason).toMatch(/^line longer than 2000000 bytes/);
  });

  it("a header longer than the bound sets every line aside; a long quoted value inside the bound is kept", async () => {
    const { dir, lake } = await fresh();
    const r = await lake.ingestFiles("bronze.head", [write(dir, "h.csv", `${"h".repeat(MAX_LINE_BYTES.csv + 1)},b\n1,2\n3,4\n`)]);
    expect([r.rowsOut, r.rowsBad]).toEqual([0, 3]);
    const ok = await lake.ingestFiles("bronze.q", [write(dir, "q.csv", `a,b\n1,"${"x,".repeat(50_000)}"\n`)]);
    expect([ok.rowsOut, ok.rowsBad]).toEqual([1, 0]);
  });
});
