// parseElements gives exactly JSON.parse's value and the whole text in parts, or null (never a different answer).
import { isAscii } from "node:buffer";
import { describe, expect, it } from "vitest";
import { parseElements } from "./json-elements.js";
import { parseJsonBytes } from "./body.js";

const records = Array.from({ length: 50 }, (_, i) => ({ tenure: i, monthly: i * 1.5 + 0.1, contract: i % 2 ? "One year" : "Month-to-month", paperless: i % 3 === 0, note: null }));

function check(text: string): ReturnType<typeof parseElements> {
  const b = Buffer.from(text);
  const r = parseElements(b, isAscii(b));
  if (r) {
    expect(r.value).toEqual(JSON.parse(text));
    expect(r.parts.join("")).toBe(text);
  }
  return r;
}

describe("parseElements", () => {
  it("splits compact, Python-style and pretty-printed bodies into their elements", () => {
    expect(check(JSON.stringify({ records }))?.value.records).toHaveLength(50);
    const python = `{"records": [${records.map((r) => JSON.stringify(r).replaceAll(",", ", ").replaceAll(":", ": ")).join(", ")}]}`;
    expect(check(python)).not.toBeNull();
    expect(check(`  ${JSON.stringify({ records }, null, 2)}\n`)).not.toBeNull();
    expect(check(JSON.stringify({ records: [{}] }))?.value.records).toEqual([{}]);
  });

  it("keeps non-ASCII text and V2 tensors intact", () => {
    expect(check(JSON.stringify({ records: [{ city: "Zürich 😀" }, { city: "東京" }] }))).not.toBeNull();
    const inputs = [{ name: "tenure", shape: [3], datatype: "INT64", data: [1, 2, 3] }, { name: "c", shape: [3], datatype: "BYTES", data: ["a", "b", "c"] }];
    expect(check(JSON.stringify({ inputs }))?.value.inputs).toEqual(inputs);
  });

  it("hands anything it cannot split safely back to the whole-body parse (null)", () => {
    // A separator inside a string (flat records and objects of flat arrays are read token by token: parsed; records
    // holding nested objects: null), nested objects, non-object elements, other shapes, syntax errors.
    expect(check(JSON.stringify({ records: [{ a: "x},{y" }, { a: "z" }] }))).not.toBeNull();
    expect(check(JSON.stringify({ records: [{ a: "x},{y", n: [1] }, { a: "z", n: [2] }] }))).not.toBeNull();
    expect(check(JSON.stringify({ records: [{ a: "x},{y", n: { b: 1 } }, { a: "z", n: { b: 2 } }] }))).toBeNull();
    expect(check(JSON.stringify({ records: [{ a: { b: 1 }, c: 2 }, { a: 2 }] }))).not.toBeNull();
    expect(check(JSON.stringify({ records: [{ c: [{ d: 1 }, { e: 2 }] }, { a: 2 }] }))).toBeNull();
    expect(check(JSON.stringify({ records: [{ a: 1 }, 5] }))).toBeNull();
    expect(check(JSON.stringify({ records: [{ a: 1 }], other: 1 }))).toBeNull();
    expect(check(JSON.stringify([{ a: 1 }]))).toBeNull();
    expect(check('{"__proto__":[{"a":1}]}')).toBeNull();
    expect(check('{"records":[{"a":1},{"a":}]}')).toBeNull();
    expect(check('{"records":[{"a":1},{"a":2}]} x')).toBeNull();
  });

  it("is what parseJsonBytes uses for large bodies, with the same value and text", () => {
    const text = JSON.stringify({ records: Array.from({ length: 200 }, (_, i) => ({ ...records[i % 50], i })) });
    const body = parseJsonBytes(Buffer.from(text));
    expect(body.parts).toBeDefined();
    expect(body.value).toEqual(JSON.parse(text));
    expect(body.text).toBe(text);
    const broken = Buffer.from(text.slice(0, -5) + "}x]}");
    expect(() => parseJsonBytes(broken)).toThrow(/not valid JSON/);
  });
});
