// Tests of ingest beyond the spine: quarantine contents and invariant, salvage after unterminated quotes,
// JSON/NDJSON, record batches, schema evolution policies, per-source CSV options, time travel in SQL.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { NotFoundError, ValidationError } from "../errors.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh } = useTempLakes();

describe("quarantine", () => {
  it("sets every malformed CSV row aside with rule, reason, file and line, and keeps rows after a bad quote", async () => {
    const { dir, lake } = await fresh();
    const f = write(dir, "o.csv", 'id,name,amount\n1,"ann",10\n2,bob\n3,"cy,20\n4,dee,30,99\n5,eve,40\n6,fay,abc\n7,"g""h",50\n');
    const r = await lake.ingestFiles("bronze.orders", [f], { csv: { types: { amount: "BIGINT" } } });
    expect(r.rowsIn).toBe(7);
    expect(r.rowsOut + r.rowsBad).toBe(7);
    const good = await lake.query(`SELECT id, name FROM bronze.orders ORDER BY id`);
    expect(good).toEqual([{ id: 1, name: "ann" }, { id: 5, name: "eve" }, { id: 7, name: 'g"h' }]);
    const q = await lake.query(`SELECT rule, line, source_file, raw, reason FROM bronze.orders__quarantine ORDER BY line`);
    expect(q.map((x) => x.line)).toEqual([3, 4, 5, 7]); // 1-based lines of the file, the header being line 1
    expect(q.every((x) => x.rule === "parse" && x.source_file === f)).toBe(true);
    expect(q[0].reason).toMatch(/MISSING COLUMNS/);
    expect(q[1].reason).toMatch(/UNQUOTED VALUE/);
    expect(q[1].raw).toBe('3,"cy,20');
    expect(q[3].reason).toMatch(/CAST/);
    expect(r.version?.info).toMatchObject({ rowsIn: 7, rowsOut: 3, rowsQuarantined: 4 });
  });

  it("a file whose bad quote fools the sniffer still maps onto the table's quoted header names", async () => {
    const { dir, lake } = await fresh();
    const header = '"churn","tenure","contract"';
    await lake.ingestFiles("bronze.cust", [write(dir, "a.csv", `${header}\n"No",1,"Month"\n"Yes",5,"Two year"\n`)]);
    const r = await lake.ingestFiles("bronze.cust", [write(dir, "b.csv", `${header}\n"No",2,"Month"\n"Yes",0,"unclosed quote,1\n"No",3,"One year"\n`)]);
    expect(r.schemaChanges).toEqual([]);
    expect(r).toMatchObject({ rowsOut: 2, rowsBad: 1 });
    expect(await lake.query("SELECT churn, tenure, contract FROM bronze.cust ORDER BY tenure")).toEqual([
      { churn: "No", tenure: 1, contract: "Month" }, { churn: "No", tenure: 2, contract: "Month" },
      { churn: "No", tenure: 3, contract: "One year" }, { churn: "Yes", tenure: 5, contract: "Two year" },
    ]);
  });

  it("quarantines invalid UTF-8, a huge field and wrong column counts; the invariant holds per commit", async () => {
    const { dir, lake } = await fresh();
    const utf = write(dir, "u.csv", Buffer.concat([Buffer.from("id,name\n1,ok\n2,bad"), Buffer.from([0xff, 0xfe]), Buffer.from("\n3,fine\n")]));
    const huge = write(dir, "h.csv", `id,name\n1,ok\n2,${"x".repeat(3_000_000)}\n3,fine\n`);
    const r = await lake.ingestFiles("bronze.ugly", [utf, huge]);
    expect(r.ingested.map((i) => [i.rows, i.badRows])).toEqual([[2, 1], [2, 1]]);
    const [{ n }] = await lake.query("SELECT count(*) AS n FROM bronze.ugly__quarantine");
    expect(n).toBe(2);
  });

  it("a file that is not CSV at all is quarantined line by line, and the batch goes on", async () => {
    const { dir, lake } = await fresh();
    const bin = write(dir, "bin.csv", Buffer.from([0, 0, 0, 1, 2, 3, 10, 0, 0, 10]));
    const ok = write(dir, "ok.csv", "id\n1\n");
    const r = await lake.ingestFiles("bronze.bin", [bin, ok]);
    expect(r.rowsOut).toBe(1);
    expect(r.rowsIn).toBe(r.rowsOut + r.rowsBad);
  });
});

