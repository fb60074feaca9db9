// The CLI's option values, checked once while commander parses: each parser returns the typed value or throws
// commander's InvalidArgumentError, which names the option and the bad value; main.ts turns it into exit code 2
// (usage) and, under --json, a JSON error on stdout. Commands use these instead of Number(opts.x) checks of their own.
import { InvalidArgumentError } from "commander";

/** A parser commander calls with the option's text (the previous value is ignored: these options are not repeatable). */
export type OptionParser<T> = (value: string) => T;

const INTEGER = /^\s*[+-]?\d+\s*$/;

function integer(value: string, min: number, expected: string): number {
  const n = INTEGER.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected ${expected}`);
  return n;
}

/** 1, 2, 3, … */
export const positiveInt: OptionParser<number> = (v) => integer(v, 1, "a whole number ≥ 1");

/** 0, 1, 2, … */
export const nonNegativeInt: OptionParser<number> = (v) => integer(v, 0, "a whole number ≥ 0");

/** 0 (off) or a whole number ≥ min: train --cv takes 0 or at least 2 folds. */
export function offOrAtLeast(min: number): OptionParser<number> {
  return (v) => {
    const n = integer(v, 0, `0 (off) or a whole number ≥ ${min}`);
    if (n !== 0 && n < min) throw new InvalidArgumentError(`expected 0 (off) or a whole number ≥ ${min}`);
    return n;
  };
}

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600, d: 86_400 };
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/;

/** "30s", "5m", "1.5h", "2d" or bare seconds ("90") → seconds, > 0. */
export const durationSeconds: OptionParser<number> = (v) => {
  const m = DURATION.exec(v);
  const unit = m ? (m[2] === "" ? 1 : DURATION_UNITS[m[2]]) : undefined;
  const s = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!(s > 0) || !Number.isFinite(s)) throw new InvalidArgumentError(`expected a duration > 0: a number of seconds or a number and a unit (${Object.keys(DURATION_UNITS).join(", ")}), e.g. 30s or 5m`);
  return s;
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** The Y-M-D part names a day of the calendar: Date.parse rolls 2026-02-30 over to March 2. */
function realDay(t: string): boolean {
  const [y, m, d] = t.slice(0, 10).split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** An ISO 8601 date or date-time ("2026-12-01", "2026-12-01T08:00:00Z"); returned as the text given, trimmed. */
export const isoDate: OptionParser<string> = (v) => {
  const t = v.trim();
  if (!ISO_DATE.test(t) || Number.isNaN(Date.parse(t.replace(" ", "T"))) || !realDay(t)) {
    throw new InvalidArgumentError("expected an ISO date or date-time, e.g. 2026-12-01 or 2026-12-01T08:00:00Z");
  }
  return t;
};

/** A TCP port, 1–65535; 0 asks the system for a free one (the tests' serve --port 0). */
export const port: OptionParser<number> = (v) => {
  const n = integer(v, 0, "a port number 1-65535, e.g. 8080");
  if (n > 65_535) throw new InvalidArgumentError("expected a port number 1-65535, e.g. 8080");
  return n;
};

/** An http:// or https:// URL with a host; returned without a trailing slash. */
export const httpUrl: OptionParser<string> = (v) => {
  let u: URL | null = null;
  try {
    u = new URL(v.trim());
  } catch {
    u = null;
  }
  if (!u || (u.protocol !== "http:" && u.protocol !== "https:") || u.hostname === "") {
    throw new InvalidArgumentError("expected an http:// or https:// URL, e.g. http://127.0.0.1:8080");
  }
  return v.trim().replace(/\/+$/, "");
};

/** One of a fixed list of words (for a list known only when the command runs; a fixed one can use Option.choices). */
export function oneOf<T extends string>(values: readonly T[]): OptionParser<T> {
  return (v) => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of: ${values.join(", ")}`);
    return v as T;
  };
}

/** A file path whose extension is one of `extensions` (".csv", ".parquet"); the path is returned as given. */
export function fileOfType(extensions: readonly string[]): OptionParser<string> {
  return (v) => {
    const lower = v.toLowerCase();
    if (!extensions.some((e) => lower.endsWith(e) && lower.length > e.length)) throw new InvalidArgumentError(`expected a file ending in ${extensions.join(" or ")}`);
    return v;
  };
}
