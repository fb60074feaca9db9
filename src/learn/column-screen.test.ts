// The column screen drops constant and identifier columns with a reason, and nothing a model could learn from:
// measurements, sparse integers, dates, a value beside missing ones, or a column the user asked to keep.
import { describe, expect, it } from "vitest";
import type { Frame } from "../records.js";
import { screenColumns } from "./column-screen.js";

const n = 100;
const rows = Uint32Array.from({ length: n }, (_, i) => i);
const num = (name: string, f: (i: number) => number) => ({ name, kind: "numeric" as const, values: Float64Array.from({ length: n }, (_, i) => f(i)) });
const text = (name: string, f: (i: number) => string | null) => ({ name, kind: "categorical" as const, values: Array.from({ length: n }, (_, i) => f(i)) });

const frame: Frame = {
  rowCount: n,
  columns: [
    num("patient_id", (i) => 100000 + i),
    num("seq", (i) => 7 + i),
    text("sku", (i) => `D${String(i).padStart(6, "0")}`),
    text("clinic", () => "north"),
    num("zero", () => 0),
    num("empty", () => NaN),
    num("bmi", (i) => 20 + i * 0.137),
    num("income", (i) => 20000 + ((i * 7919) % 1000) * 97),
    text("visit", (i) => `2020-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}T${String(i % 24).padStart(2, "0")}:00`),
    text("flag", (i) => (i % 3 === 0 ? "yes" : null)),
    text("grade", (i) => "abc"[i % 3]),
  ],
};
const all = frame.columns.map((c) => c.name);

describe("screenColumns", () => {
  it("drops text identifiers, integers named like an id, and constants, each with why (a dense integer of 100 rows named otherwise stays)", () => {
    const s = screenColumns(frame, all, rows);
    expect(s.dropped).toEqual([
      { column: "patient_id", reason: "identifier", detail: "100 distinct of 100 rows, integers named like an id" },
      { column: "sku", reason: "identifier", detail: "100 distinct of 100 rows" },
      { column: "clinic", reason: "constant", detail: 'every row is "north"' },
      { column: "zero", reason: "constant", detail: "every row is 0" },
      { column: "empty", reason: "constant", detail: "no row has a value" },
    ]);
    // Fractions, sparse unique integers (amounts), dates, one value beside missing ones, few levels: features.
    expect(s.features).toEqual(["seq", "bmi", "income", "visit", "flag", "grade"]);
  });

  it("calls a dense unique integer an identifier only from 1,000 rows (25 rows of x = 1..25 may be a measurement)", () => {
    const big = 1200;
    const ids: Frame = { rowCount: big, columns: [{ name: "counter", kind: "numeric", values: Float64Array.from({ length: big }, (_, i) => 7 + i) }] };
    const first = (k: number) => Uint32Array.from({ length: k }, (_, i) => i);
    expect(screenColumns(ids, ["counter"], first(big)).dropped).toEqual([{ column: "counter", reason: "identifier", detail: "1,200 distinct of 1,200 rows" }]);
    expect(screenColumns(ids, ["counter"], first(999)).dropped).toEqual([]);
    expect(screenColumns(ids, ["counter"], first(25)).dropped).toEqual([]);
  });

  it("calls an integer column named like an id (id, customer_id, customerId, CustomerID, order_key, uuid) an identifier from 20 rows, dense or shuffled and sparse", () => {
    const m = 178;
    const shuffled = (i: number) => 100000 + ((i * 7919) % m) * 37; // distinct, out of order, 37 apart
    const names = ["id", "ID", "Id", "customer_id", "customerId", "CustomerID", "ORDER_ID", "order-key", "uuid", "row.id"];
    const f: Frame = { rowCount: m, columns: names.map((name, j) => ({ name, kind: "numeric" as const, values: Float64Array.from({ length: m }, (_, i) => (j % 2 ? shuffled(i) : 1000 + i)) })) };
    const all = Uint32Array.from({ length: m }, (_, i) => i);
    const s = screenColumns(f, names, all);
    expect(s.features).toEqual([]);
    expect(s.dropped.map((d) => d.column)).toEqual(names);
    expect(s.dropped[0]).toEqual({ column: "id", reason: "identifier", detail: "178 distinct of 178 rows, integers named like an id" });
    // 20 rows are enough; 19 are not; --keep still keeps it.
    expect(screenColumns(f, ["customer_id"], all.slice(0, 20)).dropped).toHaveLength(1);
    expect(screenColumns(f, ["customer_id"], all.slice(0, 19)).dropped).toEqual([]);
    expect(screenColumns(f, ["customer_id"], all, new Set(["customer_id"])).features).toEqual(["customer_id"]);
  });

  it("does not read an id in words that end in id, in repeated integers, or in fractions", () => {
    const m = 100;
    const col = (name: string, f: (i: number) => number) => ({ name, kind: "numeric" as const, values: Float64Array.from({ length: m }, (_, i) => f(i)) });
    const f: Frame = {
      rowCount: m,
      columns: [col("valid", (i) => i), col("malic_acid", (i) => i), col("rapid", (i) => i), col("PAID", (i) => i), col("store_id", (i) => i % 10), col("weight_id", (i) => 1 + i * 0.37)],
    };
    const all = Uint32Array.from({ length: m }, (_, i) => i);
    expect(screenColumns(f, f.columns.map((c) => c.name), all).dropped).toEqual([]);
  });

  it("judges the rows given (the train rows), and keeps what the user names", () => {
    const few = Uint32Array.from({ length: 10 }, (_, i) => i);
    expect(screenColumns(frame, ["patient_id"], few).dropped).toEqual([]); // too few rows to call anything an identifier
    expect(screenColumns(frame, ["patient_id", "clinic"], rows, new Set(["patient_id", "clinic"]))).toEqual({ features: ["patient_id", "clinic"], dropped: [] });
  });
});