describe("JSON and record batches", () => {
  it("reads NDJSON and JSON arrays, quarantining lines that are not JSON objects", async () => {
    const { dir, lake } = await fresh();
    const nd = write(dir, "e.ndjson", '{"id":1,"kind":"a"}\n{"id":2,"kind":"b"}\nnot json\n[1,2]\n{"id":3,"kind":"c"}\n');
    const arr = write(dir, "e.json", '[{"id":4,"kind":"d"},{"id":5,"kind":"e"}]');
    const r = await lake.ingestFiles("bronze.events", [nd, arr]);
    expect(r.ingested.map((i) => [i.rows, i.badRows])).toEqual([[3, 2], [2, 0]]);
    expect(await lake.query("SELECT line, reason FROM bronze.events__quarantine ORDER BY line")).toEqual([
      { line: 3, reason: expect.stringMatching(/invalid JSON/) },
      { line: 4, reason: "not a JSON object" },
    ]);
    expect((await lake.query("SELECT sum(id) AS s FROM bronze.events"))[0].s).toBe(15);
  });

  it("appends record batches once per batch id and quarantines non-objects", async () => {
    const { lake } = await fresh();
    const r1 = await lake.ingestRecords("bronze.clicks", [{ user: "u1", n: 1 }, { user: "u2", n: 2 }, 7], { batchId: "b-1", source: "http:/ingest/clicks" });
    expect(r1).toMatchObject({ rowsOut: 2, rowsBad: 1 });
    const again = await lake.ingestRecords("bronze.clicks", [{ user: "u1", n: 1 }], { batchId: "b-1" });
    expect(again.version).toBeNull();
    expect(again.skipped).toEqual(["records:b-1"]);
    const r2 = await lake.ingestRecords("bronze.clicks", [{ user: "u3", n: 3, extra: true }]);
    expect(r2.schemaChanges).toEqual([{ column: "extra", change: "added", to: "BOOLEAN", action: "added" }]);
    expect(await lake.query("SELECT user, extra, _source_file FROM bronze.clicks ORDER BY n")).toEqual([
      { user: "u1", extra: null, _source_file: "http:/ingest/clicks" },
      { user: "u2", extra: null, _source_file: "http:/ingest/clicks" },
      { user: "u3", extra: true, _source_file: expect.stringMatching(/^records:/) },
    ]);
    await expect(lake.ingestRecords("bronze.clicks", "x" as unknown as unknown[])).rejects.toThrow(ValidationError);
  });

  it("appends an NDJSON body, quarantining malformed lines with their line numbers", async () => {
    const { lake } = await fresh();
    const r = await lake.ingestNdjson("bronze.push", '{"a":1}\r\n\n{"a":2,\n"oops"\n{"a":3}\n42\n', { batchId: "p1", source: "http:/ingest/push" });
    expect(r).toMatchObject({ rowsOut: 2, rowsBad: 3 });
    expect(await lake.query("SELECT line, reason FROM bronze.push__quarantine ORDER BY line")).toEqual([
      { line: 3, reason: expect.stringMatching(/invalid JSON/) },
      { line: 4, reason: "not a JSON object" },
      { line: 6, reason: "not a JSON object" },
    ]);
    expect((await lake.ingestNdjson("bronze.push", '{"a":1}', { batchId: "p1" })).version).toBeNull();
  });

  it("a pushed batch without one good line commits no version and says why; fixed, it goes in under the same id", async () => {
    const { lake } = await fresh();
    await lake.ingestNdjson("bronze.bad", '{"a":1}\n', { batchId: "ok" });
    for (const id of ["x1", "x2"]) {
      const r = await lake.ingestNdjson("bronze.bad", "nope\n42\n", { batchId: id });
      expect(r).toMatchObject({ version: null, rowsIn: 2, rowsOut: 0, rowsBad: 2, notCommitted: expect.stringMatching(/no version written: none of the 2 records/) });
      expect(r.ingested[0].badRowSamples!.map((b) => b.line)).toEqual([1, 2]);
      expect(r.warnings).toContain(r.notCommitted);
    }
    expect((await lake.ingestNdjson("bronze.bad", "", { batchId: "empty" })).notCommitted).toMatch(/holds no records/);
    expect((await lake.current("bronze.bad"))!.version).toBe(1);
    expect(await lake.ingestNdjson("bronze.bad", '{"a":2}\n', { batchId: "x1" })).toMatchObject({ rowsOut: 1, version: { version: 2 } });
  });
});

