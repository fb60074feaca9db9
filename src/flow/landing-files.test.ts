import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { globToRegExp, listLandingFiles } from "./landing-files.js";

describe("landing files", () => {
  it("matches *, ?, {a,b} and **/", () => {
    expect(globToRegExp("*.{csv,parquet}").test("a.csv")).toBe(true);
    expect(globToRegExp("*.{csv,parquet}").test("a.parquet")).toBe(true);
    expect(globToRegExp("*.{csv,parquet}").test("a.json")).toBe(false);
    expect(globToRegExp("*.csv").test("sub/a.csv")).toBe(false);
    expect(globToRegExp("**/*.csv").test("sub/deep/a.csv")).toBe(true);
    expect(globToRegExp("**/*.csv").test("a.csv")).toBe(true);
    expect(globToRegExp("day-??.csv").test("day-01.csv")).toBe(true);
    expect(globToRegExp("a+b.csv").test("a+b.csv")).toBe(true);
  });

  it("lists matching files sorted, skipping hidden and partial files; a missing folder is empty", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-landing-"));
    for (const f of ["b.csv", "a.csv", ".hidden.csv", "c.csv.part", "notes.txt"]) fs.writeFileSync(path.join(dir, f), "x");
    expect(listLandingFiles(dir, "*.csv").map((f) => path.basename(f))).toEqual(["a.csv", "b.csv"]);
    expect(listLandingFiles(path.join(dir, "nope"), "*.csv")).toEqual([]);
    fs.symlinkSync(path.join(dir, "a.csv"), path.join(dir, "linked.csv"));
    fs.symlinkSync(path.join(dir, "gone.csv"), path.join(dir, "dangling.csv"));
    expect(listLandingFiles(dir, "*.csv").map((f) => path.basename(f))).toEqual(["a.csv", "b.csv", "linked.csv"]);
  });
});
