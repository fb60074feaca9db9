// `millrace profile` text mode prints a table, not the JSON document --json prints.
import { describe, expect, it } from "vitest";
import { profileText } from "./profile-text.js";

describe("profileText", () => {
  it("one header line and one row per column, with nulls, range, quartiles and top values", () => {
    const text = profileText({
      table: "silver.customers",
      version: 3,
      rowCount: 7043,
      computedAt: "2026-12-05T23:00:00.000Z",
      columns: [
        { name: "tenure", type: "BIGINT", count: 7000, nulls: 43, nullPct: 43 / 7043, distinct: 73, min: 0, max: 72, mean: 32.4, quantiles: { p5: 1, p25: 9, p50: 29, p75: 55, p95: 72 } },
        { name: "contract", type: "VARCHAR", count: 7043, nulls: 0, nullPct: 0, distinct: 3, min: "Month-to-month", max: "Two year", top: [{ value: "Month-to-month", count: 3875 }, { value: null, count: 2 }] },
      ],
    });
    expect(() => JSON.parse(text)).toThrow();
    const lines = text.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe("silver.customers@3: 7,043 rows, 2 columns (profiled 2026-12-05 23:00:00)");
    expect(lines[1]).toMatch(/^column\s+type\s+nulls\s+distinct\s+min\s+max\s+mean\s+p25 \/ p50 \/ p75\s+top values$/);
    expect(lines[2]).toMatch(/^tenure\s+BIGINT\s+43 \(0\.6%\)\s+73\s+0\s+72\s+32\.4000\s+9 \/ 29 \/ 55$/);
    expect(lines[3]).toMatch(/^contract\s+VARCHAR\s+0\s+3\s+Month-to-month\s+Two year\s+Month-to-month \(3,875\), null \(2\)$/);
  });
});
