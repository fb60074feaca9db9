// Tests of duration parsing for source settings.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../errors.js";
import { parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it("reads a number and a unit, and names the setting when it cannot", () => {
    expect(parseDuration("1h", "x")).toBe(3_600_000);
    expect(parseDuration("90s", "x")).toBe(90_000);
    expect(parseDuration("1.5 d", "x")).toBe(129_600_000);
    expect(() => parseDuration("1 hour", "sources.orders.postgres.cursor_lookback")).toThrow(ConfigError);
    expect(() => parseDuration("0s", "x")).toThrow(/not a duration/);
    expect(() => parseDuration("h", "lookback")).toThrow(/lookback/);
  });
});
