// The number-type predicates every layer uses to read a DuckDB column type.
import { describe, expect, it } from "vitest";
import { isIntegerType, isNumericType } from "./sql.js";

const INTEGERS = ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "INT", "INT1", "INT2", "INT4", "INT8", "UINT64", "integer", "bigint", "int8", " BIGINT "];
const FRACTIONAL = ["FLOAT", "DOUBLE", "REAL", "DECIMAL", "DECIMAL(18,3)", "decimal(10, 2)", "double"];
const NOT_NUMBERS = ["VARCHAR", "BOOLEAN", "DATE", "TIMESTAMP", "INTERVAL", "BLOB", "UUID", "INTEGER[]", "DECIMAL(18,3)[]", "STRUCT(a INTEGER)", "MAP(VARCHAR, INTEGER)", "INTERVALS", "POINT", ""];

describe("engine number types", () => {
  it("integers: every width, signed or not, DuckDB's INTn aliases, any case", () => {
    for (const t of INTEGERS) expect(isIntegerType(t), t).toBe(true);
    for (const t of [...FRACTIONAL, ...NOT_NUMBERS]) expect(isIntegerType(t), t).toBe(false);
  });

  it("numbers: the integers, floats and decimals; text, dates, lists and structs refused", () => {
    for (const t of [...INTEGERS, ...FRACTIONAL]) expect(isNumericType(t), t).toBe(true);
    for (const t of NOT_NUMBERS) expect(isNumericType(t), t).toBe(false);
  });
});
