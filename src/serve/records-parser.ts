// Flat records ({"a":1,"b":"x",…}: scalar values, in practice the same keys in the same order in every record) parsed
// straight from the body's bytes: no string per element, numbers read from the digits, repeated strings (categories)
// found by their bytes instead of decoded again, each record made by one generated object literal per key order.
// Anything else (escapes, nested values, duplicate keys, odd number forms, bad syntax, key orders that keep changing)
// returns null and the JSON.parse path decides, so the value is always exactly JSON.parse's (records-parser.test.ts).

import { internalized } from "../features/internalized.js";
import { compileCompact, inlineStrings, type CompactReader } from "./records-compact.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Records of more keys than this are left to JSON.parse (a literal that large is no faster). */
const MAX_KEYS = 256;
/** Distinct strings remembered per key of a template (categories); others are decoded each time. */
const STRINGS_PER_KEY = 16;
/** Key orders remembered (one per model signature in practice). */
const MAX_TEMPLATES = 32;
/**
 * A body may change key order once per this many records (plus a few), and make at most MAX_NEW_TEMPLATES new record
 * makers (each is compiled code): past either, the body goes to JSON.parse.
 */
const RECORDS_PER_SWITCH = 16;
const MAX_NEW_TEMPLATES = 8;

const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);
/** Compilations of a template's compact reader (the first, then as remembered strings come in). */
const MAX_COMPILES = 4;

/** One key order: its keys' bytes, the strings seen under each key, and the generated record maker. */
interface Template {
  keys: Buffer[];
  names: string[];
  make: (v: unknown[]) => Record<string, unknown>;
  /** Generated reader of compact records in this key order (records-compact.ts), with the strings remembered so far. */
  compact: CompactReader;
  /** inlineStrings when `compact` was compiled, and how many times it was. */
  compiled: number;
  compiles: number;
  /** Per key: strings seen, and their bytes (latin1 for ASCII, else UTF-8). */
  strings: string[][];
  stringBytes: Buffer[][];
}

const templates = new Map<string, Template>();
/** Templates made so far (a body counts the ones it made). */
let templatesMade = 0;
/** Values of the record being read, handed to the template's maker (reused). */
let vals: unknown[] = [];
/** The value the last readValue call read. */
let value: unknown = null;
/** The value the last readValue call read (for readers in other modules: scalar-objects.ts, records-compact.ts). */
export const got = (): unknown => value;

// One comparison rejects every byte that is not whitespace (the common case between tokens of a compact body).
const isSpace = (c: number): boolean => c <= 0x20 && (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09);

export function skipSpace(b: Buffer, i: number, end: number): number {
  while (i < end && isSpace(b[i])) i++;
  return i;
}

/**
 * The JSON number at i (strict grammar: no leading zeros, digits after '.' and 'e'); the index after it, or -1.
 * Up to 15 significant digits and no exponent: integer / 10^k, one correctly rounded division, which is the value
 * JSON.parse gives (both operands exact); otherwise Number() of the text, which is JSON.parse's own conversion.
 * No bound checks: the records end with `}` (parseFlatRecords checks), where every number stops; past the buffer's end
 * a byte reads as undefined, which ends a number too (body-template.ts reads values before a closing segment). The
 * value is got().
 */
export function readNumber(b: Buffer, i: number): number {
  const s = i;
  let neg = false;
  if (b[i] === MINUS) {
    neg = true;
    i++;
  }
  let c = b[i];
  let mant = 0;
  let digits = 0;
  if (c === ZERO) {
    c = b[++i];
    if (c >= ZERO && c <= NINE) return -1;
  } else if (c > ZERO && c <= NINE) {
    do {
      mant = mant * 10 + (c - ZERO);
      digits++;
      c = b[++i];
    } while (c >= ZERO && c <= NINE);
  } else return -1;
  let frac = 0;
  if (c === DOT) {
    c = b[++i];
    if (!(c >= ZERO && c <= NINE)) return -1;
    do {
      mant = mant * 10 + (c - ZERO);
      if (mant !== 0) digits++;
      frac++;
      c = b[++i];
    } while (c >= ZERO && c <= NINE);
  }
  let exact = digits <= 15 && frac <= 15;
  if (c === 0x65 || c === 0x45) {
    exact = false;
    c = b[++i];
    if (c === 0x2b || c === MINUS) c = b[++i];
    if (!(c >= ZERO && c <= NINE)) return -1;
    do c = b[++i];
    while (c >= ZERO && c <= NINE);
  }
  if (exact) {
    const v = frac === 0 ? mant : mant / POW10[frac];
    value = neg ? -v : v;
  } else value = Number(b.toString("latin1", s, i));
  return i;
}

