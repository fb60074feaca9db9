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
  it("drops identifiers (text, dense integers) and constants, each with why", () => {
    const s = screenColumns(frame, all, rows);
    expect(s.dropped).toEqual([
      { column: "patient_id", reason: "identifier", detail: "100 distinct of 100 rows" },
      { column: "sku", reason: "identifier", detail: "100 distinct of 100 rows" },
      { column: "clinic", reason: "constant", detail: 'every row is "north"' },
      { column: "zero", reason: "constant", detail: "every row is 0" },
      { column: "empty", reason: "constant", detail: "no row has a value" },
    ]);
    // Fractions, sparse unique integers (amounts), dates, one value beside missing ones, few levels: features.
    expect(s.features).toEqual(["bmi", "income", "visit", "flag", "grade"]);
  });

  it("judges the rows given (the train rows), and keeps what the user names", () => {
    const few = Uint32Array.from({ length: 10 }, (_, i) => i);
    expect(screenColumns(frame, ["patient_id"], few).dropped).toEqual([]); // too few rows to call anything an identifier
    expect(screenColumns(frame, ["patient_id", "clinic"], rows, new Set(["patient_id", "clinic"]))).toEqual({ features: ["patient_id", "clinic"], dropped: [] });
  });
});
