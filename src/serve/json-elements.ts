// Large bodies of the usual shape, {"records":[{…},{…},…]} (V2: {"inputs":[{…},…]}), parsed element by element.
// One flat string of a 429 KB body (1,000 churn records) is a large-object allocation: decoding it cost 2.2 ms of CPU
// in-process, more than JSON.parse itself (1.7 ms); the elements are small strings in the young generation and the
// whole parse takes 1.5 ms (bench/RESULTS.md, serving round 4). Anything else returns null: the caller parses it whole.

import { parseFlatRecords } from "./records-parser.js";
import { parseScalarObjects } from "./scalar-objects.js";

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isKeyChar = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const END_ELEMENT = Buffer.from("},");

export interface Elements {
  /** `{ [key]: [element, …] }`, equal to JSON.parse of the whole body. */
  value: Record<string, unknown[]>;
  /** The body's text in pieces (head, element, separator, element, …, tail; or pieces of 32 KB): joined, the whole text. */
  parts: readonly string[];
}

function skipSpace(b: Buffer, i: number, end: number): number {
  while (i < end && isSpace(b[i])) i++;
  return i;
}

/**
 * Parses `{ "key" : [ {…} , {…} ] }` (any JSON whitespace between tokens, elements separated by `},` + optional
 * whitespace + `{`) one element at a time; null when the body has another shape or an element does not parse alone
 * (a `},{` inside a string, a syntax error): the whole-body parse then decides, with its own error message.
 * `ascii`: the bytes are all ASCII (decoded as latin1, a plain copy); otherwise they must be valid UTF-8 already.
 */
export function parseElements(b: Buffer, ascii: boolean): Elements | null {
  const n = b.length;
  const encoding = ascii ? "latin1" : "utf8";
  let i = skipSpace(b, 0, n);
  if (b[i] !== OPEN) return null;
  i = skipSpace(b, i + 1, n);
  if (b[i] !== 0x22) return null;
  const keyStart = ++i;
  while (i < n && isKeyChar(b[i])) i++;
  if (b[i] !== 0x22 || i === keyStart) return null;
  const key = b.toString("latin1", keyStart, i);
  if (key === "__proto__") return null;
  i = skipSpace(b, i + 1, n);
  if (b[i] !== 0x3a) return null;
  i = skipSpace(b, i + 1, n);
  if (b[i] !== 0x5b) return null;
  i = skipSpace(b, i + 1, n);
  if (b[i] !== OPEN) return null;
  // The tail: `]` `}` with whitespace around; `last` ends the last element (its closing brace).
  let last = n;
  while (last > i && isSpace(b[last - 1])) last--;
  if (b[last - 1] !== CLOSE) return null;
  last = skipBack(b, last - 1, i);
  if (b[last - 1] !== 0x5d) return null;
  last = skipBack(b, last - 1, i);
  if (b[last - 1] !== CLOSE) return null;
  // Flat records (the usual /predict batch) and objects of flat arrays (the V2 batch's tensors) are read from the bytes
  // without a string per element (records-parser.ts, scalar-objects.ts).
  const flat = parseFlatRecords(b, i, last, ascii) ?? parseScalarObjects(b, i, last, ascii);
  if (flat !== null) return { value: { [key]: flat }, parts: lazyPieces(b, ascii) };
  const list: unknown[] = [];
  const parts = [b.toString("latin1", 0, i)];
  let at = i;
  try {
    for (;;) {
      let k = b.indexOf(END_ELEMENT, at);
      let next = -1;
      while (k >= 0 && k < last) {
        next = skipSpace(b, k + 2, last);
        if (b[next] === OPEN) break;
        k = b.indexOf(END_ELEMENT, k + 2);
      }
      if (k < 0 || k >= last) {
        const text = b.toString(encoding, at, last);
        list.push(JSON.parse(text));
        parts.push(text, b.toString("latin1", last, n));
        break;
      }
      const text = b.toString(encoding, at, k + 1);
      list.push(JSON.parse(text));
      parts.push(text, next === k + 2 ? "," : b.toString("latin1", k + 1, next));
      at = next;
    }
  } catch {
    return null;
  }
  return { value: { [key]: list }, parts };
}

/** Pieces of at most this many bytes: each a regular young-generation string, not a large object. */
const PIECE_BYTES = 32 * 1024;

/** The body's text in pieces cut at character boundaries (never inside a UTF-8 sequence): joined, the whole text. */
export function pieces(b: Buffer, ascii: boolean): string[] {
  const out: string[] = [];
  for (let at = 0; at < b.length; ) {
    let cut = Math.min(b.length, at + PIECE_BYTES);
    if (!ascii) while (cut < b.length && (b[cut] & 0xc0) === 0x80) cut++;
    out.push(b.toString(ascii ? "latin1" : "utf8", at, cut));
    at = cut;
  }
  return out;
}

/**
 * The pieces, decoded on first use: a large body's log line copies its bytes and never reads them (decoding 429 KB was
 * 8% of a 1,000-record answer), but a caller that does read them (join, iteration, length, an index) gets them all.
 */
export function lazyPieces(b: Buffer, ascii: boolean): readonly string[] {
  let made: string[] | null = null;
  const list = (): string[] => (made ??= pieces(b, ascii));
  return new Proxy([] as string[], {
    get: (_t, k) => Reflect.get(list(), k),
    has: (_t, k) => Reflect.has(list(), k),
    ownKeys: () => Reflect.ownKeys(list()),
    getOwnPropertyDescriptor: (_t, k) => Reflect.getOwnPropertyDescriptor(list(), k),
  });
}

/** The index after the last non-space byte before `i` (not before `floor`). */
function skipBack(b: Buffer, i: number, floor: number): number {
  while (i > floor && isSpace(b[i - 1])) i--;
  return i;
}
