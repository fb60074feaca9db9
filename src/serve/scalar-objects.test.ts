// parseScalarObjects (objects of scalars and flat arrays, the KServe V2 batch) gives exactly JSON.parse's value or null.
import { isAscii } from "node:buffer";
import { describe, expect, it } from "vitest";
import { parseElements } from "./json-elements.js";
import { parseScalarObjects } from "./scalar-objects.js";
import { rng } from "./test-helpers/rng.js";
import { elementsRegion, expectSame, mutated } from "./test-helpers/same-json.js";

/** The elements of `{"inputs":[…]}` text by parseScalarObjects alone (null when it declines). */
function objects(text: string): unknown[] | null {
  const region = elementsRegion(text, "inputs");
  return region && parseScalarObjects(...region);
}

/** parseScalarObjects and parseElements equal JSON.parse's value, or null (always null when JSON.parse throws). */
function check(text: string): boolean {
  let want: unknown;
  try {
    want = JSON.parse(text);
  } catch {
    expect(objects(text)).toBeNull();
    const b = Buffer.from(text);
    expect(parseElements(b, isAscii(b))).toBeNull();
    return false;
  }
  const got = objects(text);
  if (got !== null) expectSame(got, (want as { inputs: unknown }).inputs);
  const b = Buffer.from(text);
  const elements = parseElements(b, isAscii(b));
  if (elements !== null) {
    expectSame(elements.value, want);
    expect(elements.parts.join("")).toBe(text);
  }
  return got !== null;
}

const NUMBERS = ["0", "-0", "7", "-7", "0.5", "29.85", "1889.50", "0.0", "100.0", "999999999999999", "1000000000000000", "9007199254740993", "0.123456789012345", "0.1234567890123456", "123456789012345.5", "1e5", "1E-5", "-1.5e-300", "5e-324", "2e308", "1.7976931348623157e308"];
const BAD_NUMBERS = ["01", "1.", ".5", "1e", "+1", "-", "0x10", "1.e5", "NaN"];
const tensor = (name: string, data: unknown[], datatype = "FP64") => ({ name, shape: [data.length], datatype, data });

describe("parseScalarObjects", () => {
  it("reads V2 tensors of numbers, strings, booleans and nulls exactly as JSON.parse does, compact and pretty-printed", () => {
    const next = rng(3);
    const cities = ["No", "No phone service", "Yes", "Zürich", "東京", "", "a", "ab"];
    const n = 500;
    const body = {
      inputs: [
        tensor("tenure", Array.from({ length: n }, (_, i) => i % 73), "INT64"),
        tensor("charges", Array.from({ length: n }, () => Math.round(next() * 1e6) / 100)),
        tensor("x", Array.from({ length: n }, () => (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20))),
        tensor("city", Array.from({ length: n }, () => cities[Math.floor(next() * cities.length)]), "BYTES"),
        tensor("id", Array.from({ length: n }, (_, i) => `user-${i}`), "BYTES"),
        tensor("flag", Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : i % 2 === 0)), "BOOL"),
        { name: "empty", shape: [0], datatype: "FP64", data: [] },
      ],
    };
    expect(check(JSON.stringify(body))).toBe(true);
    expect(check(JSON.stringify(body))).toBe(true);
    expect(check(JSON.stringify(body, null, 2))).toBe(true);
    // Shorter and longer arrays under a key than the last ones (arrays are sized from the last one under their key).
    const sizes = { inputs: [tensor("a", [1, 2, 3]), tensor("b", Array.from({ length: 700 }, (_, i) => i)), tensor("c", [0.5]), tensor("d", [])] };
    expect(check(JSON.stringify(sizes))).toBe(true);
    expect(check(JSON.stringify(body))).toBe(true);
  });

  it("reads every JSON number form in an array to the last bit, and refuses the forms JSON refuses", () => {
    for (const x of NUMBERS) expect(check(`{"inputs":[{"data":[${x},${x}, ${x} ,1],"v":${x}}]}`)).toBe(true);
    for (const x of BAD_NUMBERS) expect(check(`{"inputs":[{"data":[1,${x}]}]}`)).toBe(false);
  });

  it("matches an array's strings by their bytes and closing quote, never a string that only starts like one", () => {
    const near = ["N", "Noo", "No ", "No phone servic", "No phone service!", "Ye", "YES", "Zürich2", "b", "aa"];
    const data = ["No", "No phone service", "Yes", "Zürich", "a", ...near, "No", "Yes"];
    expect(check(JSON.stringify({ inputs: [tensor("s", data, "BYTES"), tensor("t", near, "BYTES")] }))).toBe(true);
    expect(check('{"inputs":[{"data":["No","NoX,"n"]}]}')).toBe(false);
  });

  it("declines nested values, escapes and __proto__, and sets keys as JSON.parse does otherwise", () => {
    const declined = [
      '{"inputs":[{"data":[[1],[2]]}]}',
      '{"inputs":[{"data":[1],"parameters":{"binary":false}}]}',
      '{"inputs":[{"data":["a\\"b"]}]}',
      '{"inputs":[{"data":["\\u00e9"]}]}',
      '{"inputs":[{"__proto__":[1]}]}',
    ];
    for (const text of declined) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(objects(text)).toBeNull();
    }
    // A repeated key keeps its first place and its last value; integer-like keys come first, ascending.
    for (const text of ['{"inputs":[{"a":1,"b":[2],"a":[3]}]}', '{"inputs":[{"b":1,"10":2,"2":[3],"a":4}]}', '{"inputs":[{},{}]}']) expect(check(text)).toBe(true);
  });

  it("never answers differently from JSON.parse on fuzzed V2 bodies (mutated bytes, cut, whitespace)", () => {
    const next = rng(17);
    const base = { inputs: [tensor("tenure", [1, 34, 2, 45], "INT64"), tensor("charges", [29.85, 56.95, 53.85, 42.3]), tensor("contract", ["Month-to-month", "One year", "Month-to-month", "One year"], "BYTES"), tensor("ok", [true, false, null, true], "BOOL")] };
    let parsed = 0;
    for (let k = 0; k < 1500; k++) {
      const text = mutated(JSON.stringify(base, null, next() < 0.3 ? 1 : undefined), next);
      if (check(text)) parsed++;
    }
    expect(parsed).toBeGreaterThan(300);
  });
});
