// parseFlatRecords gives exactly JSON.parse's records (values, key order, -0, every float's last bit) or null; through
// parseJsonBytes a /predict body then validates and errs exactly as JSON.parse's value does.
import { readFileSync } from "node:fs";
import { isAscii } from "node:buffer";
import { describe, expect, it } from "vitest";
import type { Signature } from "../records.js";
import { parseJsonBytes } from "./body.js";
import { parseElements } from "./json-elements.js";
import { parseFlatRecords } from "./records-parser.js";
import { rng } from "./test-helpers/rng.js";
import { elementsRegion, expectSame, mutated } from "./test-helpers/same-json.js";
import { compileValidator } from "./validate.js";

const CHURN = new URL("../../examples/churn/data/source/wa_churn.csv", import.meta.url).pathname;

/** The churn CSV as JSON records: quoted cells are strings, bare ones numbers, empty ones null. */
function churnRecords(): Record<string, unknown>[] {
  const lines = readFileSync(CHURN, "utf8").split(/\r?\n/).filter((l) => l.length > 0);
  const cell = (s: string): unknown => (s === "" ? null : s.startsWith('"') ? s.slice(1, -1) : Number(s));
  const header = lines[0].split(",").map((h) => cell(h) as string);
  return lines.slice(1).map((l) => {
    const r: Record<string, unknown> = {};
    l.split(",").forEach((c, j) => (r[header[j]] = cell(c)));
    return r;
  });
}

/** The records of `{"records":[…]}` text by parseFlatRecords (null when it declines or the text has another outer shape). */
function flat(text: string): Record<string, unknown>[] | null {
  const region = elementsRegion(text, "records");
  return region && parseFlatRecords(...region);
}

/**
 * Checks one body: the flat parse is null or equal to JSON.parse's records, and null whenever JSON.parse throws; the
 * same for parseElements, which calls it. Returns whether the flat parse read it.
 */
function check(text: string): boolean {
  let want: unknown;
  const b = Buffer.from(text);
  try {
    want = JSON.parse(text);
  } catch {
    expect(flat(text)).toBeNull();
    expect(parseElements(b, isAscii(b))).toBeNull();
    return false;
  }
  const got = flat(text);
  if (got !== null) expectSame(got, (want as { records: unknown }).records);
  const elements = parseElements(b, isAscii(b));
  if (elements !== null) {
    expectSame(elements.value, want);
    expect(elements.parts.join("")).toBe(text);
  }
  return got !== null;
}

const NUMBERS = [
  "0", "-0", "1", "-1", "0.1", "-0.0", "0.30000000000000004", "123456789012345", "1234567890123456", "12345678901234567890",
  "9007199254740993", "1e5", "1E5", "1e+5", "1e-5", "-1.5e-300", "1.7976931348623157e308", "5e-324", "2e308", "0.000001",
  "0.0000000000000001", "100.0", "3.141592653589793", "29.85", "1889.50", "0.1234567890123456789", "999999999999999.9",
];
const BAD_NUMBERS = ["01", "-", "1.", ".5", "1e", "1e+", "+1", "--1", "0x10", "1.e5", "Infinity", "NaN", "-01"];