/** The end of the string whose opening quote is at i - 1 (the closing quote's index), or -1 on an escape or a control character. */
export function stringEnd(b: Buffer, i: number, end: number): number {
  while (i < end) {
    const c = b[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 0x20) return -1;
    i++;
  }
  return -1;
}

/** The string at s (just after its opening quote) into `value` when it is a remembered one: the index after its closing quote, or -1. */
function rememberedString(b: Buffer, s: number, end: number, seen: string[], seenBytes: Buffer[]): number {
  // A remembered string holds no quote, backslash or control character: its bytes then a quote are the whole string.
  for (let j = 0; j < seenBytes.length; j++) {
    const k = seenBytes[j];
    const e = s + k.length;
    if (e >= end || b[e] !== QUOTE) continue;
    let q = 0;
    while (q < k.length && b[s + q] === k[q]) q++;
    if (q === k.length) {
      value = seen[j];
      return e + 1;
    }
  }
  return -1;
}

/** The scalar value at i into `value`: the index after it, or -1 (objects, arrays, escapes, bad syntax). */
export function readValue(b: Buffer, i: number, end: number, encoding: "latin1" | "utf8", seen: string[], seenBytes: Buffer[]): number {
  const c = b[i];
  if (c === QUOTE) {
    const known = rememberedString(b, i + 1, end, seen, seenBytes);
    if (known >= 0) return known;
    const e = stringEnd(b, i + 1, end);
    if (e < 0) return -1;
    let str = b.toString(encoding, i + 1, e);
    if (seen.length < STRINGS_PER_KEY) {
      str = internalized(str);
      seen.push(str);
      seenBytes.push(Buffer.from(b.subarray(i + 1, e)));
    }
    value = str;
    return e + 1;
  }
  if (c === MINUS || (c >= ZERO && c <= NINE)) return readNumber(b, i);
  if (c === 0x6e && b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c && i + 4 <= end) {
    value = null;
    return i + 4;
  }
  if (c === 0x74 && b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 && i + 4 <= end) {
    value = true;
    return i + 4;
  }
  if (c === 0x66 && b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 && i + 5 <= end) {
    value = false;
    return i + 5;
  }
  return -1;
}

/** Reads the first record at i (its `{`) and finds or makes the template of its key order; null when not flat. */
function firstRecord(b: Buffer, i: number, end: number, encoding: "latin1" | "utf8"): { template: Template; at: number; values: unknown[] } | null {
  const keys: string[] = [];
  const values: unknown[] = [];
  const noStrings: string[] = [];
  const noBytes: Buffer[] = [];
  i = skipSpace(b, i + 1, end);
  if (b[i] === CLOSE) return { template: templateOf(keys, b, []), at: i + 1, values };
  const spans: number[] = [];
  for (;;) {
    if (b[i] !== QUOTE) return null;
    const e = stringEnd(b, i + 1, end);
    if (e < 0) return null;
    const key = b.toString(encoding, i + 1, e);
    // "__proto__" in a literal would set the prototype; duplicates keep JSON.parse's last-wins order rules: both are rare.
    if (key === "__proto__" || keys.includes(key) || keys.length === MAX_KEYS) return null;
    keys.push(key);
    spans.push(i + 1, e);
    i = skipSpace(b, e + 1, end);
    if (b[i] !== COLON) return null;
    i = skipSpace(b, i + 1, end);
    i = readValue(b, i, end, encoding, noStrings, noBytes);
    if (i < 0) return null;
    values.push(value);
    i = skipSpace(b, i, end);
    if (b[i] === CLOSE) break;
    if (b[i] !== COMMA) return null;
    i = skipSpace(b, i + 1, end);
  }
  return { template: templateOf(keys, b, spans), at: i + 1, values };
}

