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
      await con.run(copyScoresSql("s", out, "json", { finite: ["prediction", "probability_x"], json: [] }));
      const lines = fs.readFileSync(out, "utf8").trim().split("\n");
      expect(lines.map((l) => JSON.parse(l))).toEqual([{ id: "1", prediction: null, probability_x: 0.25 }, { id: "2", prediction: null, probability_x: 1.5 }]);
      expect(lines[0]).toBe('{"id":"1","prediction":null,"probability_x":0.25}');
    } finally {
      con.closeSync();
      db.closeSync();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("JSON lines nest a column of JSON text (explanations) as JSON; CSV and Parquet keep its text", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-pout-"));
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const explanation = '[{"output":"yes","base":0.5,"contributions":[{"feature":"tenure","value":-0.25}],"rest":0,"raw":0.25}]';
    try {
      await con.run(`CREATE TABLE s AS SELECT * FROM (VALUES (7::BIGINT, true, '${explanation}'), (8::BIGINT, false, NULL)) t(id, vip, explanation)`);
      const columns = { finite: [], json: ["explanation"] };
      const out = path.join(dir, "s.ndjson");
      await con.run(copyScoresSql("s", out, "json", columns));
      const lines = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(lines).toEqual([{ id: 7, vip: true, explanation: JSON.parse(explanation) }, { id: 8, vip: false, explanation: null }]);
      const csv = path.join(dir, "s.csv");
      await con.run(copyScoresSql("s", csv, "csv", columns));
      expect(fs.readFileSync(csv, "utf8").split("\n")[1]).toBe(`7,true,"${explanation.replaceAll('"', '""')}"`);
      const parquet = path.join(dir, "s.parquet");
      await con.run(copyScoresSql("s", parquet, "parquet", columns));
      const back = (await con.runAndReadAll(`SELECT explanation, typeof(explanation) AS t FROM '${parquet}' WHERE id = 7`)).getRowObjectsJS()[0];
      expect(back).toEqual({ explanation, t: "VARCHAR" });
    } finally {
      con.closeSync();
      db.closeSync();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
