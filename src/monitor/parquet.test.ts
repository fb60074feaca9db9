// The Parquet codec of the compacted log: every leaf type round-trips, DuckDB reads what we write, damage is a typed error.
import { DuckDBInstance } from "@duckdb/node-api";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { leafValue } from "./log-frame.js";
import { leafKey, openParquet, readLeaf, readParquetFile } from "./parquet-read.js";
import { encodeParquet, type LeafColumn } from "./parquet-write.js";
import { ThriftReader, ThriftWriter } from "./thrift.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "millrace-parquet-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const n = 3000;
const T0 = Date.parse("2024-01-01T00:00:00.000Z");
const columns: LeafColumn[] = [
  { path: ["id"], type: "string", values: Array.from({ length: n }, (_, i) => `id-${i}`) },
  { path: ["at"], type: "timestamp_ms", values: Float64Array.from({ length: n }, (_, i) => T0 + (i >> 4)) },
  { path: ["inputs", "tenure"], type: "double", values: Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN : i % 50)) },
  { path: ["inputs", "charges"], type: "double", values: Float64Array.from({ length: n }, (_, i) => i * 1.5 - 1000) },
  { path: ["inputs", "contract"], type: "string", values: Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : ["a", "bé", "c€😀"][i % 3])) },
  { path: ["inputs", "flag"], type: "boolean", values: Int8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -1 : i % 2)) },
  { path: ["inputs", "odd.name"], type: "json", values: Array.from({ length: n }, (_, i) => (i % 2 ? JSON.stringify({ a: i }) : null)) },
  { path: ["output", "probabilities", "Yes"], type: "double", values: Float64Array.from({ length: n }, (_, i) => i / n) },
  { path: ["empty"], type: "string", values: new Array<string | null>(n).fill(null) },
];

const bytesOf = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

