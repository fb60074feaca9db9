import { describe, expect, it } from "vitest";
import { didYouMean, editDistance, nearest } from "./did-you-mean.js";

describe("did you mean", () => {
  it("counts edits, a swap of neighbours as one, ignoring case", () => {
    expect(editDistance("datset", "dataset")).toBe(1);
    expect(editDistance("tagret", "target")).toBe(1);
    expect(editDistance("VARCHR", "varchar")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("suggests the nearest word only when it is close", () => {
    expect(nearest("targt", ["table", "target", "task"])).toBe("target");
    expect(nearest("utf8", ["utf-8", "utf-16", "latin-1"])).toBe("utf-8");
    expect(nearest("NOTATYPE", ["DATE", "TIME", "VARCHAR"])).toBeUndefined();
    expect(didYouMean("add_column", ["fail", "add_columns", "coerce"])).toBe('; did you mean "add_columns"?');
    expect(didYouMean("zzz", ["fail"])).toBe("");
  });
});
