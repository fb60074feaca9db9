// predict's --explain takes a whole number ≥ 1 (or nothing: 5): anything else is a usage error quoting what was given,
// checked before a model or file is read (it printed "--explain NaN: …").
import { describe, expect, it } from "vitest";
import { millrace } from "../../../test/cli.js";

describe("predict --explain", () => {
  it("quotes a value that is not a whole number ≥ 1 (exit 2)", () => {
    for (const bad of ["abc", "0", "2.5"]) {
      const r = millrace(["predict", "-i", "in.csv", "-o", "out.csv", "-m", "model.bin", "--explain", bad]);
      expect(r.code, r.out).toBe(2);
      expect(r.stderr).toContain(`'${bad}'`);
      expect(r.stderr).toMatch(/--explain.*whole number ≥ 1/);
      expect(r.out).not.toContain("NaN");
    }
  });
});