/** The template of a key order (found by the keys' text; valid UTF-8 without escapes spells a text one way only). */
function templateOf(keys: string[], b: Buffer, spans: number[]): Template {
  const name = keys.join("\u0000");
  let t = templates.get(name);
  if (t === undefined) {
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    // Keys enter the code only through JSON.stringify.
    const literal = keys.map((k, j) => `${JSON.stringify(k)}: v[${j}]`).join(", ");
    const make = new Function("v", `return { ${literal} };`) as Template["make"];
    const keyBytes = keys.map((k, j) => Buffer.from(b.subarray(spans[2 * j], spans[2 * j + 1])));
    const strings: string[][] = keys.map(() => []);
    const stringBytes: Buffer[][] = keys.map(() => []);
    t = { keys: keyBytes, names: keys, make, compact: compileCompact(keys, keyBytes, strings, stringBytes, readValue, got, POW10), compiled: 0, compiles: 1, strings, stringBytes };
    templates.set(name, t);
    templatesMade++;
  }
  return t;
}

/**
 * The records of `b[start, end)`: `{…}` objects separated by commas (JSON whitespace around), `b[start]` the first
 * `{` and `end` just after the last `}`. `ascii`: every byte of the body is ASCII; otherwise it is valid UTF-8.
 * A record in another key order than the one before it (a sparse record, a client that builds some records another
 * way) is read key by key and its order becomes the template, a few times per body at most. Null when a record is not
 * flat or the orders keep changing: the caller parses the body another way.
 */
export function parseFlatRecords(b: Buffer, start: number, end: number, ascii: boolean): Record<string, unknown>[] | null {
  const encoding = ascii ? "latin1" : "utf8";
  if (b[start] !== OPEN || b[end - 1] !== CLOSE) return null;
  const first = firstRecord(b, start, end, encoding);
  if (first === null) return null;
  let t = first.template;
  const out: Record<string, unknown>[] = [t.make(first.values)];
  const made = templatesMade;
  let switches = 0;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = first.at;
  for (;;) {
    // Strings remembered since the reader was compiled (the first body of a model's records): compiled in, a few times.
    if (t.compiles < MAX_COMPILES && inlineStrings(t.stringBytes) !== t.compiled) {
      t.compiled = inlineStrings(t.stringBytes);
      t.compact = compileCompact(t.names, t.keys, t.strings, t.stringBytes, readValue, got, POW10);
      t.compiles++;
    }
    const { keys, make, compact, strings, stringBytes } = t;
    const k = keys.length;
    if (vals.length < k) vals = new Array<unknown>(k).fill(null);
    const v = vals;
    // Records in the template's key order; the first one that is not leaves the loop at its `{`.
    let at: number;
    for (;;) {
      i = compact(b, dv, i, end, encoding, out);
      if (i < 0) return null;
      i = skipSpace(b, i, end);
      if (i === end) return out;
      if (b[i] !== COMMA) return null;
      i = skipSpace(b, i + 1, end);
      if (b[i] !== OPEN) return null;
      at = i;
      i = skipSpace(b, i + 1, end);
      let j = 0;
      for (; j < k; j++) {
        if (b[i] !== QUOTE) break;
        const key = keys[j];
        const e = i + 1 + key.length;
        if (e >= end || b[e] !== QUOTE) break;
        let q = 0;
        while (q < key.length && b[i + 1 + q] === key[q]) q++;
        if (q < key.length) break;
        // Compact bodies first: one comparison per separator, whitespace skipped only when it is there.
        i = e + 1;
        if (b[i] !== COLON) {
          i = skipSpace(b, i, end);
          if (b[i] !== COLON) break;
        }
        i++;
        if (isSpace(b[i])) i = skipSpace(b, i, end);
        i = readValue(b, i, end, encoding, strings[j], stringBytes[j]);
        if (i < 0) return null;
        v[j] = value;
        if (isSpace(b[i])) i = skipSpace(b, i, end);
        if (j < k - 1) {
          if (b[i] !== COMMA) break;
          i++;
          if (isSpace(b[i])) i = skipSpace(b, i, end);
        }
      }
      if (j < k || b[i] !== CLOSE) break;
      i++;
      out.push(make(v));
    }
    // Another key order (or not flat at all: firstRecord says null).
    if (++switches > 8 + out.length / RECORDS_PER_SWITCH) return null;
    const next = firstRecord(b, at, end, encoding);
    if (next === null || templatesMade - made > MAX_NEW_TEMPLATES) return null;
    t = next.template;
    out.push(t.make(next.values));
    i = next.at;
  }
}
