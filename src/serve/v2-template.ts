// Single-record KServe V2 bodies read straight from their bytes. A client sends the same tensors in the same order
// every time, so the body's text is the same but for the one value in each tensor's data: once a body has passed
// the full checks (JSON.parse, tensor checks), the literal text between its values is kept, and the next bodies are
// compared with it byte for byte and their values read in place. No JSON.parse, no UTF-8 decoding of the whole body,
// no tensor objects or arrays (a 1.3 KB body of 20 tensors made ~5.5 KB of them per request). Anything else (other
// spacing, names, order, an escape in a string, a second record) is not matched and takes the full path.
import type { FieldSpec } from "../records.js";

type Builder = (cols: unknown[][], i: number) => Record<string, unknown>;

/** Powers of ten exact in a double: digits / 10^k is then one correctly rounded division (Clinger's fast path). */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** The literal bytes around the values of one body layout, and what reads its values into records. */
export interface V2Template {
  fields: ReadonlyArray<FieldSpec>;
  /** segments[k] precedes value k; the last one closes the body. */
  segments: Buffer[];
  /** One reused one-value column per tensor, filled by readTemplate and read by build. */
  cols: unknown[][];
  build: Builder;
}

/** The JSON value at `pos` of a template slot, or FAIL; `end[0]` receives where it ends. */
const FAIL = Symbol("no match");
const end = [0];

function readNumber(b: Buffer, pos: number): number | typeof FAIL {
  let i = pos;
  const neg = b[i] === MINUS;
  if (neg) i++;
  const intStart = i;
  if (b[i] === ZERO) i++;
  else if (b[i] > ZERO && b[i] <= NINE) while (b[i] >= ZERO && b[i] <= NINE) i++;
  else return FAIL;
  let m = 0;
  for (let j = intStart; j < i; j++) m = m * 10 + (b[j] - ZERO);
  let digits = i - intStart;
  let frac = 0;
  if (b[i] === DOT) {
    i++;
    const fracStart = i;
    while (b[i] >= ZERO && b[i] <= NINE) m = m * 10 + (b[i++] - ZERO);
    frac = i - fracStart;
    if (frac === 0) return FAIL;
    digits += frac;
  }
  const c = b[i];
  end[0] = i;
  // An exponent, or more digits than a double holds exactly: JSON.parse's own conversion of the same text.
  if (c === 0x65 || c === 0x45 || digits > 15) {
    if (c === 0x65 || c === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === MINUS) i++;
      const expStart = i;
      while (b[i] >= ZERO && b[i] <= NINE) i++;
      if (i === expStart) return FAIL;
      end[0] = i;
    }
    return Number(b.toString("latin1", pos, i));
  }
  const v = frac === 0 ? m : m / POW10[frac];
  return neg ? -v : v;
}

/** A string without escapes, quotes or bytes outside printable ASCII (its JSON text is then its value), or FAIL. */
function readString(b: Buffer, pos: number): string | typeof FAIL {
  let i = pos + 1;
  for (;;) {
    const c = b[i];
    if (c === QUOTE) break;
    if (c === undefined || c < 0x20 || c > 0x7e || c === BACKSLASH) return FAIL;
    i++;
  }
  end[0] = i + 1;
  return b.toString("latin1", pos + 1, i);
}

function literal(b: Buffer, pos: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (b[pos + k] !== text.charCodeAt(k)) return false;
  end[0] = pos + text.length;
  return true;
}

/** One scalar JSON value at `pos` (what a single-record tensor's data holds), or FAIL. */
function readValue(b: Buffer, pos: number): unknown {
  const c = b[pos];
  if (c === QUOTE) return readString(b, pos);
  if (c === MINUS || (c >= ZERO && c <= NINE)) return readNumber(b, pos);
  if (c === 0x74) return literal(b, pos, "true") ? true : FAIL;
  if (c === 0x66) return literal(b, pos, "false") ? false : FAIL;
  if (c === 0x6e) return literal(b, pos, "null") ? null : FAIL;
  return FAIL;
}

/** The one record of a body laid out as the template, or null when the bytes differ anywhere but in the values. */
export function readTemplate(t: V2Template, b: Buffer): Record<string, unknown> | null {
  const segs = t.segments;
  const last = segs.length - 1;
  let pos = 0;
  for (let k = 0; k < last; k++) {
    const s = segs[k];
    if (pos + s.length > b.length || s.compare(b, pos, pos + s.length) !== 0) return null;
    const v = readValue(b, pos + s.length);
    if (v === FAIL) return null;
    t.cols[k][0] = v;
    pos = end[0];
  }
  const s = segs[last];
  if (pos + s.length !== b.length || s.compare(b, pos, b.length) !== 0) return null;
  return t.build(t.cols, 0);
}

/**
 * The template of a single-record body that passed the full path (`value` its JSON.parse, `bytes` as received), or
 * null unless the body is `{"inputs":[tensor,…]}` in JSON.stringify's spelling, each tensor's data one scalar: the
 * literal text is rebuilt from the parsed value (the tensors' keys in the order received) and kept only if it gives
 * back the very bytes received.
 */
export function learnTemplate(value: unknown, bytes: Uint8Array, fields: ReadonlyArray<FieldSpec>, build: Builder): V2Template | null {
  if (value === null || typeof value !== "object") return null;
  const keys = Object.keys(value);
  const inputs = (value as { inputs?: unknown }).inputs;
  if (keys.length !== 1 || !Array.isArray(inputs) || inputs.length === 0) return null;
  const segments: string[] = [];
  const values: unknown[] = [];
  let text = '{"inputs":[';
  for (let k = 0; k < inputs.length; k++) {
    const t = inputs[k] as Record<string, unknown>;
    text += k === 0 ? "{" : ",{";
    let first = true;
    for (const key of Object.keys(t)) {
      text += `${first ? "" : ","}${JSON.stringify(key)}:`;
      first = false;
      if (key !== "data") {
        text += JSON.stringify(t[key]);
        continue;
      }
      const data = t.data;
      if (!Array.isArray(data) || data.length !== 1) return null;
      const v: unknown = data[0];
      if (v !== null && typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return null;
      segments.push(`${text}[`);
      values.push(v);
      text = "]";
    }
    text += "}";
  }
  segments.push(`${text}]}`);
  if (values.length !== inputs.length) return null;
  let whole = "";
  for (let k = 0; k < values.length; k++) whole += segments[k] + JSON.stringify(values[k]);
  whole += segments[values.length];
  const received = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!received.equals(Buffer.from(whole))) return null;
  const t: V2Template = { fields, segments: segments.map((x) => Buffer.from(x)), cols: values.map(() => [undefined]), build };
  // The learning body must read back as itself (its strings and numbers in the spellings the reader takes).
  if (readTemplate(t, received) === null) return null;
  for (let k = 0; k < values.length; k++) if (!Object.is(t.cols[k][0], values[k])) return null;
  return t;
}
