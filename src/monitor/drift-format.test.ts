// The drift table names each column's test, score, threshold and verdict, and the dataset verdict.
import { describe, expect, it } from "vitest";
import { driftReport } from "./drift-report.js";
import { formatDriftReport } from "./drift-format.js";

describe("formatDriftReport", () => {
  it("prints one aligned row per column and the dataset verdict", () => {
    const ref = { rowCount: 6, columns: [
      { name: "tenure", kind: "numeric" as const, values: Float64Array.from([1, 2, 3, 4, 5, 6]) },
      { name: "plan", kind: "categorical" as const, values: ["a", "b", "a", "b", "a", null] },
    ] };
    const cur = { rowCount: 6, columns: [
      { name: "tenure", kind: "numeric" as const, values: Float64Array.from([30, 31, 32, 33, 34, 35]) },
      { name: "plan", kind: "categorical" as const, values: ["a", "b", "a", "b", "b", "a"] },
    ] };
    const text = formatDriftReport(driftReport(ref, cur));
    const lines = text.split("\n");
    expect(lines[0]).toBe("reference 6 rows, current 6 rows");
    expect(lines[1]).toMatch(/^column\s+kind\s+test\s+score\s+drift if\s+PSI\s+verdict\s+missing ref\/cur$/);
    const tenure = lines.find((l) => l.startsWith("tenure"))!;
    // Exact KS p for two fully separated samples of 6: 2 / C(12, 6) = 0.0022.
    expect(tenure).toMatch(/numeric\s+ks\s+0\.0022\s+p < 0\.05\s+.*DRIFT\s+0\/0$/);
    const plan = lines.find((l) => l.startsWith("plan"))!;
    expect(plan).toMatch(/categorical\s+z\s+\S+\s+p < 0\.05\s+.*ok\s+1\/0$/);
    expect(lines[lines.length - 1]).toBe("1 of 2 columns drifted (50%; dataset drift at ≥ 50%): DATASET DRIFT");
    // Columns line up: every row's "test" cell starts at the same offset as the header's.
    const at = lines[1].indexOf("test");
    expect(tenure.slice(at, at + 2)).toBe("ks");
  });
});
