// Batch prediction against a model trained in a temp project: rows /predict would refuse (text in a number, a missing
// required value, an unknown category of a strict field, under strict ranges a value outside training) are not scored:
// written with an `_error` column and counted, skipped, or (strict) refuse the file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../flow/pipeline.js";
import { withResources } from "../flow/resources.js";
import { projectFromYaml, type Project } from "../project/load-project.js";
import { DuckDBInstance } from "@duckdb/node-api";
import { scoreFile } from "./batch-predict.js";
import { Workspace } from "./workspace.js";

const YAML = `name: bp
sources:
  - name: customers
    pattern: "*.csv"
dataset: { table: silver.customers, target: churned, task: binary, positive: "yes", exclude: [id] }
train:
  cv_folds: 0
  candidates: [{ name: lr, model: logistic_regression }]
registry: { model: bp, gate: { must_beat_production: false } }
`;

let dir: string;
let project: Project;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bp-"));
  fs.mkdirSync(path.join(dir, "models/silver"), { recursive: true });
  fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
  fs.writeFileSync(path.join(dir, "models/silver/customers.sql"), "select * exclude (_source_file, _ingested_at, _batch_id) from {{ ref('bronze.customers') }}\n");
  const rows = Array.from({ length: 60 }, (_, i) => `${i},${["basic", "pro"][i % 2]},${i % 7},${(i * 1.5).toFixed(1)},${i % 3 ? "yes" : "no"}`);
  fs.writeFileSync(path.join(dir, "data/landing/a.csv"), `id,plan,tenure,charges,churned\n${rows.join("\n")}\n`);
  fs.writeFileSync(path.join(dir, "millrace.yaml"), YAML);
  project = projectFromYaml(YAML, path.join(dir, "millrace.yaml"));
  const run = await withResources(project, (r) => runPipeline(r));
  expect(run.failure).toBeUndefined();
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const INPUT = `id,plan,tenure,charges
1,basic,3,2.5
2,pro,abc,4
3,basic,4,
4,Weekly,2,1
5,pro,99999,3
6,pro,2.5,3
`;

async function read(file: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const rows = (await con.runAndReadAll(`SELECT * FROM read_csv('${file}', all_varchar = true) ORDER BY id`)).getRowObjectsJS();
  con.closeSync();
  db.closeSync();
  return rows as Record<string, unknown>[];
}

