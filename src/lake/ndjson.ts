// Splits an NDJSON (or JSON array) file into the records DuckDB can read (written to a clean copy) and the lines
// that are not one JSON object or hold text DuckDB refuses (lone surrogates, NUL in a key), each with a reason.
import fs from "node:fs";

export interface NdjsonSalvage {
  good: number;
  /** clean copy line i+1 came from source line originalLine[i] (null for an element of a JSON array file). */
  originalLine: (number | null)[];
  bad: { line: number | null; reason: string; raw: string }[];
}

/** Quarantined raw text is cut to this many characters. */
export const MAX_RAW_CHARS = 10_000;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

/** Replaces each lone UTF-16 surrogate with U+FFFD, so the text can be written as UTF-8 and read back. */
export const wellFormed = (s: string) => s.replace(LONE_SURROGATES, "\ufffd");

const hex = (s: string) => `\\u${s.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * Why DuckDB's JSON reader would refuse a value that JSON.parse accepted, or null. DuckDB rejects a whole file for
 * a lone surrogate escape anywhere and cuts a key at a NUL (so "x\u0000y" would silently become column "x").
 */
export function unreadableByDuckDb(value: unknown, at = ""): string | null {
  if (typeof value === "string") {
    const m = LONE_SURROGATE.exec(value);
    return m ? `lone UTF-16 surrogate ${hex(m[0])} in the value of ${at || "the record"}` : null;
  }
  if (value === null || typeof value !== "object") return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = unreadableByDuckDb(value[i], `${at}[${i}]`);
      if (r) return r;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const shown = JSON.stringify(wellFormed(k));
    if (k.includes("\u0000")) return `NUL character in the key ${shown}`;
    const m = LONE_SURROGATE.exec(k);
    if (m) return `lone UTF-16 surrogate ${hex(m[0])} in the key ${shown}`;
    const r = unreadableByDuckDb(v, at ? `${at}.${k}` : k);
    if (r) return r;
  }
  return null;
}

/** Why one parsed line cannot become a row, or null when it can. */
export function recordProblem(v: unknown): string | null {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return "not a JSON object";
  return unreadableByDuckDb(v);
}

export function salvageNdjson(source: string, out: string): NdjsonSalvage {
  // A byte order mark is not JSON whitespace (JSON.parse and DuckDB both refuse it): dropped here.
  const text = fs.readFileSync(source, "utf8").replace(/^\ufeff/, "");
  const keep: string[] = [];
  const originalLine: (number | null)[] = [];
  const bad: NdjsonSalvage["bad"] = [];
  const asArray = wholeArray(text);
  if (asArray) {
    asArray.forEach((v, i) => {
      const problem = recordProblem(v);
      const raw = JSON.stringify(v) ?? String(v);
      if (problem) bad.push({ line: null, reason: `element ${i + 1}: ${problem}`, raw: wellFormed(raw.slice(0, MAX_RAW_CHARS)) });
      else {
        keep.push(raw);
        originalLine.push(null);
      }
    });
  } else {
    text.split("\n").forEach((raw, i) => {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line.trim() === "") return;
      let problem: string | null;
      try {
        problem = recordProblem(JSON.parse(line));
      } catch (e) {
        problem = `invalid JSON: ${(e as Error).message}`;
      }
      if (problem) bad.push({ line: i + 1, reason: problem, raw: wellFormed(line.slice(0, MAX_RAW_CHARS)) });
      else {
        keep.push(line);
        originalLine.push(i + 1);
      }
    });
  }
  fs.writeFileSync(out, keep.length ? keep.join("\n") + "\n" : "");
  return { good: keep.length, originalLine, bad };
}

/** The elements of a file that is one JSON array (DuckDB's read_json takes those too), or null. */
function wholeArray(text: string): unknown[] | null {
  if (!text.trimStart().startsWith("[")) return null;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}
