// The output formats of batch prediction: chosen by extension (any case), an unknown one refused; JSON lines stay JSON.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { copyScoresSql, predictOutputFormat } from "./predict-output.js";

describe("predict output formats", () => {
  it("by extension, any case; others refused with the list", () => {
    expect(["a.csv", "a.PARQUET", "a.ndjson", "a.jsonl", "dir.v2/a.json"].map(predictOutputFormat)).toEqual(["csv", "parquet", "json", "json", "json"]);
    for (const f of ["a.txt", "a", ".csv", "a.csv.gz", "a.xlsx"]) expect(() => predictOutputFormat(f), f).toThrow(ValidationError);
    expect(() => predictOutputFormat("a.txt")).toThrow(/\.csv, \.parquet, \.ndjson, \.jsonl, \.json/);
  });

  it("JSON lines: NaN and Infinity of score columns become null, so each line parses; columns keep their order", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-pout-"));
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    try {
      await con.run(`CREATE TABLE s AS SELECT * FROM (VALUES ('1', 'nan'::DOUBLE, 0.25), ('2', 'inf'::DOUBLE, 1.5)) t(id, prediction, probability_x)`);
      const out = path.join(dir, "s.ndjson");
      await con.run(copyScoresSql("s", out, "json", ["prediction", "probability_x"]));
      const lines = fs.readFileSync(out, "utf8").trim().split("\n");
      expect(lines.map((l) => JSON.parse(l))).toEqual([{ id: "1", prediction: null, probability_x: 0.25 }, { id: "2", prediction: null, probability_x: 1.5 }]);
      expect(lines[0]).toBe('{"id":"1","prediction":null,"probability_x":0.25}');
    } finally {
      con.closeSync();
      db.closeSync();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
