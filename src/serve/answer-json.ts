// JSON text of model answers, equal to JSON.stringify's but about half its cost on the small plain objects models return.
// (Node 20's JSON.stringify takes a slow generic path for objects of numbers; this walks them with one string.)

import { writerFor } from "./answer-shape.js";

const quoted = new Map<string, string>();

/** A key's JSON spelling, kept for the few distinct keys answers use (label, probabilities, class names). */
function key(k: string): string {
  let q = quoted.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quoted.size < 1024) quoted.set(k, q);
  }
  return q;
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
      return JSON.stringify(v);
    case "boolean":
      return v ? "true" : "false";
    case "object":
      if (v === null) return "null";
      return isPlain(v) ? object(v as Record<string, unknown>) : JSON.stringify(v);
    default:
      // undefined, functions and symbols are left out; a bigint throws as it does in JSON.stringify.
      return JSON.stringify(v) as string | undefined;
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

/** JSON.stringify(list) for an array of answers (plain objects of numbers, strings, booleans and nested objects). */
export function answersJson(list: readonly unknown[]): string {
  // Batches: a writer generated for the first answer's shape (answer-shape.ts); an answer of another shape, and small
  // lists (where working out the shape costs more than it saves), take the generic walk.
  const shaped = list.length >= 16 ? writerFor(list[0], key) : null;
  let s = "[";
  for (let i = 0; i < list.length; i++) {
    if (i > 0) s += ",";
    s += (shaped !== null ? shaped(list[i]) : null) ?? value(list[i]) ?? "null";
  }
  return s + "]";
}

/** JSON.stringify(ids) for ids that need no escaping (prediction ids are hex digits and dashes). */
export function idsJson(ids: readonly string[]): string {
  return ids.length === 0 ? "[]" : `["${ids.join('","')}"]`;
}
