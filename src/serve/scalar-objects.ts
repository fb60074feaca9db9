// Large bodies whose elements are objects of scalars and flat arrays of scalars, read straight from the bytes: the KServe
// V2 batch, {"inputs":[{"name":"tenure","shape":[1000],"datatype":"INT64","data":[1,34,2,…]},…]}. Numbers and strings
// are read as the records parser reads them (exact numbers, strings of an array remembered by their bytes and
// internalized); no string per element and no JSON.parse. Anything else (nested objects or arrays, escapes, bad
// syntax) returns null and the caller's element-wise JSON.parse decides, so the value is always exactly JSON.parse's.

import { got, readValue, skipSpace, stringEnd } from "./records-parser.js";

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Strings remembered for scalar values (names, datatypes): shared by every body, as the records parser's are. */
const scalarSeen: string[] = [];
const scalarSeenBytes: Buffer[] = [];

/** The array the last readArray call read. */
let array: unknown[] = [];
/** The length of the last array read under each key (up to MAX_PRESIZE; MAX_KEYS keys). */
const lengths = new Map<string, number>();
const MAX_PRESIZE = 100_000;
const MAX_KEYS = 64;

const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * The flat array at i (its `[`) into `array`: the index after its `]`, or -1 (a nested value, an escape, bad syntax).
 * Numbers of up to 15 significant digits without sign or exponent are read in the loop (integer / 10^k, as the records
 * parser's readNumber does), strings the array has met before are found by their bytes; anything else is readValue's.
 */
/** A string's bytes as little-endian 32-bit words (the last 0 to 3 bytes left out). */
function wordsOf(k: Buffer): Uint32Array {
  const w = new Uint32Array(k.length >> 2);
  for (let q = 0; q < w.length; q++) w[q] = k.readUInt32LE(4 * q);
  return w;
}

function readArray(b: Buffer, dv: DataView, i: number, end: number, encoding: "latin1" | "utf8", key: string): number {
  // Sized as the last array under the same key (a V2 body's tensors have one length): no copies as it grows.
  const out: unknown[] = new Array<unknown>(lengths.get(key) ?? 0);
  let count = 0;
  // Strings of one array (a BYTES tensor's categories) are remembered for that array only.
  const seen: string[] = [];
  const seenBytes: Buffer[] = [];
  const words: Uint32Array[] = [];
  i = skipSpace(b, i + 1, end);
  if (b[i] !== CLOSE_ARRAY) {
    for (;;) {
      const s = i;
      let c = b[i];
      let v: unknown;
      let done = false;
      if (c >= ZERO && c <= NINE && (c !== ZERO || !(b[i + 1] >= ZERO && b[i + 1] <= NINE))) {
        let x = c - ZERO;
        let d = c === ZERO ? 0 : 1;
        let f = 0;
        c = b[++i];
        while (c >= ZERO && c <= NINE) {
          x = x * 10 + (c - ZERO);
          d++;
          c = b[++i];
        }
        if (c === DOT) {
          c = b[++i];
          if (!(c >= ZERO && c <= NINE)) d = 99;
          while (c >= ZERO && c <= NINE) {
            x = x * 10 + (c - ZERO);
            if (x !== 0) d++;
            f++;
            c = b[++i];
          }
        }
        if (c !== 0x65 && c !== 0x45 && d <= 15 && f <= 15) {
          v = f > 0 ? x / POW10[f] : x;
          done = true;
        }
      } else if (c === QUOTE) {
        // Remembered strings: the closing quote's place first, then the bytes four at a time (their words).
        if (words.length < seenBytes.length) for (let j = words.length; j < seenBytes.length; j++) words.push(wordsOf(seenBytes[j]));
        for (let j = 0; j < words.length; j++) {
          const w = words[j];
          const n = seenBytes[j].length;
          const e = i + 1 + n;
          if (e >= end || b[e] !== QUOTE) continue;
          let q = 0;
          const full = n >> 2;
          while (q < full && dv.getUint32(i + 1 + 4 * q, true) === w[q]) q++;
          if (q < full) continue;
          q *= 4;
          const k = seenBytes[j];
          while (q < n && b[i + 1 + q] === k[q]) q++;
          if (q === n) {
            v = seen[j];
            i = e + 1;
            done = true;
            break;
          }
        }
      }
      if (!done) {
        i = readValue(b, s, end, encoding, seen, seenBytes);
        if (i < 0) return -1;
        v = got();
      }
      if (count < out.length) out[count++] = v;
      else {
        out.push(v);
        count++;
      }
      c = b[i];
      if (c !== COMMA && c !== CLOSE_ARRAY) {
        i = skipSpace(b, i, end);
        c = b[i];
      }
      if (c === CLOSE_ARRAY) break;
      if (c !== COMMA) return -1;
      i = skipSpace(b, i + 1, end);
    }
  }
  if (count < out.length) out.length = count;
  if (lengths.size < MAX_KEYS || lengths.has(key)) lengths.set(key, Math.min(count, MAX_PRESIZE));
  array = out;
  return i + 1;
}

/**
 * The objects of `b[start, end)`: `{…}` separated by commas (JSON whitespace around), `b[start]` the first `{` and `end`
 * just after the last `}`; each value a scalar or a flat array of scalars. `ascii`: every byte of the body is ASCII;
 * otherwise it is valid UTF-8. Properties are set in the body's order as JSON.parse sets them (a repeated key keeps its
 * first place and its last value); a "__proto__" key, which a store would treat as the prototype, declines.
 */
export function parseScalarObjects(b: Buffer, start: number, end: number, ascii: boolean): Record<string, unknown>[] | null {
  const encoding = ascii ? "latin1" : "utf8";
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Record<string, unknown>[] = [];
  let i = start;
  for (;;) {
    if (b[i] !== OPEN) return null;
    i = skipSpace(b, i + 1, end);
    const o: Record<string, unknown> = {};
    if (b[i] !== CLOSE) {
      for (;;) {
        if (b[i] !== QUOTE) return null;
        const e = stringEnd(b, i + 1, end);
        if (e < 0) return null;
        const key = b.toString(encoding, i + 1, e);
        if (key === "__proto__") return null;
        i = skipSpace(b, e + 1, end);
        if (b[i] !== COLON) return null;
        i = skipSpace(b, i + 1, end);
        if (b[i] === OPEN_ARRAY) {
          i = readArray(b, dv, i, end, encoding, key);
          if (i < 0) return null;
          o[key] = array;
        } else {
          i = readValue(b, i, end, encoding, scalarSeen, scalarSeenBytes);
          if (i < 0) return null;
          o[key] = got();
        }
        i = skipSpace(b, i, end);
        if (b[i] === CLOSE) break;
        if (b[i] !== COMMA) return null;
        i = skipSpace(b, i + 1, end);
      }
    }
    out.push(o);
    i = skipSpace(b, i + 1, end);
    if (i === end) return out;
    if (b[i] !== COMMA) return null;
    i = skipSpace(b, i + 1, end);
  }
}