describe("parseFlatRecords", () => {
  it("reads every churn row exactly as JSON.parse does, compact and pretty-printed", () => {
    const records = churnRecords();
    expect(records.length).toBeGreaterThan(7000);
    const text = JSON.stringify({ records });
    expect(check(text)).toBe(true);
    expect(check(JSON.stringify({ records: records.slice(0, 300) }, null, 2))).toBe(true);
    const python = `{"records": [${records.slice(0, 300).map((r) => JSON.stringify(r).replaceAll('","', '", "').replaceAll('":', '": ')).join(", ")}]}`;
    expect(check(python)).toBe(true);
  });

  it("reads numbers in every JSON form to the last bit, and refuses the forms JSON refuses", () => {
    for (const n of NUMBERS) expect(check(`{"records":[{"x":${n},"y":1},{"x":${n},"y":${n}}]}`)).toBe(true);
    for (const n of BAD_NUMBERS) expect(check(`{"records":[{"x":1},{"x":${n}}]}`)).toBe(false);
    const next = rng(11);
    const values: string[] = [];
    for (let k = 0; k < 3000; k++) {
      const x = (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
      values.push(String(x), x.toFixed(Math.floor(next() * 12)), x.toPrecision(1 + Math.floor(next() * 20)), x.toExponential(Math.floor(next() * 17)));
    }
    const body = `{"records":[${values.map((v) => `{"v":${v}}`).join(",")}]}`;
    expect(check(body)).toBe(true);
  });

  it("reads strings of any script and datetimes, remembering repeated ones without mixing them up", () => {
    const cities = ["Zürich", "東京", "😀 x", "", "a", "ab", "ba", "2026-12-05T14:00:00Z", "2026-12-05", "No phone service"];
    const next = rng(5);
    const records = Array.from({ length: 500 }, (_, i) => ({ city: cities[Math.floor(next() * cities.length)], at: `2026-01-${String(1 + (i % 28)).padStart(2, "0")}T00:00:0${i % 10}Z`, id: `u${i}`, ok: i % 3 === 0, none: null }));
    expect(check(JSON.stringify({ records }))).toBe(true);
    expect(check(JSON.stringify({ records: records.map((r) => ({ ...r, city: r.city.toUpperCase() })) }))).toBe(true);
  });

  it("declines escapes, nested values, duplicate keys and __proto__; reads other key orders", () => {
    const declined = [
      '{"records":[{"a":"x\\"y"},{"a":"z"}]}',
      '{"records":[{"a":"z"},{"a":"\\u00e9"}]}',
      '{"records":[{"a":1},{"a":[1]}]}',
      '{"records":[{"a":1},{"a":{"b":1}}]}',
      '{"records":[{"a":1,"a":2},{"a":1,"a":2}]}',
      '{"records":[{"a":1},{"a":1,"a":2}]}',
      '{"records":[{"__proto__":1},{"__proto__":2}]}',
      '{"records":[{"a":1},{"a\\u0000":1}]}',
    ];
    for (const text of declined) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(flat(text)).toBeNull();
    }
    // Another key order, a missing or an extra key: read (the record's own order is the template from there on).
    for (const text of ['{"records":[{"a":1,"b":2},{"b":2,"a":1}]}', '{"records":[{"a":1,"b":2},{"a":1}]}', '{"records":[{"a":1},{"a":1,"b":2}]}']) {
      expect(check(text)).toBe(true);
    }
    expect(check('{"records":[{"a":1},{"a":"tab\there"}]}')).toBe(false);
    expect(check('{"records":[{},{}]}')).toBe(true);
    expect(check('{"records":[{"1":1,"b":2,"0":3},{"1":1,"b":2,"0":4}]}')).toBe(true);
  });

  it("checks every byte of a compact record's keys and separators, and reads its integers inline exactly", () => {
    // Keys of 1 to 9 bytes (the generated reader compares 4, 2 and 1 byte at a time): one byte changed anywhere in the
    // second record's text gives JSON.parse's value (another key order) or a decline, never the first record's keys.
    const keys = ["a", "bc", "def", "ghij", "klmno", "pqrstu", "vwxyzAB", "CDEFGHIJ", "KLMNOPQRS"];
    const record = `{${keys.map((k, j) => `"${k}":${j}`).join(",")}}`;
    for (let at = 0; at < record.length; at++) {
      for (const ch of ["X", " ", '"', ",", ":", "}"]) {
        if (record[at] === ch) continue;
        const changed = record.slice(0, at) + ch + record.slice(at + 1);
        check(`{"records":[${record},${changed},${record}]}`);
      }
    }
    expect(check(`{"records":[${record},${record},${record}]}`)).toBe(true);
    // Integers at the edge of the inline reading (15 digits exact, longer ones by Number()), zeros, signs, fractions.
    const ints = ["0", "7", "10", "999999999999999", "1000000000000000", "9007199254740993", "12345678901234567890", "-0", "-7", "0.5", "5e2", "5E2", "50.0"];
    for (const n of ints) expect(check(`{"records":[{"x":1,"y":2},{"x":${n},"y":${n}},{"x":${n},"y":3}]}`)).toBe(true);
    for (const n of ["00", "01", "1.", "1e", "0x1", "1-"]) expect(check(`{"records":[{"x":1,"y":2},{"x":${n},"y":2}]}`)).toBe(false);
    // A region that ends inside a record (end just after a brace in a string): that record is not read past the end.
    const b = Buffer.from('{"records":[{"a":"}"},{"a":"}"},{"a":"x"}]}');
    const end = b.indexOf('}"},{"a":"x') + 1;
    expect(parseFlatRecords(b, 12, end, true)).toBeNull();
  });

  it("reads remembered strings and decimals inline once compiled in, exactly, and nothing that only looks like them", () => {
    // The first body teaches the parser the strings of "s"; later bodies of the same key order read them inline.
    const known = ["No", "No phone service", "Yes", "Month-to-month", "Zürich", "a}", "", "DSL"];
    const teach = `{"records":[${known.map((k, i) => JSON.stringify({ s: k, n: i, t: "x" })).join(",")}]}`;
    expect(check(teach)).toBe(true);
    expect(check(teach)).toBe(true);
    const near = ["N", "Noo", "No ", "No phone servic", "No phone service!", "Ye", "YES", "Month-to-montH", "Zürich2", "b", "aa", "DS", "DSLR", 'No\\"', "No\\\\", "\\u004eo"];
    const decimals = ["0.5", "1.0", "29.85", "1889.50", "0.0", "0.1234567890123456", "0.123456789012345", "123456789012345.5", "12345678901234.5", "1.5e3", "-1.5", "1e2", "100"];
    // `near` holds raw JSON string contents (escapes as written).
    const records = [...known, ...near].flatMap((raw) => decimals.map((d) => `{"s":"${raw}","n":${d},"t":"x"}`));
    const body = `{"records":[{"s":"No","n":1,"t":"x"},${records.join(",")}]}`;
    expect(JSON.parse(body).records.length).toBe(records.length + 1);
    check(body);
    // Without the escaped ones every record is flat: read, equal to JSON.parse's.
    const plain = records.filter((r) => !r.includes("\\"));
    expect(check(`{"records":[{"s":"No","n":1,"t":"x"},${plain.join(",")}]}`)).toBe(true);
    for (const bad of ["1.", "1.e5", "01.5", ".5"]) expect(check(`{"records":[{"s":"No","n":1,"t":"x"},{"s":"No","n":${bad},"t":"x"}]}`)).toBe(false);
    // A remembered string then one more byte where its closing quote should be: not that string (here not JSON at all).
    for (const bad of ['"NoX,"n":1', '"YesX,"n":1', '"DSL\\,"n":1']) expect(check(`{"records":[{"s":"No","n":1,"t":"x"},{"s":${bad},"t":"x"}]}`)).toBe(false);
    // A remembered string whose closing quote would be at the end of the region is not read past it.
    const b = Buffer.from('{"records":[{"s":"No","n":1,"t":"x"},{"s":"a}","n":1,"t":"x"}]}');
    expect(parseFlatRecords(b, 12, b.indexOf("a}") + 2, true)).toBeNull();
    expect(parseFlatRecords(b, 12, b.length - 2, true)).toEqual(JSON.parse(b.toString()).records);
  });

  it("follows records whose key order changes now and then (sparse records, reordered ones), within a bound", () => {
    const base = churnRecords().slice(0, 400);
    const sparse = base.map((r, i) => {
      if (i % 50 === 7) {
        const { tenure: _t, ...rest } = r;
        return rest;
      }
      return i === 200 ? Object.fromEntries(Object.entries(r).reverse()) : r;
    });
    expect(check(JSON.stringify({ records: sparse }))).toBe(true);
    // The orders alternating record by record: past one change per 16 records, JSON.parse's path decides (same value).
    const alternating = base.map((r, i) => (i % 2 ? Object.fromEntries(Object.entries(r).reverse()) : r));
    expect(check(JSON.stringify({ records: alternating }))).toBe(false);
    // Many distinct orders (each a compiled maker): past eight new ones in a body, the same.
    const next = rng(9);
    const random = base.map((r, i) => (i % 20 === 0 ? Object.fromEntries(Object.entries(r).filter(() => next() < 0.7)) : r));
    expect(check(JSON.stringify({ records: random }))).toBe(false);
    expect(check(JSON.stringify({ records: random.slice(0, 60) }))).toBe(true);
    // A change to a record that is not flat still declines.
    expect(check(JSON.stringify({ records: [...base.slice(0, 5), { a: [1] }, ...base.slice(0, 5)] }))).toBe(false);
  });

  it("never answers differently from JSON.parse on fuzzed bodies (mutated bytes, cut, whitespace)", () => {
    const next = rng(42);
    const base = churnRecords().slice(0, 40);
    let parsed = 0;
    for (let k = 0; k < 1500; k++) {
      const text = mutated(JSON.stringify({ records: base.slice(0, 1 + Math.floor(next() * 10)) }, null, next() < 0.3 ? 1 : undefined), next);
      if (check(text)) parsed++;
    }
    expect(parsed).toBeGreaterThan(500);
  });
});

