// Single-record bodies read straight from their bytes (KServe V2 tensors and /predict records). A client sends the
// same fields in the same order every time, so the body's text is the same but for the values: once a body has passed
// the full checks (JSON.parse, tensor checks), the literal text between its values is kept, and the next bodies are
// compared with it byte for byte and their values read in place. No JSON.parse, no UTF-8 decoding of the whole body,
// no intermediate objects (a 1.3 KB V2 body of 20 tensors made ~5.5 KB of them per request). Anything else (other
// spacing, names, order, an escape in a string, a second record) is not matched and takes the full path.
import type { FieldSpec } from "../records.js";
import { got, readNumber } from "./records-parser.js";

type Builder = (cols: unknown[][], i: number) => Record<string, unknown>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The literal bytes around the values of one body layout, and what reads its values into records. */
export interface BodyTemplate {
  fields: ReadonlyArray<FieldSpec>;
  /** segments[k] precedes value k; the last one closes the body. */
  segments: Buffer[];
  /** One reused one-value column per tensor, filled by readTemplate and read by build. */
  cols: unknown[][];
  build: Builder;
  /** Where each value was read in the last body (start and end byte, two per value), filled by readTemplate. */
  spans: Int32Array;
  /**
   * A V2 template's record as /predict's text: piece k precedes value k (`{"records":[{"name":` or `,"name":`), the last
   * closes it. The prediction log writes this splice of the body's own value bytes (~0.45 of a V2 body's bytes).
   */
  recordPieces: Buffer[] | null;
}

/** The JSON value at `pos` of a template slot, or FAIL; `end[0]` receives where it ends. */
const FAIL = Symbol("no match");
const end = [0];

/**
 * A string without escapes, quotes or bytes outside printable ASCII (its JSON text is then its value), or FAIL. The
 * slot's last string is compared first and given back when equal: categorical values repeat, and that costs neither
 * an allocation nor a call into the Buffer's decoder.
 */
function readString(b: Buffer, pos: number, last: string | undefined): string | typeof FAIL {
  const start = pos + 1;
  if (last !== undefined && b[start + last.length] === QUOTE) {
    let k = 0;
    while (k < last.length && b[start + k] === last.charCodeAt(k)) k++;
    if (k === last.length) {
      end[0] = start + k + 1;
      return last;
    }
  }
  let i = start;
  for (;;) {
    const c = b[i];
    if (c === QUOTE) break;
    if (c === undefined || c < 0x20 || c > 0x7e || c === BACKSLASH) return FAIL;
    i++;
  }
  end[0] = i + 1;
  return b.toString("latin1", start, i);
}

function literal(b: Buffer, pos: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (b[pos + k] !== text.charCodeAt(k)) return false;
  end[0] = pos + text.length;
  return true;
}

/** One scalar JSON value at `pos` (what a single-record tensor's data holds), or FAIL; `prev` the slot's last value. */
function readValue(b: Buffer, pos: number, prev: unknown): unknown {
  const c = b[pos];
  if (c === QUOTE) return readString(b, pos, typeof prev === "string" ? prev : undefined);
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    // The records parser's number reader (JSON's strict grammar; exact as JSON.parse, Clinger's fast path when it can).
    const e = readNumber(b, pos);
    if (e < 0) return FAIL;
    end[0] = e;
    return got();
  }
  if (c === 0x74) return literal(b, pos, "true") ? true : FAIL;
  if (c === 0x66) return literal(b, pos, "false") ? false : FAIL;
  if (c === 0x6e) return literal(b, pos, "null") ? null : FAIL;
  return FAIL;
}

/** The one record of a body laid out as the template, or null when the bytes differ anywhere but in the values. */
export function readTemplate(t: BodyTemplate, b: Buffer): Record<string, unknown> | null {
  const segs = t.segments;
  const last = segs.length - 1;
  let pos = 0;
  const cols = t.cols;
  for (let k = 0; k < last; k++) {
    const s = segs[k];
    if (!same(s, b, pos)) return null;
    const col = cols[k];
    const v = readValue(b, pos + s.length, col[0]);
    if (v === FAIL) return null;
    col[0] = v;
    t.spans[2 * k] = pos + s.length;
    pos = t.spans[2 * k + 1] = end[0];
  }
  const s = segs[last];
  if (pos + s.length !== b.length || !same(s, b, pos)) return null;
  return t.build(cols, 0);
}

