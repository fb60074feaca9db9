// Plain JSON records (what the server receives) -> a Frame with the column kinds a model was trained on.

import { ValidationError } from "../errors.js";
import type { Column, Frame } from "../records.js";

export interface InputColumn {
  name: string;
  kind: "numeric" | "categorical";
}

/**
 * Builds a Frame from records. Missing keys and null become missing values (imputed or routed by the model);
 * numbers given as numeric strings and booleans (1/0) are accepted for numeric fields; numbers and booleans
 * become their string form for text fields. Anything else is a ValidationError naming records[i].field.
 */
export function recordsToFrame(records: ReadonlyArray<Record<string, unknown>>, inputs: InputColumn[]): Frame {
  const n = records.length;
  const columns = inputs.map((spec): Column => {
    if (spec.kind === "numeric") {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = toNumber(records[i]?.[spec.name], i, spec.name);
      return { name: spec.name, kind: "numeric", values };
    }
    const values = new Array<string | null>(n);
    for (let i = 0; i < n; i++) values[i] = toText(records[i]?.[spec.name], i, spec.name);
    return { name: spec.name, kind: "categorical", values };
  });
  return { rowCount: n, columns };
}

function bad(i: number, field: string, v: unknown, want: string): ValidationError {
  const shown = typeof v === "string" ? JSON.stringify(v) : typeof v === "object" ? "an object" : String(v);
  return new ValidationError(`records[${i}].${field} must be ${want}, got ${shown}`, {
    path: `records[${i}].${field}`,
    hint: `send ${want} or null`,
  });
}

/** A record's value for a numeric input (NaN = missing); a ValidationError naming records[i].field otherwise. */
export function toNumber(v: unknown, i: number, field: string): number {
  if (v === null || v === undefined) return NaN;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw bad(i, field, v, "a finite number");
    return v;
  }
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") {
    if (v.trim() === "") return NaN;
    const x = Number(v);
    if (Number.isFinite(x)) return x;
  }
  throw bad(i, field, v, "a number");
}

/** A record's value for a text input (null = missing); a ValidationError naming records[i].field otherwise. */
export function toText(v: unknown, i: number, field: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw bad(i, field, v, "a string");
}
