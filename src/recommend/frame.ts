// From a table (Frame) to interactions: ids as text (as written), ratings / weights / time as numbers; rows missing
// a user, an item or a rating are left out and counted, and each kept row remembers its row in the file.

import { ValidationError } from "../errors.js";
import type { Column, Frame } from "../records.js";
import type { InteractionTable } from "./train.js";

export interface InteractionColumns {
  user: string;
  item: string;
  /** null: implicit feedback. */
  rating: string | null;
  time?: string | null;
  weight?: string | null;
}

export interface FrameInteractions {
  table: InteractionTable;
  /** For each kept row, its 0-based data row in the source. */
  sourceRows: Uint32Array;
  dropped: number;
}

function column(frame: Frame, name: string, field: string): Column {
  const c = frame.columns.find((x) => x.name === name);
  if (!c) throw new ValidationError(`${field} column "${name}" is not in the data`, { path: field, hint: `columns: ${frame.columns.map((x) => x.name).join(", ")}` });
  return c;
}

const idText = (c: Column, r: number): string | null => {
  const v = c.values[r];
  return v === null || (typeof v === "number" && Number.isNaN(v)) ? null : String(v);
};

function numeric(frame: Frame, name: string, field: string): Float64Array {
  const c = column(frame, name, field);
  if (c.kind === "numeric") return c.values;
  // Timestamps and numbers written as text.
  return Float64Array.from(c.values, (v) => (v === null ? NaN : Number.isFinite(Number(v)) ? Number(v) : Date.parse(v)));
}

export function frameInteractions(frame: Frame, cols: InteractionColumns): FrameInteractions {
  const u = column(frame, cols.user, "user");
  const i = column(frame, cols.item, "item");
  const r = cols.rating ? numeric(frame, cols.rating, "rating") : null;
  const w = cols.weight ? numeric(frame, cols.weight, "weight") : null;
  const t = cols.time ? numeric(frame, cols.time, "time") : null;
  const keep: number[] = [];
  for (let row = 0; row < frame.rowCount; row++) {
    if (idText(u, row) === null || idText(i, row) === null) continue;
    if (r && !Number.isFinite(r[row])) continue;
    if (w && !(w[row] >= 0)) continue;
    if (t && !Number.isFinite(t[row])) continue;
    keep.push(row);
  }
  const pick = (a: Float64Array) => Float64Array.from(keep, (row) => a[row]);
  const table: InteractionTable = {
    users: keep.map((row) => idText(u, row)!),
    items: keep.map((row) => idText(i, row)!),
    ratings: r ? pick(r) : null,
    columns: { user: cols.user, item: cols.item, rating: cols.rating, time: cols.time ?? null, weight: cols.weight ?? null },
    ...(w ? { weights: pick(w) } : {}),
    ...(t ? { time: pick(t) } : {}),
  };
  return { table, sourceRows: Uint32Array.from(keep), dropped: frame.rowCount - keep.length };
}

/** Maps source data-row numbers (a --test-rows file) to positions among the kept rows. */
export function keptPositions(sourceRows: Uint32Array, wanted: Uint32Array, what = "--test-rows"): Uint32Array {
  const at = new Map<number, number>();
  sourceRows.forEach((row, p) => at.set(row, p));
  return Uint32Array.from(wanted, (row) => {
    const p = at.get(row);
    if (p === undefined) throw new ValidationError(`${what}: row ${row} is not a data row with a user, an item and a rating`, { path: what });
    return p;
  }).sort();
}
