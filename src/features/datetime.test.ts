// A date-only column is split into its date parts without an hour (always 0, a column saying nothing); a column with
// times of day keeps the hour; the fitted pipeline makes the same columns it lists.
import { describe, expect, it } from "vitest";
import type { Frame } from "../records.js";
import { DATETIME_PARTS, datetimePartsOf } from "./datetime.js";
import { FeaturePipeline, TREE_PIPELINE } from "./pipeline.js";

describe("datetime parts of a column", () => {
  it("leaves the hour out when every value is a date (or midnight), keeps it when a time of day varies", () => {
    expect(datetimePartsOf(["2001-01-01", "2001-01-08", null])).toEqual(["year", "month", "day", "weekday", "dayofyear"]);
    expect(datetimePartsOf(["2001-01-01 00:00:00", "2001-01-08T00:00"])).not.toContain("hour");
    expect(datetimePartsOf(["2001-01-01", "2001-01-08T13:45:00Z"])).toEqual([...DATETIME_PARTS]);
    // Judged on the rows given (the train rows).
    expect(datetimePartsOf(["2001-01-01T09:00", "2001-01-08"], Uint32Array.of(1))).not.toContain("hour");
  });

  it("a fitted pipeline makes no vintage.hour for a date-only column", () => {
    const frame: Frame = { rowCount: 3, columns: [{ name: "vintage", kind: "categorical", values: ["2001-01-01", "2001-01-08", "2001-02-15"] }] };
    const X = new FeaturePipeline(TREE_PIPELINE).fitTransform(frame, ["vintage"]).X;
    expect(X.columns.map((c) => c.name)).toEqual(["vintage.year", "vintage.month", "vintage.day", "vintage.weekday", "vintage.dayofyear"]);
  });
});
