// `millrace train` as a demanding new user meets it (walkthrough U3): an integer id named so is dropped, a repeated
// --test-rows number, a date or all-distinct target, --positive on a non-binary target and a bad --test-fraction are
// refused by name; a one-row test set says r2 is undefined and that its metrics are noisy; a class with one train row
// or none is named; a date-only column makes no hour and the header counts model columns; auto's search is its own part.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { millrace } from "../../../test/cli.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-train-checks-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, rows: string[]) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, rows.join("\n") + "\n");
  return f;
};
const day = (i: number) => new Date(Date.UTC(2001, 0, 1) + i * 7 * 86_400_000).toISOString().slice(0, 10);
// 120 rows sorted by class, as sklearn's wine: an id counting up leaks the class; a shuffled customer_id too.
const n = 120;
const label = (i: number) => (i < 40 ? "a" : i < 80 ? "b" : "c");
const wine = write("wine.csv", [
  "id,customer_id,x,noise,vintage,target",
  ...Array.from({ length: n }, (_, i) => `${1000 + i},${100000 + ((i * 37) % n) * 3},${(i % 40) * 0.1 + (i < 40 ? 0 : i < 80 ? 1 : 2) * 0.5},${(i * 7919) % 13},${day(i)},${label(i)}`),
]);

describe("millrace train refuses what it cannot learn or would ignore", () => {
  it("drops an integer column named like an id (id, customer_id) at any row count >= 20, saying why; --keep keeps it", () => {
    const r = millrace(["train", wine, "-t", "target", "-m", "logistic_regression", "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.dropped.map((d: { column: string }) => d.column)).toEqual(["id", "customer_id"]);
    expect(r.json.dropped[0].detail).toMatch(/distinct of \d+ rows, integers named like an id/);
    const text = millrace(["train", wine, "-t", "target", "-m", "logistic_regression"]);
    expect(text.stdout).toMatch(/dropped id: an identifier \(\d+ distinct of \d+ rows, integers named like an id\) — use --keep id to use it/);
    const kept = millrace(["train", wine, "-t", "target", "-m", "logistic_regression", "--keep", "id", "--json"]);
    expect(kept.json.dropped.map((d: { column: string }) => d.column)).toEqual(["customer_id"]);
  });

  it("refuses --test-rows that list a row twice (it counted it twice) or a row outside the file, naming them", () => {
    const dup = millrace(["train", wine, "-t", "target", "-m", "logistic_regression", "--test-rows", write("dup.txt", ["1", "1", "2"])]);
    expect(dup.code).toBe(1);
    expect(dup.out).toContain("dup.txt: data row 1 (lines 1 and 2) is listed twice");
    const out = millrace(["train", wine, "-t", "target", "-m", "logistic_regression", "--test-rows", write("out.txt", ["3", "120", "x"])]);
    expect(out.code).toBe(1);
    expect(out.out).toContain('out.txt: line 2: "120", line 3: "x" are not data-row numbers in 0..119');
  });

  it("refuses a date target and a target distinct in every row as classes, with a hint", () => {
    const date = millrace(["train", wine, "-t", "vintage"]);
    expect(date.code).toBe(1);
    expect(date.out).toContain('target "vintage" holds dates');
    expect(date.out).toMatch(/hint: predict another column with --target/);
    const codes = write("codes.csv", ["x,code", ...Array.from({ length: 40 }, (_, i) => `${i % 5},K${i}`)]);
    const distinct = millrace(["train", codes, "-t", "code"]);
    expect(distinct.code).toBe(1);
    expect(distinct.out).toContain('target "code" has a different value in every one of its 40 rows');
    const numbers = write("numbers.csv", ["x,y", ...Array.from({ length: 40 }, (_, i) => `${i % 5},${i * 3}`)]);
    expect(millrace(["train", numbers, "-t", "y", "--task", "multiclass"]).out).toMatch(/hint: use --task regression/);
  });

  it("refuses --positive for a regression or multiclass target, naming the task found", () => {
    const numbers = write("reg.csv", ["x,y", ...Array.from({ length: 60 }, (_, i) => `${i % 5},${(i * 0.37).toFixed(2)}`)]);
    const reg = millrace(["train", numbers, "-t", "y", "-m", "ridge", "--positive", "x"]);
    expect(reg.code).toBe(1);
    expect(reg.out).toContain("--positive x: only a binary target has a positive class, and this one is regression");
    expect(millrace(["train", wine, "-t", "target", "-m", "logistic_regression", "--positive", "a"]).out).toContain("this one is multiclass");
  });

  it("says --test-fraction, not an internal name, when the share is out of range", () => {
    const r = millrace(["train", wine, "-t", "target", "--test-fraction", "1"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("--test-fraction 1: the held-out share must be a number between 0 and 1");
    expect(r.out).not.toContain("testFraction");
  });
});

describe("millrace train says when its test metrics mean little", () => {
  it("leaves r2 out on one test row (null in --json, with why) and warns of a tiny test set", () => {
    const reg = write("five.csv", ["x,y", "1,1.5", "2,2.5", "3,2.9", "4,4.4", "5,5.1"]);
    const held = write("one.txt", ["4"]);
    const text = millrace(["train", reg, "-t", "y", "--task", "regression", "-m", "ridge", "--test-rows", held]);
    expect(text.code, text.out).toBe(0);
    expect(text.stdout).not.toMatch(/^r2 +-?\d/m); // no row of the metric table
    expect(text.stdout).toContain("r2 left out: undefined on 1 test row (it needs 2 or more test rows)");
    expect(text.stderr).toContain("only 1 test row: test metrics are noisy");
    const json = millrace(["train", reg, "-t", "y", "--task", "regression", "-m", "ridge", "--test-rows", held, "--json"]);
    expect(json.json.metrics.r2).toBeNull();
    expect(json.json.undefinedMetrics.r2).toMatch(/needs 2 or more/);
    expect(json.json.warnings[0]).toMatch(/only 1 test row/);
  });

  it("names a class with one train row, and a class in the test rows that no train row has", () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i % 10},${(i * 7) % 11},${i === 3 ? "lone" : i === 4 ? "once" : i % 2 ? "odd" : "even"}`);
    const f = write("lone.csv", ["x,z,label", ...rows]);
    const r = millrace(["train", f, "-t", "label", "-m", "logistic_regression", "--test-rows", write("lone.txt", ["3", ...Array.from({ length: 30 }, (_, i) => String(10 + i))]), "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.warnings).toEqual([
      'class "once" (1 train row): too few to learn it from (a class needs 2 train rows or more)',
      'class "lone" is in 1 test row but in no train row: the model never learnt it, and the test metrics count that row as errors',
    ]);
  });
});

describe("millrace train counts what the model uses", () => {
  it("a date-only column makes no .hour; the header says input columns and the model columns they become", () => {
    const r = millrace(["train", wine, "-t", "target", "-m", "gbdt", "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(Object.keys(r.json.shapImportance)).not.toContain("vintage.hour");
    expect(r.json.features).toBe(3); // x, noise, vintage
    expect(r.json.modelColumns).toBe(7); // x, noise, vintage.year|month|day|weekday|dayofyear
    expect(Object.keys(r.json.shapImportance)).toHaveLength(r.json.modelColumns);
    const text = millrace(["train", wine, "-t", "target", "-m", "gbdt"]);
    expect(text.stdout).toContain("3 input columns → 7 model columns (vintage → 5 date parts)");
  });

  it("auto: the timing line splits its search from the final fit", () => {
    const r = millrace(["train", wine, "-t", "target", "--time-budget", "20s", "-p", "candidates=logistic_regression,gbdt", "--json"]);
    expect(r.code, r.out).toBe(0);
    const searched = r.json.candidates.reduce((a: number, c: { seconds: number }) => a + c.seconds, 0);
    expect(r.json.searchSeconds).toBeCloseTo(searched, 6);
    expect(r.json.trainSeconds).toBeGreaterThanOrEqual(r.json.searchSeconds + r.json.finalFitSeconds);
    const text = millrace(["train", wine, "-t", "target", "--time-budget", "20s", "-p", "candidates=logistic_regression,gbdt"]);
    expect(text.stdout).toMatch(/train [\d.]+ s \(of which search [\d.]+ s, final fit [\d.]+ s\)/);
  });
});
