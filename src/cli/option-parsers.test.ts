// The CLI's option parsers: the typed value for good text, commander's InvalidArgumentError (named option, exit 2) else.
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { durationSeconds, fileOfType, httpUrl, isoDate, nonNegativeInt, offOrAtLeast, oneOf, port, positiveInt } from "./option-parsers.js";

const refuses = (parse: (v: string) => unknown, v: string, expected: RegExp) => {
  expect(() => parse(v)).toThrow(InvalidArgumentError);
  expect(() => parse(v)).toThrow(expected);
};

describe("option parsers", () => {
  it("positiveInt: whole numbers ≥ 1; refuses text, 0, negatives, fractions", () => {
    expect(positiveInt("20")).toBe(20);
    for (const bad of ["abc", "0", "-5", "2.5", "", "1e3", "20x"]) refuses(positiveInt, bad, /whole number ≥ 1/);
  });

  it("nonNegativeInt: 0 allowed, -1 not", () => {
    expect(nonNegativeInt("0")).toBe(0);
    refuses(nonNegativeInt, "-1", /≥ 0/);
  });

  it("offOrAtLeast(2): 0 or ≥ 2 (train --cv 1 refused)", () => {
    expect(offOrAtLeast(2)("0")).toBe(0);
    expect(offOrAtLeast(2)("5")).toBe(5);
    refuses(offOrAtLeast(2), "1", /0 \(off\) or a whole number ≥ 2/);
    refuses(offOrAtLeast(2), "abc", /0 \(off\)/);
  });

  it("durationSeconds: bare seconds and units; refuses -1, 0, abc, unknown units", () => {
    expect(durationSeconds("30s")).toBe(30);
    expect(durationSeconds("5m")).toBe(300);
    expect(durationSeconds("0.2")).toBe(0.2);
    expect(durationSeconds("1h")).toBe(3600);
    for (const bad of ["-1", "0", "abc", "5y", ""]) refuses(durationSeconds, bad, /duration > 0/);
  });

  it("isoDate: dates and date-times; refuses notadate and impossible dates", () => {
    expect(isoDate("2026-12-01")).toBe("2026-12-01");
    expect(isoDate("2026-12-01T08:00:00Z")).toBe("2026-12-01T08:00:00Z");
    expect(isoDate("2028-02-29")).toBe("2028-02-29"); // a leap day
    for (const bad of ["notadate", "2026-13-45", "2026-02-30", "2025-02-29", "12/01/2026", "2026"]) refuses(isoDate, bad, /ISO date/);
  });

  it("port: 0 (any free port) to 65535", () => {
    expect(port("8080")).toBe(8080);
    expect(port("0")).toBe(0);
    for (const bad of ["99999", "abc", "-1", "65536"]) refuses(port, bad, /port number 1-65535/);
  });

  it("httpUrl: http(s) with a host, trailing slash dropped", () => {
    expect(httpUrl("http://127.0.0.1:8080/")).toBe("http://127.0.0.1:8080");
    expect(httpUrl("https://churn.example.com")).toBe("https://churn.example.com");
    for (const bad of ["notaurl", "ftp://x.example.com", "127.0.0.1:8080", "http://"]) refuses(httpUrl, bad, /http:\/\/ or https:\/\//);
  });

  it("oneOf and fileOfType list what they accept", () => {
    expect(oneOf(["asc", "desc"])("asc")).toBe("asc");
    refuses(oneOf(["asc", "desc"]), "up", /one of: asc, desc/);
    expect(fileOfType([".csv", ".parquet"])("out/X.CSV")).toBe("out/X.CSV");
    refuses(fileOfType([".csv", ".parquet"]), "x.txt", /\.csv or \.parquet/);
    refuses(fileOfType([".csv", ".parquet"]), ".csv", /\.csv or \.parquet/);
  });
});
