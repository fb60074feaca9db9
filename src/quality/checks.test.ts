// Tests of quality rules on real table versions: each rule passing and failing, severities, bad rule input.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QualityError, ValidationError } from "../errors.js";
import type { TableRef } from "../records.js";
import { Lake } from "../lake/lake.js";
import { assertChecksPassed, qualityRuleSchema, runChecks, type QualityRule } from "./checks.js";

let dir: string;
let lake: Lake;
let t: TableRef;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-checks-"));
  lake = await Lake.open(path.join(dir, "lake"));
  t = (
    await lake.materialize(
      "silver.c",
      `SELECT * FROM (VALUES
         (1, 'a', 10.0, true,  'Yes'),
         (2, 'b', 20.5, false, 'No'),
         (3, 'b', NULL, true,  'Yes'),
         (4, NULL, -5.0, NULL, 'Maybe'),
         (5, 'c', 99.0, false, 'No')) t(id, grp, amount, flag, answer)`,
      { parents: [] },
    )
  ).version;
});
afterAll(async () => {
  await lake.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function one(rule: QualityRule) {
  const report = await runChecks(lake, t, [rule]);
  return report.results[0];
}

describe("runChecks", () => {
  it("not_null passes on a full column and counts nulls otherwise", async () => {
    expect(await one({ rule: "not_null", column: "id" })).toMatchObject({ passed: true, failing: 0, total: 5 });
    const r = await one({ rule: "not_null", column: "grp" });
    expect(r).toMatchObject({ passed: false, failing: 1, severity: "error", table: "silver.c", version: 1, column: "grp" });
    expect(r.message).toContain("1 of 5 rows are null");
  });

  it("unique counts every row of a duplicated value and ignores nulls", async () => {
    expect(await one({ rule: "unique", column: "id" })).toMatchObject({ passed: true, failing: 0 });
    expect(await one({ rule: "unique", column: "grp" })).toMatchObject({ passed: false, failing: 2 });
    expect(await one({ rule: "unique", column: "amount" })).toMatchObject({ passed: true });
  });

  it("accepted_values compares by the column's type", async () => {
    expect(await one({ rule: "accepted_values", column: "answer", values: ["Yes", "No", "Maybe"] })).toMatchObject({ passed: true });
    expect(await one({ rule: "accepted_values", column: "answer", values: ["Yes", "No"] })).toMatchObject({ passed: false, failing: 1 });
    expect(await one({ rule: "accepted_values", column: "id", values: [1, 2, 3, 4, 5] })).toMatchObject({ passed: true });
    expect(await one({ rule: "accepted_values", column: "id", values: ["1", 2] })).toMatchObject({ passed: false, failing: 3 });
    expect(await one({ rule: "accepted_values", column: "flag", values: [true] })).toMatchObject({ passed: false, failing: 2 });
    expect(await one({ rule: "accepted_values", column: "flag", values: ["true", false] })).toMatchObject({ passed: true });
    await expect(one({ rule: "accepted_values", column: "id", values: ["one"] })).rejects.toThrow(/"one" can never match/);
  });

  it("range counts values outside the bounds, nulls excluded, one-sided bounds allowed", async () => {
    expect(await one({ rule: "range", column: "amount", min: -5, max: 99 })).toMatchObject({ passed: true });
    expect(await one({ rule: "range", column: "amount", min: 0 })).toMatchObject({ passed: false, failing: 1 });
    expect(await one({ rule: "range", column: "amount", max: 20 })).toMatchObject({ passed: false, failing: 2 });
    await expect(one({ rule: "range", column: "grp", min: 0 })).rejects.toThrow(/numeric or date column/);
  });

  it("warn-level failures do not fail the report; error-level ones do, with a QualityError naming them", async () => {
    const warnOnly = await runChecks(lake, t, [
      { rule: "not_null", column: "grp", severity: "warn" },
      { rule: "unique", column: "id" },
    ]);
    expect(warnOnly).toMatchObject({ errors: 0, warnings: 1, passed: true });
    expect(() => assertChecksPassed(warnOnly)).not.toThrow();
    const failing = await runChecks(lake, t, [{ rule: "unique", column: "grp" }, { rule: "not_null", column: "amount", severity: "warn" }]);
    expect(failing).toMatchObject({ errors: 1, warnings: 1, passed: false });
    expect(() => assertChecksPassed(failing)).toThrow(QualityError);
    expect(() => assertChecksPassed(failing)).toThrow(/silver\.c\.grp unique: 2 of 5/);
    expect(await runChecks(lake, t, [])).toMatchObject({ results: [], passed: true });
  });

  it("rejects unknown columns and malformed rules with a ValidationError naming them", async () => {
    await expect(one({ rule: "not_null", column: "nope" })).rejects.toThrow(ValidationError);
    await expect(one({ rule: "not_null", column: "nope" })).rejects.toThrow(/column "nope" does not exist in silver\.c@1/);
    await expect(runChecks(lake, t, [{ rule: "range", column: "amount" } as QualityRule])).rejects.toThrow(/min, max or both/);
    await expect(runChecks(lake, t, [{ rule: "nullish", column: "amount" } as unknown as QualityRule])).rejects.toThrow(ValidationError);
    await expect(runChecks(lake, t, [{ rule: "unique", column: "id", sevrity: "warn" } as unknown as QualityRule])).rejects.toThrow(/sevrity/);
    expect(qualityRuleSchema.safeParse({ rule: "accepted_values", column: "x", values: [] }).success).toBe(false);
  });
});