describe("schema evolution", () => {
  it("fail refuses any difference and commits nothing", async () => {
    const { dir, lake } = await fresh();
    await lake.ingestFiles("bronze.s", [write(dir, "1.csv", "id,name\n1,a\n")]);
    await expect(lake.ingestFiles("bronze.s", [write(dir, "2.csv", "id,name,age\n2,b,30\n")], { schemaPolicy: "fail" })).rejects.toThrow(/new column age/);
    await expect(lake.ingestFiles("bronze.s", [write(dir, "3.csv", "id\n3\n")], { schemaPolicy: "fail" })).rejects.toThrow(/column name is missing/);
    expect((await lake.current("bronze.s"))?.version).toBe(1);
    expect(fs.readdirSync(`${lake.root}/tables/bronze/s/data`)).toHaveLength(1);
  });

  it("add_columns adds nullable columns, fills missing ones, widens numbers and casts the rest with quarantine", async () => {
    const { dir, lake } = await fresh();
    await lake.ingestFiles("bronze.s", [write(dir, "1.csv", "id,name,score\n1,a,5\n")]);
    const r = await lake.ingestFiles("bronze.s", [write(dir, "2.csv", "id,age,score\n2,30,5.5\nx,31,6\n")]);
    expect(r.schemaChanges).toEqual([
      { column: "id", change: "type_changed", from: "BIGINT", to: "VARCHAR", action: "cast" },
      { column: "age", change: "added", to: "BIGINT", action: "added" },
      { column: "score", change: "type_changed", from: "BIGINT", to: "DOUBLE", action: "widened" },
      { column: "name", change: "missing", from: "VARCHAR", action: "filled_with_null" },
    ]);
    expect(r).toMatchObject({ rowsOut: 1, rowsBad: 1 });
    expect(r.version?.schema.find((c) => c.name === "score")?.type).toBe("DOUBLE");
    expect(await lake.query("SELECT id, name, age, score FROM bronze.s ORDER BY id")).toEqual([
      { id: 1, name: "a", age: null, score: 5 },
      { id: 2, name: null, age: 30, score: 5.5 },
    ]);
  });

  it("coerce keeps the table's schema: new columns dropped, values cast, uncastable rows quarantined", async () => {
    const { dir, lake } = await fresh();
    const pq = `${dir}/in.parquet`;
    await lake.ingestFiles("bronze.c", [write(dir, "1.csv", "id,amount\n1,10\n")]);
    await lake.query(`COPY (SELECT * FROM (VALUES ('2', 1.0, 'x'), ('3', 2.5, 'y'), ('z', 3.0, 'w')) t(id, amount, extra)) TO '${pq}' (FORMAT parquet)`);
    const r = await lake.ingestFiles("bronze.c", [pq], { schemaPolicy: "coerce" });
    expect(r.schemaChanges.map((c) => `${c.column}:${c.action}`)).toEqual(["id:cast", "amount:cast", "extra:dropped"]);
    expect(r).toMatchObject({ rowsOut: 1, rowsBad: 2 });
    expect(r.version?.schema.map((c) => `${c.name} ${c.type}`).slice(0, 2)).toEqual(["id BIGINT", "amount BIGINT"]);
    const q = await lake.query("SELECT rule, reason FROM bronze.c__quarantine ORDER BY reason");
    expect(q.map((x) => x.reason)).toEqual(["cannot cast amount to BIGINT: 2.5", "cannot cast id to BIGINT: z"]);
  });

  it("refuses source columns that clash with the lineage columns", async () => {
    const { dir, lake } = await fresh();
    await expect(lake.ingestFiles("bronze.x", [write(dir, "x.csv", "id,_batch_id\n1,2\n")])).rejects.toThrow(/_batch_id/);
  });
});

describe("per-source CSV options and time travel", () => {
  it("honours delimiter, header, types and date format", async () => {
    const { dir, lake } = await fresh();
    const f = write(dir, "p.txt", "007|31/12/2023|x\n008|01/02/2024|y\n");
    const r = await lake.ingestFiles("bronze.p", [f], {
      format: "csv",
      csv: { delimiter: "|", header: false, types: { column0: "VARCHAR" }, dateFormat: "%d/%m/%Y" },
    });
    expect(r.rowsBad).toBe(0);
    expect(await lake.query("SELECT column0, CAST(column1 AS VARCHAR) AS d FROM bronze.p ORDER BY 1")).toEqual([
      { column0: "007", d: "2023-12-31" },
      { column0: "008", d: "2024-02-01" },
    ]);
  });

  it("reads a latin-1 file when told its encoding", async () => {
    const { dir, lake } = await fresh();
    const f = write(dir, "l1.csv", Buffer.from([...Buffer.from("id,name\n1,caf"), 0xe9, 10]));
    const r = await lake.ingestFiles("bronze.l1", [f], { csv: { encoding: "latin-1" } });
    expect(r.rowsBad).toBe(0);
    expect(await lake.query("SELECT name FROM bronze.l1")).toEqual([{ name: "café" }]);
  });

  it("reads a table as of a version or a timestamp, in the API and in SQL", async () => {
    const { dir, lake } = await fresh();
    const v1 = (await lake.ingestFiles("bronze.t", [write(dir, "1.csv", "k\n1\n")])).version!;
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await lake.ingestFiles("bronze.t", [write(dir, "2.csv", "k\n2\n")]);
    expect((await lake.asOf("bronze.t", { timestamp: between })).version).toBe(1);
    expect(await lake.query("SELECT count(*) AS n FROM bronze.t")).toEqual([{ n: 2 }]);
    expect(await lake.query("SELECT count(*) AS n FROM bronze.t VERSION AS OF 1")).toEqual([{ n: 1 }]);
    expect(await lake.query(`SELECT count(*) AS n FROM bronze.t TIMESTAMP AS OF '${between}'`)).toEqual([{ n: 1 }]);
    expect(await lake.query("SELECT a.k FROM bronze.t@2 a JOIN bronze.t@1 b USING (k)")).toEqual([{ k: 1 }]);
    await expect(lake.query("SELECT * FROM bronze.t VERSION AS OF 9")).rejects.toThrow(NotFoundError);
    await expect(lake.query(`SELECT * FROM bronze.t TIMESTAMP AS OF '${v1.createdAt.slice(0, 4)}-01-01'`)).rejects.toThrow(/had no version/);
    await expect(lake.asOf("bronze.t", { timestamp: "yesterday" })).rejects.toThrow(ValidationError);
  });
});