/** Whether `b` holds the segment's bytes at `pos` (a loop: Buffer.compare's argument checks cost more on these sizes). */
function same(s: Uint8Array, b: Uint8Array, pos: number): boolean {
  if (pos + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (s[i] !== b[pos + i]) return false;
  return true;
}

/**
 * The template of a single-record body that passed the full path (`value` its JSON.parse, `bytes` as received), or
 * null unless the body is `{"inputs":[tensor,…]}` in JSON.stringify's spelling, each tensor's data one scalar: the
 * literal text is rebuilt from the parsed value (the tensors' keys in the order received) and kept only if it gives
 * back the very bytes received.
 */
export function learnTemplate(value: unknown, bytes: Uint8Array, fields: ReadonlyArray<FieldSpec>, build: Builder): BodyTemplate | null {
  if (value === null || typeof value !== "object") return null;
  const keys = Object.keys(value);
  const inputs = (value as { inputs?: unknown }).inputs;
  if (keys.length !== 1 || !Array.isArray(inputs) || inputs.length === 0) return null;
  const segments: string[] = [];
  const values: unknown[] = [];
  const names: unknown[] = [];
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
      if (!scalar(v)) return null;
      segments.push(`${text}[`);
      values.push(v);
      names.push(t.name);
      text = "]";
    }
    text += "}";
  }
  segments.push(`${text}]}`);
  if (values.length !== inputs.length) return null;
  return checked(fields, segments, values, bytes, build, recordPiecesOf(names));
}

/**
 * The pieces of `{"records":[{"n0":v0,"n1":v1,…}]}` around the values, or null (the log then keeps the body as
 * received) unless every tensor name is a distinct string other than `__proto__`, so that the text parses back to the
 * record the tensors make (JSON.parse keeps the last of repeated keys and makes `__proto__` an own key).
 */
function recordPiecesOf(names: unknown[]): Buffer[] | null {
  if (new Set(names).size !== names.length) return null;
  const pieces: Buffer[] = [];
  for (let k = 0; k < names.length; k++) {
    const n = names[k];
    if (typeof n !== "string" || n === "__proto__") return null;
    pieces.push(Buffer.from(`${k === 0 ? '{"records":[{' : ","}${JSON.stringify(n)}:`));
  }
  pieces.push(Buffer.from("}]}"));
  return pieces;
}

/**
 * The record read last from `b` (readTemplate just matched it) as /predict's `{"records":[{…}]}` text: the names and
 * the value bytes as they came (any spelling the reader accepted parses back to the same value, -0 included); null
 * when the template has no record pieces.
 */
export function recordBytes(t: BodyTemplate, b: Buffer): Buffer | null {
  const pieces = t.recordPieces;
  if (pieces === null) return null;
  const spans = t.spans;
  let size = 0;
  for (let k = 0; k < pieces.length; k++) size += pieces[k].length;
  for (let k = 0; k + 1 < pieces.length; k++) size += spans[2 * k + 1] - spans[2 * k];
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let k = 0; k + 1 < pieces.length; k++) {
    at += pieces[k].copy(out, at);
    at += b.copy(out, at, spans[2 * k], spans[2 * k + 1]);
  }
  pieces[pieces.length - 1].copy(out, at);
  return out;
}

/** A scalar JSON value (what the reader reads), not an object or array. */
const scalar = (v: unknown): boolean => v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/**
 * The template whose text is segments[0] v0 segments[1] … v(n-1) segments[n], kept only if that text (the values in
 * JSON.stringify's spelling) is the very bytes received and reads back as the same values.
 */
function checked(fields: ReadonlyArray<FieldSpec>, segments: string[], values: unknown[], bytes: Uint8Array, build: Builder, recordPieces: Buffer[] | null = null): BodyTemplate | null {
  let whole = "";
  for (let k = 0; k < values.length; k++) whole += segments[k] + JSON.stringify(values[k]);
  whole += segments[values.length];
  const received = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!received.equals(Buffer.from(whole))) return null;
  const t: BodyTemplate = { fields, segments: segments.map((x) => Buffer.from(x)), cols: values.map(() => [undefined]), build, spans: new Int32Array(2 * values.length), recordPieces };
  if (readTemplate(t, received) === null) return null;
  for (let k = 0; k < values.length; k++) if (!Object.is(t.cols[k][0], values[k])) return null;
  return t;
}

/**
 * The template of a single-record /predict body (`{"records":[{…}]}` in JSON.stringify's spelling, every value a
 * scalar) that passed the full path, or null. `build` makes a record with the body's keys in the body's order.
 */
export function learnRecordsTemplate(value: unknown, bytes: Uint8Array, fields: ReadonlyArray<FieldSpec>, build: (names: string[]) => Builder | null): BodyTemplate | null {
  if (value === null || typeof value !== "object" || Object.keys(value).length !== 1) return null;
  const records = (value as { records?: unknown }).records;
  if (!Array.isArray(records) || records.length !== 1) return null;
  const r: unknown = records[0];
  if (r === null || typeof r !== "object" || Array.isArray(r) || Object.getPrototypeOf(r) !== Object.prototype) return null;
  const names = Object.keys(r);
  if (names.length === 0) return null;
  const segments: string[] = [];
  const values: unknown[] = [];
  let text = '{"records":[{';
  for (const name of names) {
    const v = (r as Record<string, unknown>)[name];
    if (!scalar(v)) return null;
    segments.push(`${text}${JSON.stringify(name)}:`);
    values.push(v);
    text = ",";
  }
  segments.push("}]}");
  const b = build(names);
  return b ? checked(fields, segments, values, bytes, b) : null;
}
