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
  it("drops text identifiers and constants, each with why (a dense integer id of 100 rows stays: too few rows)", () => {
    const s = screenColumns(frame, all, rows);
    expect(s.dropped).toEqual([
      { column: "sku", reason: "identifier", detail: "100 distinct of 100 rows" },
      { column: "clinic", reason: "constant", detail: 'every row is "north"' },
      { column: "zero", reason: "constant", detail: "every row is 0" },
      { column: "empty", reason: "constant", detail: "no row has a value" },
    ]);
    // Fractions, sparse unique integers (amounts), dates, one value beside missing ones, few levels: features.
    expect(s.features).toEqual(["patient_id", "bmi", "income", "visit", "flag", "grade"]);
  });

  it("calls a dense unique integer an identifier only from 1,000 rows (25 rows of x = 1..25 may be a measurement)", () => {
    const big = 1200;
    const ids: Frame = { rowCount: big, columns: [{ name: "id", kind: "numeric", values: Float64Array.from({ length: big }, (_, i) => 7 + i) }] };
    const first = (k: number) => Uint32Array.from({ length: k }, (_, i) => i);
    expect(screenColumns(ids, ["id"], first(big)).dropped).toEqual([{ column: "id", reason: "identifier", detail: "1,200 distinct of 1,200 rows" }]);
    expect(screenColumns(ids, ["id"], first(999)).dropped).toEqual([]);
    expect(screenColumns(ids, ["id"], first(25)).dropped).toEqual([]);
  });

  it("judges the rows given (the train rows), and keeps what the user names", () => {
    const few = Uint32Array.from({ length: 10 }, (_, i) => i);
    expect(screenColumns(frame, ["patient_id"], few).dropped).toEqual([]); // too few rows to call anything an identifier
    expect(screenColumns(frame, ["patient_id", "clinic"], rows, new Set(["patient_id", "clinic"]))).toEqual({ features: ["patient_id", "clinic"], dropped: [] });
  });
});