describe("millrace predict on rows /predict would refuse", () => {
  it("scores the valid rows, writes the others unscored with _error, counts them with the first reasons", async () => {
    const input = path.join(dir, "in.csv");
    fs.writeFileSync(input, INPUT);
    const output = path.join(dir, "out.csv");
    const report = await Workspace.use(project, (ws) => scoreFile(ws, { input, output, chunkRows: 1000, keep: "id" }));
    expect(report).toMatchObject({ rows: 6, invalid: 4, flagged: 1 });
    expect(report.invalidReasons).toEqual([
      'data row 1: tenure must be an integer, got "abc"',
      "data row 2: charges is missing",
      'data row 3: plan has unknown category "Weekly"',
      'data row 5: tenure must be an integer, got "2.5"',
    ]);
    expect(report.flags).toEqual(["data row 4: tenure: 99999 is outside the training range [0, 6]"]);
    const out = await read(output);
    expect(out.map((r) => [r.id, r.prediction === null, r._error])).toEqual([
      ["1", false, null],
      ["2", true, 'tenure must be an integer, got "abc"'],
      ["3", true, "charges is missing"],
      ["4", true, 'plan has unknown category "Weekly"'],
      ["5", false, null],
      ["6", true, 'tenure must be an integer, got "2.5"'],
    ]);
  });

  it("skips invalid rows on request, refuses the file under strict, and under serve.strict_ranges refuses out-of-range values", async () => {
    const input = path.join(dir, "in2.csv");
    fs.writeFileSync(input, INPUT);
    const skipped = path.join(dir, "skipped.csv");
    await Workspace.use(project, (ws) => scoreFile(ws, { input, output: skipped, chunkRows: 1000, keep: "id", invalidRows: "skip" }));
    expect((await read(skipped)).map((r) => [r.id, "_error" in r])).toEqual([["1", false], ["5", false]]);

    const strictOut = path.join(dir, "strict.csv");
    await expect(Workspace.use(project, (ws) => scoreFile(ws, { input, output: strictOut, chunkRows: 1000, invalidRows: "fail" }))).rejects.toMatchObject({
      code: "validation_error",
      message: expect.stringMatching(/in2\.csv: data row 1: tenure must be an integer, got "abc" \(and 3 more invalid rows so far\)/),
    });
    expect(fs.existsSync(strictOut)).toBe(false);

    const strictRanges = projectFromYaml(`${YAML}serve: { strict_ranges: true }\n`, path.join(dir, "millrace.yaml"));
    const ranged = await Workspace.use(strictRanges, (ws) => scoreFile(ws, { input, output: path.join(dir, "ranged.csv"), chunkRows: 1000 }));
    expect(ranged).toMatchObject({ invalid: 5, flagged: 0 });
    expect(ranged.invalidReasons).toContain("data row 4: tenure: 99999 is outside the training range [0, 6]");
  });

  it("keeps row order across batches with and without invalid rows, typed columns checked as typed", async () => {
    // 2,500 rows: DuckDB hands chunks of 2,048, so the first part has no invalid row and the second has one.
    const input = path.join(dir, "many.csv");
    const lines = Array.from({ length: 2500 }, (_, i) => `${i + 1},${i % 2 ? "pro" : "basic"},${i === 2299 ? "2.5" : String(i % 7)},${i === 2299 ? "" : "1.5"}`);
    fs.writeFileSync(input, `id,plan,tenure,charges\n${lines.join("\n")}\n`);
    const output = path.join(dir, "many.csv.out.csv");
    const report = await Workspace.use(project, (ws) => scoreFile(ws, { input, output, chunkRows: 1000, keep: "id" }));
    expect(report).toMatchObject({ rows: 2500, invalid: 1, invalidReasons: ['data row 2299: tenure must be an integer, got "2.5"; charges is missing'] });
    const out = await read(output);
    expect(out).toHaveLength(2500);
    expect(out.filter((r) => r._error !== null).map((r) => [r.id, r.prediction])).toEqual([["2300", null]]);
    expect(out.filter((r) => r.prediction === null)).toHaveLength(1);
    // In input order: line n of the output (after the header) is input row n.
    const text = fs.readFileSync(output, "utf8").split("\n");
    expect([text[1].split(",")[0], text[2300].split(",")[0], text[2500].split(",")[0]]).toEqual(["1", "2300", "2500"]);
    expect(text[0].split(",").at(-1)).toBe("_error");
  });
});

