// One short reason per rejected CSV line, the same on every run (DuckDB stores a wrong field count once per
// missing or extra column, in no fixed order).
import { describe, expect, it } from "vitest";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh } = useTempLakes();

const row = (n: number, at = 0) => Array.from({ length: n }, (_, i) => String(i + at)).join(",");

describe("quarantine reasons of CSV rows", () => {
  it("says a wrong field count once, names the first bad cast, and gives the same reasons on every run", async () => {
    const { dir, lake } = await fresh();
    const header = Array.from({ length: 20 }, (_, i) => `c${i}`).join(",");
    const lines = [header];
    for (let i = 0; i < 300; i++) lines.push(row(20, i)); // enough rows for more than one reader thread
    lines.push(row(9), row(23), `x,1,y,${row(17)}`, row(20));
    const f = write(dir, "wide.csv", lines.join("\n") + "\n");
    const runs: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const r = await lake.ingestFiles(`bronze.w${i}`, [f], { csv: { types: { c0: "BIGINT", c2: "BIGINT" } } });
      runs.push(r.ingested[0].badRowSamples!.map((s) => `${s.line} ${s.reason}`));
    }
    expect(runs[0]).toEqual([
      "302 MISSING COLUMNS: expected 20 fields, found 9",
      "303 TOO MANY COLUMNS: expected 20 fields, found 23",
      `304 CAST: Error when converting column "c0". Could not convert string "x" to 'BIGINT'`,
    ]);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });
});
