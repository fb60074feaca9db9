import { describe, expect, it } from "vitest";
import { fmtNumber } from "./output.js";

describe("fmtNumber", () => {
  it("keeps small non-zero values visible instead of rounding them to 0.0000", () => {
    expect(fmtNumber(1e-9)).toBe("1.000e-9");
    expect(fmtNumber(-0.00042)).toBe("-4.200e-4");
    expect(fmtNumber(0.0421)).toBe("0.0421");
    expect(fmtNumber(1234.5678)).toBe("1234.6");
    expect(fmtNumber(7043)).toBe("7,043");
    expect(fmtNumber(0)).toBe("0");
  });
});