describe("millrace predict's output formats", () => {
  it("writes JSON lines for .ndjson, .jsonl and .json: the CSV's columns, in its order, with its values", async () => {
    const input = path.join(dir, "in-json.csv");
    fs.writeFileSync(input, INPUT);
    const csv = path.join(dir, "same.csv");
    await Workspace.use(project, (ws) => scoreFile(ws, { input, output: csv, chunkRows: 1000, keep: "id" }));
    const header = fs.readFileSync(csv, "utf8").split("\n")[0].split(",");
    const fromCsv = await read(csv);
    for (const name of ["scores.ndjson", "scores.jsonl", "scores.JSON"]) {
      const output = path.join(dir, name);
      const report = await Workspace.use(project, (ws) => scoreFile(ws, { input, output, chunkRows: 1000, keep: "id" }));
      expect(report).toMatchObject({ rows: 6, invalid: 4 });
      const lines = fs.readFileSync(output, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(6);
      for (const l of lines) expect(Object.keys(l), name).toEqual(header);
      // The same values as the CSV (read there as text): numbers as numbers, a missing score as null.
      const asText = lines.map((l) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v === null ? null : String(v)])));
      expect(asText.map((l) => [l.id, l.prediction, l._error])).toEqual(fromCsv.map((r) => [r.id, r.prediction, r._error]));
      expect(typeof lines[0][header.find((h) => h.startsWith("probability_"))!]).toBe("number");
    }
  });

  it("JSON lines keep the input's types (numbers, booleans, nulls) and nest the explanation; Parquet keeps the types too", async () => {
    const input = path.join(dir, "typed.csv");
    fs.writeFileSync(input, "id,plan,tenure,charges,vip,note\n1,basic,3,2.5,true,\n2,pro,4,4,false,x\n3,pro,abc,4,false,y\n");
    const output = path.join(dir, "typed.ndjson");
    const report = await Workspace.use(project, (ws) => scoreFile(ws, { input, output, chunkRows: 1000, keep: "all", explain: 2 }));
    expect(report).toMatchObject({ rows: 3, invalid: 1 });
    const lines = fs.readFileSync(output, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, any>);
    // tenure holds "abc" in the file, so the file's type for it is text: kept as text, the row unscored.
    expect(lines.map((l) => [l.id, l.plan, l.tenure, l.charges, l.vip, l.note])).toEqual([
      [1, "basic", "3", 2.5, true, null],
      [2, "pro", "4", 4, false, "x"],
      [3, "pro", "abc", 4, false, "y"],
    ]);
    expect(lines[2]).toMatchObject({ prediction: null, explanation: null, _error: 'tenure must be an integer, got "abc"' });
    for (const l of lines.slice(0, 2)) {
      expect(Array.isArray(l.explanation)).toBe(true);
      const [e] = l.explanation;
      expect(e.contributions).toHaveLength(2);
      const sum = e.base + e.contributions.reduce((s: number, c: { value: number }) => s + c.value, 0) + e.rest;
      expect(sum).toBeCloseTo(e.raw, 9);
    }

    // Parquet: the same columns in the input's types (the explanation stays its JSON text, as in CSV).
    const parquet = path.join(dir, "typed.parquet");
    await Workspace.use(project, (ws) => scoreFile(ws, { input, output: parquet, chunkRows: 1000, keep: "all", explain: 2 }));
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const types = Object.fromEntries((await (await con.runAndReadAll(`DESCRIBE SELECT * FROM '${parquet}'`)).getRowObjectsJS()).map((r) => [r.column_name, r.column_type]));
    const first = (await (await con.runAndReadAll(`SELECT explanation FROM '${parquet}' LIMIT 1`)).getRowObjectsJS())[0];
    con.closeSync();
    db.closeSync();
    expect(types).toMatchObject({ id: "BIGINT", plan: "VARCHAR", tenure: "VARCHAR", charges: "DOUBLE", vip: "BOOLEAN", note: "VARCHAR", explanation: "VARCHAR" });
    expect(JSON.parse(first.explanation as string)[0].contributions).toHaveLength(2);
  });

  it("JSON lines write a kept NaN or infinite number as null, like the scores; dates and decimals keep their types", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const input = path.join(dir, "nan.parquet");
    await con.run(`COPY (SELECT * FROM (VALUES (1, 'basic', 3, 2.5, 'nan'::DOUBLE, DATE '2026-01-02', 1.25::DECIMAL(6, 2)), (2, 'pro', 4, 4.0, 'inf'::FLOAT, NULL, 2), (3, 'pro', 5, 1.0, 0.5, DATE '2026-03-04', NULL)) t(id, plan, tenure, charges, ratio, day, amount)) TO '${input}' (FORMAT parquet)`);
    con.closeSync();
    db.closeSync();
    const output = path.join(dir, "nan.jsonl");
    await Workspace.use(project, (ws) => scoreFile(ws, { input, output, chunkRows: 1000, keep: "id,ratio,day,amount" }));
    const lines = fs.readFileSync(output, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.id, l.ratio, l.day, l.amount])).toEqual([[1, null, "2026-01-02", 1.25], [2, null, null, 2], [3, 0.5, "2026-03-04", null]]);
  });

  it("refuses an output extension it cannot write, naming the ones it can, before any work", async () => {
    const input = path.join(dir, "in-txt.csv");
    fs.writeFileSync(input, INPUT);
    for (const output of [path.join(dir, "scores.txt"), path.join(dir, "scores")]) {
      await expect(Workspace.use(project, (ws) => scoreFile(ws, { input, output, chunkRows: 1000 }))).rejects.toMatchObject({
        code: "validation_error",
        message: expect.stringMatching(/--output .*: batch predict writes \.csv, \.parquet, \.ndjson, \.jsonl, \.json files/),
      });
      expect(fs.existsSync(output)).toBe(false);
    }
  });
});