describe("parseJsonBytes with flat records", () => {
  const signature: Signature = {
    inputs: [
      { name: "tenure", type: "integer", nullable: false },
      { name: "monthly_charges", type: "number", nullable: true },
      { name: "contract", type: "string", nullable: false, categories: ["Month-to-month", "One year", "Two year"], strict: true },
      { name: "paperless_billing", type: "boolean", nullable: false },
    ],
    output: { name: "churn", type: "label", classes: ["No", "Yes"], positive: "Yes" },
  } as unknown as Signature;
  const validator = compileValidator(signature);
  const good = Array.from({ length: 200 }, (_, i) => ({ tenure: i, monthly_charges: i % 7 === 0 ? null : 20 + i * 0.35, contract: ["Month-to-month", "One year", "Two year"][i % 3], paperless_billing: i % 2 === 0 }));

  /** The validator's answer or error message for a body, through parseJsonBytes and through plain JSON.parse. */
  function both(text: string): [unknown, unknown] {
    const run = (value: () => unknown) => {
      try {
        return validator.parseBody(value());
      } catch (e) {
        return { error: (e as Error).message, path: (e as { details?: { path?: string } }).details?.path };
      }
    };
    return [run(() => parseJsonBytes(Buffer.from(text)).value), run(() => JSON.parse(text))];
  }

  it("gives the same value, text and log pieces as the element path", () => {
    const text = JSON.stringify({ records: good });
    const body = parseJsonBytes(Buffer.from(text));
    expectSame(body.value, JSON.parse(text));
    expect(body.text).toBe(text);
    expect(body.parts?.join("")).toBe(text);
    const wide = JSON.stringify({ records: Array.from({ length: 400 }, (_, i) => ({ ...good[i % 200], note: `Zürich 東京 ${i}`.repeat(20) })) });
    expect(Buffer.from(wide).length).toBeGreaterThan(64 * 1024);
    const w = parseJsonBytes(Buffer.from(wide));
    // The pieces are decoded on first use: every way of reading them sees the same list.
    const list = w.parts!;
    expect(Array.isArray(list)).toBe(true);
    expect(list.length).toBeGreaterThan(1);
    expect(list.join("")).toBe(wide);
    expect([...list].join("")).toBe(wide);
    expect(JSON.stringify(list)).toBe(JSON.stringify([...list]));
    expect(Object.keys(list)).toHaveLength(list.length);
    let joined = "";
    for (const piece of list) joined += piece;
    expect(joined).toBe(wide);
    expect(list[0] + list.slice(1).join("")).toBe(wide);
    expect(w.text).toBe(wide);
    expectSame(w.value, JSON.parse(wide));
  });

  it("validates and names the bad field exactly as JSON.parse's value does", () => {
    const [ok, okRef] = both(JSON.stringify({ records: good }));
    expectSame(ok, okRef);
    const cases: Record<string, unknown>[][] = [
      good.map((r, i) => (i === 3 ? { ...r, tenure: "x" } : r)),
      good.map((r, i) => (i === 150 ? { ...r, tenure: 1.5 } : r)),
      good.map((r, i) => (i === 7 ? { ...r, contract: "Three year" } : r)),
      good.map((r, i) => (i === 9 ? { ...r, paperless_billing: null } : r)),
      good.map((r, i) => (i === 11 ? { monthly_charges: r.monthly_charges, contract: r.contract, paperless_billing: true } : r)),
      good.map((r, i) => (i === 12 ? { ...r, tenur: 1 } : r)),
      good.map((r) => ({ ...r, extra: 1 })),
    ];
    for (const records of cases) {
      const [got, want] = both(JSON.stringify({ records }));
      expect(got).toEqual(want);
      expect((got as { error?: string }).error).toMatch(/records\[\d+\]/);
    }
    const [bad, badRef] = both(JSON.stringify({ records: good }).replace('"tenure":5,', '"tenure":05,'));
    expect((bad as { error: string }).error).toMatch(/not valid JSON/);
    expect((badRef as { error: string }).error).toMatch(/JSON/);
  });
});
