import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { DUCKDB_NESTED_TYPES, DUCKDB_TYPES, duckdbTypeProblem } from "./duckdb-type.js";

const accepted = ["VARCHAR", "varchar", "DECIMAL(10,2)", "decimal(18)", "DECIMAL(38,38)", "NUMERIC(5, 1)", "TIMESTAMP WITH TIME ZONE", "timestamp  with time zone", "TIME WITH TIME ZONE", "INTEGER[]", "INT[3]", "VARCHAR[][]", "STRUCT(a INT, b VARCHAR)", "MAP(VARCHAR, INT)", "ENUM('a', 'b')", "VARCHAR(10)", "TIMESTAMP(3)", "DOUBLE PRECISION", "CHARACTER VARYING", "TIMESTAMPTZ", "text", "JSON"];
const refused = ["DECIMAL(40,2)", "DECIMAL(5,6)", "NUMERIC(0)", "NOTATYPE", "VARCHR", "INTEGER(11)", "DECIMAL(a,b)", "[]", "TIMESTAMP WITH TIMEZONE", "STRING[", ""];

describe("DuckDB type names", () => {
  it("accepts DuckDB's names, aliases, sizes, lists and nested types", () => {
    for (const t of accepted) expect(duckdbTypeProblem(t), t).toBeUndefined();
  });

  it("refuses a name DuckDB does not know, suggesting the nearest", () => {
    for (const t of refused) expect(duckdbTypeProblem(t), t).toBeDefined();
    expect(duckdbTypeProblem("NOTATYPE")).toBe('"NOTATYPE" is not a DuckDB type');
    expect(duckdbTypeProblem("VARCHR")).toBe('"VARCHR" is not a DuckDB type; did you mean "VARCHAR"?');
    expect(duckdbTypeProblem("timestamptx")).toMatch(/did you mean "TIMESTAMPTZ"/);
    expect(duckdbTypeProblem("INTEGER(11)")).toMatch(/INTEGER takes no parentheses/);
  });

  it("agrees with DuckDB: the names are duckdb_types()'s, and DuckDB casts to each accepted and refuses each refused type", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    try {
      const rows = (await c.runAndReadAll("SELECT DISTINCT upper(type_name) FROM duckdb_types() WHERE database_name = 'system'")).getRows().map((r) => String(r[0]));
      // Bare composites are written T[] or NAME(...); TYPE and NULL are no column's type.
      const written = new Set(["ARRAY", "LIST", "TYPE", "NULL", ...DUCKDB_NESTED_TYPES]);
      const ours = Object.entries(DUCKDB_TYPES).flatMap(([name, aliases]) => [name, ...aliases]);
      const multiWord = new Set(["DOUBLE PRECISION", "CHARACTER VARYING", "CHARACTER", "TIME WITHOUT TIME ZONE", "TIMESTAMP WITHOUT TIME ZONE"]);
      expect(new Set(ours.filter((n) => !multiWord.has(n)))).toEqual(new Set(rows.filter((n) => !written.has(n))));
      for (const t of [...ours, ...accepted]) await expect(c.run(`SELECT NULL::${t}`), t).resolves.toBeDefined();
      for (const t of refused.filter((r) => r !== "")) await expect(c.run(`SELECT NULL::${t}`), t).rejects.toThrow();
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });
});
