// JSON text of model answers, equal to JSON.stringify's but about half its cost on the small plain objects models return.
// (Node 20's JSON.stringify takes a slow generic path for objects of numbers; this walks them with one string.)

import { isWideWriter, NON_ASCII, writerFor, type ShapeWriter } from "./answer-shape.js";

const quoted = new Map<string, string>();
/** Spellings with a character outside ASCII, kept apart: looking one up marks the text being written as wide. */
const wideQuoted = new Map<string, string>();

/** Whether the text answersJson is writing holds a character outside ASCII (its UTF-8 length is then not its length). */
let wide = false;

/** A key's JSON spelling, kept for the few distinct keys answers use (label, probabilities, class names). */
function key(k: string): string {
  let q = quoted.get(k);
  if (q === undefined) {
    q = wideQuoted.get(k);
    if (q !== undefined) {
      wide = true;
      return q;
    }
    q = JSON.stringify(k);
    const w = NON_ASCII.test(q);
    if (w) wide = true;
    if (quoted.size + wideQuoted.size < 1024) (w ? wideQuoted : quoted).set(k, q);
  }
  return q;
}

/** JSON.stringify's text of a value, noting whether it is wide. */
function stringified(v: unknown): string | undefined {
  const t = JSON.stringify(v) as string | undefined;
  if (t !== undefined && !wide && NON_ASCII.test(t)) wide = true;
  return t;
}

function isPlain(o: object): boolean {
  const p = Object.getPrototypeOf(o);
  return (p === Object.prototype || p === null) && typeof (o as { toJSON?: unknown }).toJSON !== "function";
}

/** A value inside an object or array; undefined when JSON.stringify would leave the property out. */
function value(v: unknown): string | undefined {
  switch (typeof v) {
    case "number":
      return v - v === 0 ? String(v) : "null";
    case "string":
      return stringified(v);
    case "boolean":
      return v ? "true" : "false";
    case "object":
      if (v === null) return "null";
      return isPlain(v) ? object(v as Record<string, unknown>) : stringified(v);
    default:
      // undefined, functions and symbols are left out; a bigint throws as it does in JSON.stringify.
      return stringified(v);
  }
}

function object(o: Record<string, unknown>): string {
  let s = "{";
  let first = true;
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    const v = value(o[k]);
    if (v === undefined) continue;
    s += first ? key(k) + ":" + v : "," + key(k) + ":" + v;
    first = false;
  }
  return s + "}";
}

/** The generated writer of the last shape seen: small lists (single answers) try it first, without working out a shape. */
let lastWriter: ShapeWriter | null = null;
/** Small lists that found no writer; a new one is worked out on the first and then every 64th (answers of mixed
 *  shapes cost one shape walk per 64 requests, not one per request). */
let misses = 0;

/** JSON.stringify(list) for an array of answers (plain objects of numbers, strings, booleans and nested objects). */
export function answersJson(list: readonly unknown[]): string {
  wide = false;
  // Batches: a writer generated for the first answer's shape (answer-shape.ts); small lists take the last shape's
  // writer. Any answer the writer does not fit (it checks every answer) is written by the generic walk.
  const small = list.length < 16;
  let shaped: ShapeWriter | null;
  if (!small) {
    shaped = writerFor(list[0], key);
    if (shaped !== null) lastWriter = shaped;
  } else {
    shaped = lastWriter;
    if (shaped === null && list.length > 0 && (misses++ & 63) === 0) shaped = lastWriter = writerFor(list[0], key);
  }
  if (shaped !== null && isWideWriter(shaped)) wide = true;
  let s = "[";
  for (let i = 0; i < list.length; i++) {
    if (i > 0) s += ",";
    let t = shaped !== null ? shaped(list[i]) : null;
    if (t === null) {
      // A small list off the last shape: look for a writer again on a later request.
      if (small && shaped !== null) lastWriter = shaped = null;
      t = value(list[i]) ?? "null";
    }
    s += t;
  }
  return s + "]";
}

/** Whether the last answersJson text holds a character outside ASCII; false means its UTF-8 length is its length. */
export function lastAnswersWide(): boolean {
  return wide;
}

/** JSON.stringify(ids) for ids that need no escaping (prediction ids are hex digits and dashes). */
export function idsJson(ids: readonly string[]): string {
  return ids.length === 0 ? "[]" : `["${ids.join('","')}"]`;
}