describe("parquet codec", () => {
  it("round-trips every leaf type, nulls, dictionary and plain pages, and key/value metadata", () => {
    const f = openParquet(bytesOf(encodeParquet(n, columns, { "millrace.skipped_lines": "2" })), "t.parquet");
    expect(f.rows).toBe(n);
    expect(f.meta.get("millrace.skipped_lines")).toBe("2");
    for (const c of columns) {
      const d = readLeaf(f, leafKey(c.path));
      expect(d.type).toBe(c.type);
      for (let i = 0; i < n; i++) {
        const want = c.values[i];
        const missing = want === null || (typeof want === "number" && (Number.isNaN(want) || (c.type === "boolean" && want < 0)));
        const got = leafValue(d, i);
        if (missing) expect(got).toBeNull();
        else if (c.type === "boolean") expect(got).toBe(want === 1);
        else if (c.type === "json") expect(got).toEqual(JSON.parse(want as string));
        else expect(got).toBe(want);
      }
    }
    expect(readLeaf(f, leafKey(["inputs", "contract"])).codes).not.toBeNull();
  });

  it("writes columns with more than 65,536 distinct values as plain pages, nulls and all", () => {
    const m = 80_000;
    const nums = Float64Array.from({ length: m }, (_, i) => (i % 13 === 0 ? NaN : i / 7));
    const strs = Array.from({ length: m }, (_, i) => (i % 17 === 0 ? null : `row-${i}-é`));
    const f = openParquet(bytesOf(encodeParquet(m, [{ path: ["x"], type: "double", values: nums }, { path: ["s"], type: "string", values: strs }])), "big.parquet");
    const x = readLeaf(f, leafKey(["x"]));
    const s2 = readLeaf(f, leafKey(["s"]));
    expect(x.codes).toBeNull();
    expect(s2.codes).toBeNull();
    expect(Array.from(x.numbers!)).toEqual(Array.from(nums));
    expect(s2.strings).toEqual(strs);
  });

  it("writes files DuckDB reads: types, nested groups, nulls and values agree", async () => {
    const path = join(dir, "duck.parquet");
    await writeFile(path, bytesOf(encodeParquet(n, columns)));
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    try {
      const described = (await con.runAndReadAll(`DESCRIBE SELECT * FROM '${path}'`)).getRowObjectsJson();
      expect(described.map((r) => `${r.column_name}:${r.column_type}`)).toEqual([
        "id:VARCHAR",
        "at:TIMESTAMP",
        'inputs:STRUCT(tenure DOUBLE, charges DOUBLE, contract VARCHAR, flag BOOLEAN, "odd.name" JSON)',
        'output:STRUCT(probabilities STRUCT("Yes" DOUBLE))',
        "empty:VARCHAR",
      ]);
      const [row] = (
        await con.runAndReadAll(
          `SELECT count(*)::INT AS rows, count(inputs.tenure)::INT AS tenure, sum(inputs.tenure) AS tenure_sum, count(inputs.contract)::INT AS contract,
                  sum(CASE WHEN inputs.contract = 'c€😀' THEN 1 ELSE 0 END)::INT AS emoji, count(inputs.flag)::INT AS flags, sum(inputs.charges) AS charges,
                  epoch_ms(max("at"))::DOUBLE AS last, count(empty)::INT AS empties FROM '${path}'`,
        )
      ).getRowObjectsJson();
      const tenure = columns[2].values as Float64Array;
      let tenureSum = 0;
      for (const v of tenure) if (!Number.isNaN(v)) tenureSum += v;
      expect(row).toEqual({
        rows: n,
        tenure: tenure.filter((v) => !Number.isNaN(v)).length,
        tenure_sum: tenureSum,
        contract: n - Math.ceil(n / 11),
        emoji: (columns[4].values as (string | null)[]).filter((v) => v === "c€😀").length,
        flags: n - n / 5,
        charges: (columns[3].values as Float64Array).reduce((s, v) => s + v, 0),
        last: T0 + ((n - 1) >> 4),
        empties: 0,
      });
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });

  it("reads only the chunks asked for from disk, and refuses a leaf it did not load", async () => {
    const path = join(dir, "partial.parquet");
    await writeFile(path, bytesOf(encodeParquet(n, columns)));
    const f = await readParquetFile(path, "partial.parquet", (l) => l.path[0] === "inputs");
    expect(f.bytes.length).toBeLessThan(n * 20);
    expect(leafValue(readLeaf(f, leafKey(["inputs", "tenure"])), 1)).toBe(1);
    expect(() => readLeaf(f, leafKey(["id"]))).toThrow(/was not loaded/);
    // A leaf the file does not have reads as all null.
    expect(readLeaf(f, leafKey(["inputs", "nope"])).numbers?.every(Number.isNaN)).toBe(true);
  });

  it("writes a file with no rows that reads back empty", () => {
    const f = openParquet(bytesOf(encodeParquet(0, columns)), "empty.parquet");
    expect(f.rows).toBe(0);
    expect(readLeaf(f, leafKey(["inputs", "contract"])).strings).toEqual([]);
  });

  it("refuses damaged and foreign files with a ValidationError naming the file", () => {
    const good = bytesOf(encodeParquet(n, columns));
    expect(() => openParquet(good.subarray(0, good.length - 3), "cut.parquet")).toThrow(ValidationError);
    expect(() => openParquet(new TextEncoder().encode("PAR1 not parquet at all PAR1"), "junk.parquet")).toThrow(/junk\.parquet/);
    // A page header overwritten with garbage: the column read fails, typed.
    const broken = good.slice();
    const f = openParquet(good, "ok");
    const chunk = f.leaves.get(leafKey(["inputs", "charges"]))!.chunk!;
    broken.fill(0xff, chunk.start, chunk.start + 8);
    expect(() => readLeaf(openParquet(broken, "broken.parquet"), leafKey(["inputs", "charges"]))).toThrow(ValidationError);
  });

  it("refuses columns with too few values or a repeated path", () => {
    expect(() => encodeParquet(5, [{ path: ["a"], type: "double", values: new Float64Array(4) }])).toThrow(/4 values for 5 rows/);
    expect(() => encodeParquet(1, [{ path: ["a"], type: "double", values: new Float64Array(1) }, { path: ["a"], type: "string", values: ["x"] }])).toThrow(/repeated/);
  });
});

describe("thrift compact protocol", () => {
  it("round-trips large and negative integers, long lists, strings and nested structs", () => {
    const bytes = new ThriftWriter()
      .struct([
        { id: 1, type: "i64", value: 2 ** 52 + 7 },
        { id: 2, type: "i32", value: -123456 },
        { id: 20, type: "string", value: "héllo" },
        { id: 21, type: "list<i32>", value: Array.from({ length: 40 }, (_, i) => i - 20) },
        { id: 22, type: "bool", value: false },
        { id: 23, type: "list<struct>", value: [[{ id: 1, type: "string", value: "x" }], [{ id: 3, type: "bool", value: true }]] },
      ])
      .finish();
    const s = new ThriftReader(bytes).struct();
    expect(s.get(1)).toBe(2 ** 52 + 7);
    expect(s.get(2)).toBe(-123456);
    expect(s.get(20)).toBe("héllo");
    expect(s.get(21)).toEqual(Array.from({ length: 40 }, (_, i) => i - 20));
    expect(s.get(22)).toBe(false);
    expect((s.get(23) as Map<number, unknown>[]).map((m) => [...m])).toEqual([[[1, "x"]], [[3, true]]]);
    expect(() => new ThriftReader(bytes.subarray(0, bytes.length - 2)).struct()).toThrow(RangeError);
  });
});
