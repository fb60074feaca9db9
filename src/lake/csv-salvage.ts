// The slow path for a CSV whose unterminated quote swallowed the rows after it: splits the file into records
// byte by byte, sets aside each record that opens a quote it never closes, and writes the rest to a clean copy
// that DuckDB can read, with a map from the copy's line numbers back to the original file's.
import fs from "node:fs";

/** DuckDB's default max_line_size: a quoted value longer than this is treated as never closed. */
const MAX_RECORD_BYTES = 2_000_000;
const NL = 10;
const CR = 13;

export interface SalvagedLine {
  line: number;
  reason: string;
  raw: string;
}

export interface SalvageResult {
  /** Path of the clean copy. */
  file: string;
  /** originalLine[i] = line in the source file of line i+1 of the clean copy. */
  originalLine: Int32Array;
  bad: SalvagedLine[];
}

/** Line starts of a buffer: lineStart[k] is the byte offset of line k+1. */
function lineStarts(buf: Buffer): Int32Array {
  let n = 1;
  for (let i = buf.indexOf(NL); i !== -1 && i < buf.length - 1; i = buf.indexOf(NL, i + 1)) n++;
  const starts = new Int32Array(n);
  let k = 1;
  for (let i = buf.indexOf(NL); i !== -1 && i < buf.length - 1; i = buf.indexOf(NL, i + 1)) starts[k++] = i + 1;
  return starts;
}

/**
 * Scans one record starting at byte `at`; returns the offset just past its final newline, or -1 when a quote
 * is opened and not closed within the record size limit.
 */
function scanRecord(buf: Buffer, at: number, delim: number, quote: number, columns: number): number {
  let i = at;
  let fieldStart = true;
  let fields = 1;
  let spansLines = false;
  while (i < buf.length) {
    const b = buf[i];
    if (fieldStart && b === quote) {
      i++;
      for (;;) {
        if (i >= buf.length || i - at > MAX_RECORD_BYTES) return -1;
        if (buf[i] === quote) {
          if (buf[i + 1] === quote) {
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (buf[i] === NL) spansLines = true;
        i++;
      }
      // A quote that "closes" lines later but is not followed by a delimiter or line end, or a multi-line
      // record with the wrong number of fields, was really a quote that never closed.
      const next = buf[i];
      if (spansLines && i < buf.length && next !== delim && next !== NL && next !== CR) return -1;
      fieldStart = false;
      continue;
    }
    if (b === NL) return spansLines && fields !== columns ? -1 : i + 1;
    if (b === delim) fields++;
    fieldStart = b === delim;
    i++;
  }
  return spansLines && fields !== columns ? -1 : buf.length;
}

export function salvageCsv(source: string, out: string, delimiter: string, quote: string, columns: number): SalvageResult {
  const buf = fs.readFileSync(source);
  const starts = lineStarts(buf);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const d = delimiter.charCodeAt(0);
  const q = quote ? quote.charCodeAt(0) : -1;
  const fd = fs.openSync(out, "w");
  const map: number[] = [];
  const bad: SalvagedLine[] = [];
  try {
    let at = 0;
    while (at < buf.length) {
      const line = lineOf(at);
      const end = scanRecord(buf, at, d, q, columns);
      if (end === -1) {
        // Only the line that opens the quote is bad; scanning resumes on the next line.
        const next = line < starts.length ? starts[line] : buf.length;
        let stop = next;
        while (stop > at && (buf[stop - 1] === NL || buf[stop - 1] === CR)) stop--;
        bad.push({ line, reason: "UNQUOTED VALUE: a quote opened on this line is never closed", raw: buf.toString("utf8", at, Math.min(stop, at + 10_000)) });
        at = next;
        continue;
      }
      fs.writeSync(fd, buf, at, end - at);
      const lastLine = lineOf(Math.max(end - 1, at));
      for (let l = line; l <= lastLine; l++) map.push(l);
      at = end;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { file: out, originalLine: Int32Array.from(map), bad };
}
