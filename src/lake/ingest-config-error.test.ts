// A file refused for its source's CSV options (a type DuckDB does not know) stops the ingest: no version, the file not
// marked ingested, so the run after the fix loads it; a file whose rows are all bad for row reasons is quarantined.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { csvOptionProblem } from "./csv-options-check.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh } = useTempLakes();

describe("ingest refused by configuration", () => {
  it("an unknown csv.types type fails with the option named, commits nothing, and the fixed rerun loads the file", async () => {
    const { dir, lake } = await fresh();
    const f = write(dir, "a.csv", "id,tenure\n1,10\n2,20\n");
    const err = await lake.ingestFiles("bronze.c", [f], { csv: { types: { tenure: "NOTATYPE" } } }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/csv\.types\.tenure.*Type with name NOTATYPE does not exist/);
    expect(err.hint).toMatch(/not marked ingested/);
    expect(await lake.current("bronze.c")).toBeNull();
    expect(await lake.current("bronze.c__quarantine")).toBeNull();
    const r = await lake.ingestFiles("bronze.c", [f], { csv: { types: { tenure: "BIGINT" } } });
    expect(r).toMatchObject({ rowsOut: 2, rowsBad: 0, skipped: [] });
  });

  it("a bad width or an unknown encoding is the configuration's too; a valid type the values do not fit is row-level", async () => {
    const { dir, lake } = await fresh();
    expect(await csvOptionProblem(lake.duck, { types: { a: "DECIMAL(40,2)" } }, `${dir}/lake/x/data/f.parquet`)).toMatchObject({ key: "csv.types.a" });
    expect(await csvOptionProblem(lake.duck, { encoding: "klingon" }, `${dir}/lake/x/data/f.parquet`)).toMatchObject({ key: "csv.encoding" });
    expect(await csvOptionProblem(lake.duck, { dateFormat: "%Q" }, `${dir}/lake/x/data/f.parquet`)).toMatchObject({ key: "csv.date_format" });
    expect(await csvOptionProblem(lake.duck, { types: { a: "DATE" }, encoding: "latin-1" }, `${dir}/lake/x/data/f.parquet`)).toBeNull();
    const f = write(dir, "b.csv", "id,tenure\n1,10\n2,20\n");
    const r = await lake.ingestFiles("bronze.d", [f], { csv: { types: { tenure: "DATE" } } });
    expect(r).toMatchObject({ rowsOut: 0, rowsBad: 2 });
    expect(r.warnings![0]).toMatch(/all 2 rows were quarantined/);
  });

  it("a file that is not CSV at all, with no options declared, is still quarantined (not a configuration error)", async () => {
    const { dir, lake } = await fresh();
    const bin = write(dir, "bin.csv", Buffer.from([0, 0, 0, 1, 2, 3, 10, 0, 0, 10]));
    const r = await lake.ingestFiles("bronze.bin", [bin], { csv: { types: { id: "BIGINT" } } });
    expect(r.rowsBad).toBeGreaterThan(0);
  });
});
