import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { landingMatcher, listLandingFiles } from "./landing-files.js";

describe("landing files", () => {
  it("matches *, ?, {a,b}, [..], !(..) and **/", () => {
    expect(landingMatcher("*.{csv,parquet}")("a.csv")).toBe(true);
    expect(landingMatcher("*.{csv,parquet}")("a.parquet")).toBe(true);
    expect(landingMatcher("*.{csv,parquet}")("a.json")).toBe(false);
    expect(landingMatcher("*.csv")("sub/a.csv")).toBe(false);
    expect(landingMatcher("**/*.csv")("sub/deep/a.csv")).toBe(true);
    expect(landingMatcher("**/*.csv")("a.csv")).toBe(true);
    expect(landingMatcher("day-??.csv")("day-01.csv")).toBe(true);
    expect(landingMatcher("a+b.csv")("a+b.csv")).toBe(true);
    // Character classes and negation, which the old hand-written matcher read as literal text.
    expect(landingMatcher("day-[0-9][0-9].csv")("day-07.csv")).toBe(true);
    expect(landingMatcher("!(*-draft).csv")("orders.csv")).toBe(true);
    expect(landingMatcher("!(*-draft).csv")("orders-draft.csv")).toBe(false);
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
