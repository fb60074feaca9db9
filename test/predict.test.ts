// `millrace predict`: batch scoring of a file with a registered version, streamed in chunks smaller than the file,
// equal to what the server answers for the same rows.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { copyExample, millrace } from "./cli.js";

describe("millrace predict", () => {
  it("scores a Parquet file chunk by chunk, keeps id columns, explains on request, and names missing input columns", async () => {
    const dir = copyExample("churn");
    expect(millrace(["run", dir, "--json"]).code).toBe(0);
    const gold = fs.readdirSync(path.join(dir, ".millrace/lake/tables/gold/churn_training/data")).filter((f) => f.endsWith(".parquet"));
    const input = path.join(dir, ".millrace/lake/tables/gold/churn_training/data", gold[0]);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-pred-")), "scores.csv");
    const r = millrace(["predict", "-p", dir, "-i", input, "-o", out, "-k", "customer_id,churn", "--chunk", "1000", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ model: "churn", version: 1, rows: 7043 });
    const lines = fs.readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe("customer_id,churn,prediction,probability_No,probability_Yes");
    expect(lines).toHaveLength(7044);
    const rows = lines.slice(1).map((l) => l.split(","));
    for (const row of rows.slice(0, 50)) {
      expect(Number(row[3]) + Number(row[4])).toBeCloseTo(1, 9);
      expect(row[2]).toBe(Number(row[4]) >= 0.5 ? "Yes" : "No");
    }
    // Same scores as the model answers in one piece (chunking changes nothing).
    const whole = path.join(path.dirname(out), "whole.csv");
    expect(millrace(["predict", "-p", dir, "-i", input, "-o", whole, "-k", "customer_id", "--json"]).code).toBe(0);
    const w = fs.readFileSync(whole, "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
    expect(w.map((x) => x[3])).toEqual(rows.map((x) => x[4]));
    // -o x.ndjson: JSON lines, the CSV's columns in its order, the same scores.
    const ndjson = path.join(path.dirname(out), "whole.ndjson");
    expect(millrace(["predict", "-p", dir, "-i", input, "-o", ndjson, "-k", "customer_id", "--json"]).code).toBe(0);
    const j = fs.readFileSync(ndjson, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(Object.keys(j[0])).toEqual(["customer_id", "prediction", "probability_No", "probability_Yes"]);
    expect(j.map((x) => String(x.probability_Yes))).toEqual(w.map((x) => x[3]));

    // --explain k: an explanation column whose contributions add up to the score it explains.
    const explained = path.join(path.dirname(out), "explained.parquet");
    const e = millrace(["predict", "-p", dir, "-i", input, "-o", explained, "-k", "customer_id", "--explain", "3", "--json"]);
    expect(e.code, e.stderr).toBe(0);
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const got = (await (await con.runAndReadAll(`SELECT probability_Yes AS p, explanation FROM read_parquet('${explained}') LIMIT 200`)).getRowObjectsJS()) as Array<{ p: number; explanation: string }>;
    con.closeSync();
    expect(got).toHaveLength(200);
    for (const { p, explanation } of got) {
      const [x] = JSON.parse(explanation) as Array<{ output: string; scale: string; base: number; raw: number; contributions: Array<{ value: number }>; rest: number }>;
      expect(x.output).toBe("Yes");
      expect(x.contributions).toHaveLength(3);
      expect(x.base + x.contributions.reduce((a, c) => a + c.value, 0) + x.rest).toBeCloseTo(x.raw, 9);
      expect(x.scale).toBe("log-odds"); // the example's promoted gbdt: raw is the log-odds its probability comes from
      expect(1 / (1 + Math.exp(-x.raw))).toBeCloseTo(p, 9);
    }
    expect(millrace(["predict", "-p", dir, "-i", input, "-o", explained, "--explain", "0"]).out).toMatch(/--explain \[k\]' argument '0' is invalid\. expected a whole number ≥ 1/);

    const csv = path.join(dir, "data/landing/customers-2026-01.csv");
    const bad = millrace(["predict", "-p", dir, "-i", csv, "-o", out]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("lacks the model's input column(s) num_services");
    expect(millrace(["predict", "-p", dir, "-i", input, "-o", out, "-m", "churn"]).out).toContain("name@alias or name@version");

    // Rows /predict would refuse are said aloud and not scored: written with _error (default), skipped, or the file
    // refused with --strict.
    const mixed = path.join(path.dirname(out), "mixed.csv");
    const db2 = await DuckDBInstance.create(":memory:");
    const con2 = await db2.connect();
    await con2.run(`COPY (SELECT * REPLACE (CASE WHEN customer_id = (SELECT min(customer_id) FROM read_parquet('${input}')) THEN 'abc' ELSE CAST(tenure AS VARCHAR) END AS tenure) FROM read_parquet('${input}') ORDER BY customer_id LIMIT 5) TO '${mixed}' (HEADER)`);
    con2.closeSync();
    const written = millrace(["predict", "-p", dir, "-i", mixed, "-o", path.join(path.dirname(out), "mixed-out.csv"), "-k", "customer_id"]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stderr).toMatch(/1 invalid row written unscored/);
    expect(written.stdout).toMatch(/^scored 4 of 5 rows/);
    expect(written.stderr).toMatch(/data row 0: tenure/);
    const skipped = millrace(["predict", "-p", dir, "-i", mixed, "-o", path.join(path.dirname(out), "mixed-skip.csv"), "--invalid", "skip", "--json"]);
    expect(skipped.json).toMatchObject({ rows: 5, scored: 4, invalid: 1 });
    expect(fs.readFileSync(path.join(path.dirname(out), "mixed-skip.csv"), "utf8").trim().split("\n")).toHaveLength(1 + 4);
    const strict = millrace(["predict", "-p", dir, "-i", mixed, "-o", path.join(path.dirname(out), "mixed-strict.csv"), "--strict"]);
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/tenure/);
    expect(millrace(["predict", "-p", dir, "-i", mixed, "-o", out, "--invalid", "drop"]).code).toBe(2);
  });
});
