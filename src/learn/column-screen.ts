// Columns not worth learning from, found before training as H2O (ignore_const_cols) and AutoGluon (its unique and
// identifier feature filters) find them: a constant column, and an identifier — text (20+ rows), integers named like an
// id (20+ rows), or dense integers (1,000+ rows), distinct in (nearly) every row. Label-free: it reads the feature values
// of the train rows only, never the target.

import { isDatetimeColumn } from "../features/datetime.js";
import type { Column, Frame } from "../records.js";

export interface DroppedColumn {
  column: string;
  reason: "constant" | "identifier";
  /** Why, in the user's words: 'every row is "north"', '442 distinct of 442 rows'. */
  detail: string;
}

/** A column whose present values are this share distinct (or more) may be an identifier. */
export const IDENTIFIER_DISTINCT_SHARE = 0.95;
/** Fewer rows than this say too little for an identifier (20 people may well weigh 20 different weights). */
const IDENTIFIER_MIN_ROWS = 20;
/**
 * Integers need many more: 25 rows of x = 1..25 are a measurement as often as a counter, and a dense, unique integer
 * over 1,000+ rows is almost always a counter (amounts and durations spread wider or repeat). Text ids need 20.
 */
const INTEGER_IDENTIFIER_MIN_ROWS = 1000;
/** Integer ids are dense (counters): their range is at most this many times the distinct count. 1–5 gaps a row. */
const DENSE_RANGE = 5;

/**
 * Words a column name ends in (or is) when it names an identifier: "id", "customer_id", "customerId", "order-key",
 * "uuid". An integer column so named and distinct in (nearly) every row is an identifier from 20 rows, dense or not
 * (a shuffled customer number leaks as surely as a counter). Words inside names ("valid", "acid", "paid") do not count:
 * the word must be the whole name, follow a separator (_ - . space) or start a capitalised word (customerId, CustomerID).
 */
export const IDENTIFIER_NAME_WORDS = ["id", "key", "uuid", "guid", "uid", "pk"] as const;
const WORDS = IDENTIFIER_NAME_WORDS.join("|");
/** The whole name, or a word after a separator, in any case: "ID", "customer_id", "Order-Key". */
const NAMED_ID = new RegExp(`(?:^|[_\\-. ])(?:${WORDS})$`, "i");
/** A capitalised last word of a camelCase name: "customerId", "CustomerID" (not "valid", "rapid"). */
const CAMEL_ID = new RegExp(`[a-z0-9](?:${IDENTIFIER_NAME_WORDS.map((w) => `${w[0].toUpperCase()}${w.slice(1)}|${w.toUpperCase()}`).join("|")})$`);

/** Whether a column's name says it is an identifier (see IDENTIFIER_NAME_WORDS). */
export function namedLikeIdentifier(name: string): boolean {
  return NAMED_ID.test(name) || CAMEL_ID.test(name);
}

/**
 * The features worth training on, and the ones left out with why. `keep` exempts columns from the screen; dates stay
 * (they become year, month, … parts); a float measurement is never an identifier.
 */
export function screenColumns(frame: Frame, features: readonly string[], rows: Uint32Array, keep: ReadonlySet<string> = new Set()): { features: string[]; dropped: DroppedColumn[] } {
  const dropped: DroppedColumn[] = [];
  const kept: string[] = [];
  for (const name of features) {
    const col = frame.columns.find((c) => c.name === name);
    const why = col && !keep.has(name) ? judge(col, rows) : null;
    if (why) dropped.push({ column: name, ...why });
    else kept.push(name);
  }
  return { features: kept, dropped };
}

function judge(col: Column, rows: Uint32Array): Omit<DroppedColumn, "column"> | null {
  const distinct = new Set<string | number>();
  let present = 0;
  let integral = true;
  let min = Infinity;
  let max = -Infinity;
  for (let j = 0; j < rows.length; j++) {
    const v = col.values[rows[j]];
    if (v === null || (typeof v === "number" && Number.isNaN(v))) continue;
    present++;
    distinct.add(v);
    if (typeof v === "number") {
      if (!Number.isInteger(v)) integral = false;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  // Missing next to one value still says something (missingness is a signal): constant means one value in every row.
  if (distinct.size === 0) return { reason: "constant", detail: "no row has a value" };
  if (distinct.size === 1 && present === rows.length) {
    const [only] = distinct;
    return { reason: "constant", detail: `every row is ${typeof only === "string" ? `"${only}"` : only}` };
  }
  if (present < IDENTIFIER_MIN_ROWS || distinct.size < IDENTIFIER_DISTINCT_SHARE * present) return null;
  const detail = `${distinct.size.toLocaleString("en-US")} distinct of ${present.toLocaleString("en-US")} rows`;
  if (col.kind === "categorical") {
    if (isDatetimeColumn(col.values, rows)) return null;
  } else if (!integral) return null;
  else if (namedLikeIdentifier(col.name)) return { reason: "identifier", detail: `${detail}, integers named like an id` };
  else if (present < INTEGER_IDENTIFIER_MIN_ROWS || max - min + 1 > DENSE_RANGE * distinct.size) return null;
  return { reason: "identifier", detail };
}
