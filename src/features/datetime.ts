// Datetime columns: recognise ISO-8601 text (what the lake writes for TIMESTAMP/DATE) and split it into parts.

/** yyyy-mm-dd, optionally with a time: the shapes DuckDB and JSON clients write. */
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export const DATETIME_PARTS = ["year", "month", "day", "weekday", "hour", "dayofyear"] as const;
export type DatetimePart = (typeof DATETIME_PARTS)[number];

/** True when every present value of the rows is an ISO date/time (and at least one is present). */
export function isDatetimeColumn(values: ReadonlyArray<string | null>, rows?: Uint32Array): boolean {
  const n = rows ? rows.length : values.length;
  let seen = 0;
  for (let j = 0; j < n; j++) {
    const v = values[rows ? rows[j] : j];
    if (v === null) continue;
    if (!ISO.test(v) || Number.isNaN(Date.parse(v))) return false;
    seen++;
  }
  return seen > 0;
}

/**
 * The parts a datetime column is split into: all of them, but the hour only when some value has a time of day other
 * than midnight; date-only values (2001-01-08) gave an hour of 0 in every row, a column that says nothing.
 */
export function datetimePartsOf(values: ReadonlyArray<string | null>, rows?: Uint32Array): DatetimePart[] {
  const [hour] = datetimeParts(values, rows, ["hour"]);
  const timed = hour.some((h) => h > 0);
  return DATETIME_PARTS.filter((p) => p !== "hour" || timed);
}

/** One numeric column per part (UTC); unparsable or missing values give NaN. */
export function datetimeParts(values: ReadonlyArray<string | null>, rows: Uint32Array | undefined, parts: readonly DatetimePart[]): Float64Array[] {
  const n = rows ? rows.length : values.length;
  const out = parts.map(() => new Float64Array(n));
  for (let j = 0; j < n; j++) writeDatetimeParts(values[rows ? rows[j] : j], parts, out, j);
  return out;
}

/** Writes the parts of one value at out[k][j] (NaN for each when missing or unparsable). */
export function writeDatetimeParts(v: string | null, parts: readonly DatetimePart[], out: Float64Array[], j: number): void {
  const t = v === null ? NaN : Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(t)) {
    for (let k = 0; k < parts.length; k++) out[k][j] = NaN;
    return;
  }
  const d = new Date(t);
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k];
    out[k][j] =
      p === "year" ? d.getUTCFullYear()
      : p === "month" ? d.getUTCMonth() + 1
      : p === "day" ? d.getUTCDate()
      : p === "weekday" ? d.getUTCDay()
      : p === "hour" ? d.getUTCHours()
      : Math.floor((t - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  }
}
