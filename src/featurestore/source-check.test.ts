// typeFits: which engine column types can hold a declared feature type (the number types come from lake/sql.ts).
import { describe, expect, it } from "vitest";
import { typeFits } from "./source-check.js";

describe("typeFits", () => {
  it("numbers and integers by the lake's one definition; lists of numbers are not numbers", () => {
    for (const t of ["DECIMAL(18,3)", "DOUBLE", "int8", "UHUGEINT"]) expect(typeFits("number", t), t).toBe(true);
    for (const t of ["INT4", "bigint", "UHUGEINT"]) expect(typeFits("integer", t), t).toBe(true);
    for (const t of ["VARCHAR", "DECIMAL(18,3)[]", "INTEGER[]"]) expect(typeFits("number", t), t).toBe(false);
    expect(typeFits("integer", "DECIMAL(18,3)")).toBe(false);
  });
});
