// Tests of the lake's spine contract on real DuckDB and real files in temp folders.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NotFoundError, ValidationError } from "../errors.js";
import { Lake } from "./lake.js";

const dirs: string[] = [];
const lakes: Lake[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-lake-"));
  dirs.push(d);
  return d;
}
async function open(root: string, opts = {}): Promise<Lake> {
  const lake = await Lake.open(root, opts);
  lakes.push(lake);
  return lake;
}
function write(dir: string, name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}
afterEach(async () => {
  for (const l of lakes.splice(0)) await l.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("ingestFiles", () => {
  it("appends CSV files with lineage columns and skips files already ingested", async () => {
    const d = tmp();
    const lake = await open(path.join(d, "lake"));
    const a = write(d, "a.csv", "id,name,score\n1,ann,3.5\n2,bob,\n");
    const r1 = await lake.ingestFiles("bronze.people", [a]);
    expect(r1.version?.version).toBe(1);
    expect(r1.rowsOut).toBe(2);
    expect(r1.rowsBad).toBe(0);
    expect(r1.ingested[0].hash).toMatch(/^[0-9a-f]{64}$/);
    const cols = r1.version!.schema.map((c) => c.name);
    expect(cols).toEqual(["id", "name", "score", "_source_file", "_ingested_at", "_batch_id"]);
    const rows = await lake.query(`SELECT id, name, _source_file FROM ${lake.relation(r1.version!)} ORDER BY id`);
    expect(rows).toEqual([{ id: 1, name: "ann", _source_file: a }, { id: 2, name: "bob", _source_file: a }]);

    const again = await lake.ingestFiles("bronze.people", [a]);
    expect(again.version).toBeNull();
    expect(again.skipped).toEqual([a]);

    const b = write(d, "b.csv", "id,name,score\n3,cy,1\n");
    const r2 = await lake.ingestFiles("bronze.people", [a, b]);
    expect(r2.skipped).toEqual([a]);
    expect(r2.version?.version).toBe(2);
    expect(r2.version?.rowCount).toBe(3);
    expect(r2.version?.parents).toEqual([{ table: "bronze.people", version: 1 }]);
    // Same path, new content: the file's 2 earlier rows are replaced by its 1 new row (issue 8: no duplicates).
    fs.writeFileSync(a, "id,name,score\n4,dee,2\n");
    const r3 = await lake.ingestFiles("bronze.people", [a]);
    expect(r3.version?.rowCount).toBe(2);
    // The checkpoint survives reopening the lake (it lives in the lake, not in memory).
    const reopened = await open(path.join(d, "lake"));
    expect((await reopened.ingestFiles("bronze.people", [a, b])).version).toBeNull();
    expect((await reopened.history("bronze.people")).map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it("counts malformed CSV rows (wrong column count, bad quote, bad value) without crashing", async () => {
    const d = tmp();
    const lake = await open(path.join(d, "lake"));
    const bad = write(d, "bad.csv", 'id,name,amount\n1,"ann",10\n2,bob\n3,"cy,20\n4,dee,30,99\n5,eve,40\n');
    const empty = write(d, "empty.csv", "");
    const headerOnly = write(d, "header.csv", "id,name,amount\n");
    const r = await lake.ingestFiles("bronze.orders", [bad, empty, headerOnly]);
    const byName = Object.fromEntries(r.ingested.map((f) => [path.basename(f.path), f]));
    // 5 data lines: every one is either a row or a bad row, even those an unterminated quote swallowed.
    expect(byName["bad.csv"].rows + byName["bad.csv"].badRows).toBe(5);
    expect(byName["bad.csv"].badRows).toBeGreaterThanOrEqual(3);
    expect(byName["bad.csv"].badRowSamples?.map((s) => s.line)).toEqual(expect.arrayContaining([3, 4]));
    expect(byName["empty.csv"]).toMatchObject({ rows: 0, badRows: 0 });
    expect(byName["header.csv"]).toMatchObject({ rows: 0, badRows: 0 });
    expect(r.rowsIn).toBe(r.rowsOut + r.rowsBad);
    expect(r.version?.rowCount).toBe(r.rowsOut);
    const [{ n }] = await lake.query(`SELECT count(*) AS n FROM ${lake.relation(r.version!)}`);
    expect(n).toBe(r.rowsOut);
    // The one good quoted value is read without its quotes: one bad row does not turn quoting off.
    expect(await lake.query(`SELECT name FROM ${lake.relation(r.version!)} WHERE id = 1`)).toEqual([{ name: "ann" }]);
  });

  it("reads CRLF, semicolon-delimited and Yes/No files as written, and survives a bad quote in a large file", async () => {
    const d = tmp();
    const lake = await open(path.join(d, "lake"));
    const crlf = write(d, "crlf.csv", "id;answer;note\r\n1;Yes;\"a;b\"\r\n2;No;c\r\n");
    const r = await lake.ingestFiles("bronze.crlf", [crlf]);
    expect(r.rowsBad).toBe(0);
    expect(await lake.query(`SELECT id, answer, note FROM ${lake.relation(r.version!)} ORDER BY id`)).toEqual([
      { id: 1, answer: "Yes", note: "a;b" },
      { id: 2, answer: "No", note: "c" },
    ]);
    const lines = ["id,name,amount"];
    for (let i = 0; i < 50_000; i++) lines.push(i === 40_000 ? `${i},"oops,1` : `${i},n${i},${i % 7}`);
    const big = write(d, "big.csv", lines.join("\n") + "\n");
    const rb = await lake.ingestFiles("bronze.big", [big]);
    expect(rb.rowsOut + rb.rowsBad).toBe(50_000);
    expect(rb.rowsOut).toBeGreaterThanOrEqual(40_000);
    expect(rb.ingested[0].badRowSamples?.[0].line).toBe(40_002);
  });

  it("reports a file DuckDB cannot read at all and keeps ingesting the others", async () => {
    const d = tmp();
    const lake = await open(path.join(d, "lake"));
    const garbage = path.join(d, "garbage.parquet");
    fs.writeFileSync(garbage, Buffer.from([0, 1, 2, 3, 255, 254, 10, 10]));
    const good = write(d, "good.csv", "x\n1\n2\n");
    const r = await lake.ingestFiles("bronze.mixed", [garbage, good]);
    expect(r.ingested.find((f) => f.path === garbage)?.error).toBeTruthy();
    expect(r.version?.rowCount).toBe(2);
  });

  it("ingests Parquet and refuses unknown extensions and missing files with typed errors", async () => {
    const d = tmp();
    const lake = await open(path.join(d, "lake"));
    const pq = path.join(d, "in.parquet");
    await lake.query(`COPY (SELECT range AS k, range * 2.5 AS v FROM range(5)) TO '${pq}' (FORMAT parquet)`);
    const r = await lake.ingestFiles("bronze.pq", [pq]);
    expect(r.version?.rowCount).toBe(5);
    await expect(lake.ingestFiles("bronze.pq", [write(d, "x.xlsx", "a")])).rejects.toThrow(ValidationError);
    await expect(lake.ingestFiles("bronze.pq", [path.join(d, "nope.csv")])).rejects.toThrow(/does not exist/);
    await expect(lake.ingestFiles("bronze/../../etc", [pq])).rejects.toThrow(ValidationError);
  });
});

describe("commits", () => {
  it("leaves the previous version whole when a commit dies between data write and manifest", async () => {
    const d = tmp();
    const root = path.join(d, "lake");
    const a = write(d, "a.csv", "k\n1\n2\n3\n");
    const ok = await open(root);
    const v1 = (await ok.ingestFiles("bronze.t", [a])).version!;
    const crashing = await open(root, { beforeCommit: () => { throw new Error("simulated crash"); } });
    const b = write(d, "b.csv", "k\n4\n5\n");
    await expect(crashing.ingestFiles("bronze.t", [b])).rejects.toThrow("simulated crash");
    await expect(crashing.materialize("silver.t", "SELECT 1 AS x", { parents: [] })).rejects.toThrow("simulated crash");
    // The data file of the dead commit is on disk, but no version names it.
    const dataFiles = fs.readdirSync(path.join(root, "tables/bronze/t/data"));
    expect(dataFiles.length).toBe(2);
    const fresh = await open(root);
    expect((await fresh.current("bronze.t"))?.version).toBe(1);
    expect(await fresh.current("silver.t")).toBeNull();
    const rows = await fresh.query(`SELECT sum(k) AS s, count(*) AS n FROM ${fresh.relation(v1)}`);
    expect(rows).toEqual([{ s: 6, n: 3 }]);
    // The file whose commit died was never checkpointed: the next run ingests it, exactly once.
    const retry = await fresh.ingestFiles("bronze.t", [a, b]);
    expect(retry.skipped).toEqual([a]);
    expect(retry.version?.rowCount).toBe(5);
  });

  it("serializes concurrent writers of one table", async () => {
    const d = tmp();
    const root = path.join(d, "lake");
    const l1 = await open(root);
    const l2 = await open(root);
    const files = [0, 1, 2, 3].map((i) => write(d, `f${i}.csv`, `k\n${i}\n`));
    const results = await Promise.all(files.map((f, i) => (i % 2 ? l1 : l2).ingestFiles("bronze.c", [f])));
    expect(results.map((r) => r.version!.version).sort()).toEqual([1, 2, 3, 4]);
    const cur = await l1.current("bronze.c");
    expect(cur?.rowCount).toBe(4);
  });
});

describe("materialize, versions and reads", () => {
  it("materializes SELECTs as versions with parents and reuses a version with the same cache key", async () => {
    const d = tmp();
    const lake = await open(path.join(d, "lake"));
    const src = (await lake.ingestFiles("bronze.s", [write(d, "s.csv", "k,v\n1,a\n2,b\n")])).version!;
    const m1 = await lake.materialize("silver.s", `SELECT k * 10 AS k10 FROM ${lake.relation(src)}; -- trailing comment`, {
      parents: [src], cacheKey: "key-1",
    });
    expect(m1.reused).toBe(false);
    expect(m1.version).toMatchObject({ table: "silver.s", version: 1, rowCount: 2, parents: [{ table: "bronze.s", version: 1 }] });
    const again = await lake.materialize("silver.s", "SELECT 1", { parents: [src], cacheKey: "key-1" });
    expect(again).toMatchObject({ reused: true, version: { version: 1 } });
    const m2 = await lake.materialize("silver.s", "SELECT 7 AS k10", { parents: [src], cacheKey: "key-2" });
    expect(m2.version.version).toBe(2);
    expect(m2.version.contentHash).not.toBe(m1.version.contentHash);
    // Old versions stay readable: time travel by ref.
    expect(await lake.query(`SELECT k10 FROM ${lake.relation({ table: "silver.s", version: 1 })} ORDER BY 1`)).toEqual([{ k10: 10 }, { k10: 20 }]);
    expect((await lake.tables()).map((t) => `${t.table}@${t.version}`)).toEqual(["bronze.s@1", "silver.s@2"]);
    await expect(lake.materialize("silver.bad", "SELEC nonsense", { parents: [] })).rejects.toThrow(ValidationError);
    await expect(lake.version({ table: "silver.s", version: 9 })).rejects.toThrow(NotFoundError);
    expect(() => lake.relation({ table: "gold.none", version: 1 })).toThrow(NotFoundError);
  });

  it("reads frames: numbers as Float64Array with NaN, booleans and dates as strings", async () => {
    const d = tmp();
    const lake = await open(path.join(d, "lake"));
    const v = (
      await lake.materialize(
        "silver.f",
        `SELECT * FROM (VALUES (1::BIGINT, 2.5::DECIMAL(4,1), true, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05', 'x'),
                               (NULL, NULL, false, NULL, NULL, NULL),
                               (9007199254740993::BIGINT, -1.5, NULL, DATE '1999-12-31', NULL, 'y')) t(i, d, b, dt, ts, s)`,
        { parents: [] },
      )
    ).version;
    const frame = await lake.readFrame(v);
    expect(frame.rowCount).toBe(3);
    const col = (n: string) => frame.columns.find((c) => c.name === n)!;
    expect(col("i").kind).toBe("numeric");
    expect(Array.from(col("d").values as Float64Array)).toEqual([2.5, NaN, -1.5]);
    expect(Number.isNaN((col("i").values as Float64Array)[1])).toBe(true);
    expect(col("b").values).toEqual(["true", "false", null]);
    expect(col("dt").values).toEqual(["2024-01-02", null, "1999-12-31"]);
    expect(col("ts").values).toEqual(["2024-01-02T03:04:05", null, null]);
    expect(col("s")).toEqual({ name: "s", kind: "categorical", values: ["x", null, "y"] });
    // An all-NULL column and a column with more distinct values than the dictionary allows take the plain path.
    const wide = (await lake.materialize("silver.wide", "SELECT 'k' || range AS s, NULL::VARCHAR AS z, CASE WHEN range % 2 = 0 THEN range END AS n FROM range(60000)", { parents: [] })).version;
    const wf = await lake.readFrame(wide);
    expect(wf.rowCount).toBe(60000);
    expect(wf.columns[0].values[59999]).toBe("k59999");
    expect(wf.columns[1].values.every((x) => x === null)).toBe(true);
    expect([(wf.columns[2].values as Float64Array)[4], (wf.columns[2].values as Float64Array)[5]]).toEqual([4, NaN]);
    const some = await lake.readFrame(v, { columns: ["s", "d"] });
    expect(some.columns.map((c) => c.name)).toEqual(["s", "d"]);
    await expect(lake.readFrame(v, { columns: ["nope"] })).rejects.toThrow(/column "nope"/);
    // query() gives JSON-safe values: safe BigInt as number, unsafe as string, decimals as numbers.
    const rows = await lake.query(`SELECT i, d FROM ${lake.relation(v)} ORDER BY i NULLS LAST`);
    expect(rows).toEqual([{ i: 1, d: 2.5 }, { i: "9007199254740993", d: -1.5 }, { i: null, d: null }]);
  });
});
