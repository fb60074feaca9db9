// Sets aside lines longer than the readers' limit before DuckDB sees them: one 5 MB line of commas made the CSV
// sniffer and reader take minutes and gigabytes, and failed with a misleading "Out of Memory" reason.
import fs from "node:fs";

/** Longest line read per format: DuckDB's default max_line_size for CSV, its maximum_object_size for NDJSON. */
export const MAX_LINE_BYTES = { csv: 2_000_000, json: 16_777_216 } as const;

const NL = 10;
const CHUNK = 1 << 20;

export interface LongLines {
  /** A copy of the file without the long lines. */
  file: string;
  /** copy line i+1 came from source line originalLine[i]. */
  originalLine: Int32Array;
  /** The long lines, each with its (1-based) line number, size and first characters. */
  lines: { line: number; reason: string; raw: string }[];
}

/** A CSV line with more than this many fields beyond the header's is set aside before DuckDB reads it. */
export const MAX_EXTRA_FIELDS = 32;
/** Data lines whose lengths set the typical line length (all of them are counted). */
const TYPICAL_SAMPLE = 64;

/** For CSV: how to count a line's fields (quote-aware, within the line). */
export interface FieldBound {
  delimiter: number;
  quote: number;
}

export interface OversizedLine {
  line: number;
  start: number;
  bytes: number;
  reason: string;
}

/** Fields of one line, counting delimiters outside quotes (a line is taken to start outside a quote). */
function fieldsOf(bytes: Uint8Array, from: number, to: number, f: FieldBound): number {
  const delimiter = f.delimiter;
  const quote = f.quote;
  let n = 1;
  let quoted = false;
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b === quote) quoted = !quoted;
    else if (b === delimiter && !quoted) n++;
  }
  return n;
}

/**
 * Lines longer than `limit` bytes (newline excluded) and, with `fields`, lines with more than MAX_EXTRA_FIELDS
 * fields beyond the first line's: DuckDB stores one reject per extra field, each with a copy of the whole line,
 * so such a line costs its length times its fields (a 2 MB line of commas: minutes). Read in chunks.
 */
export function findLongLines(file: string, limit: number, fields?: FieldBound): OversizedLine[] {
  const out: OversizedLine[] = [];
  const fd = fs.openSync(file, "r");
  const size = fs.fstatSync(fd).size;
  let lineBuf = Buffer.allocUnsafe(CHUNK);
  const buf = Buffer.allocUnsafe(CHUNK);
  // A plain Uint8Array view: indexing a Buffer subclass in the hot loop is several times slower.
  const view = new Uint8Array(buf.buffer, buf.byteOffset, CHUNK);
  let header = -1;
  // Lengths of the first passing data lines: their median is the typical line.
  const firstLengths: number[] = [];
  let wideAt = 0;
  /**
   * Lines at most this long are not counted: they cannot hold that many extra fields (header + 32 bytes), or
   * they are within twice the typical line, which bounds what DuckDB's per-field rejects cost per byte read.
   */
  const wide = () => wideAt;
  const learn = (bytes: number) => {
    if (firstLengths.length >= TYPICAL_SAMPLE) return;
    firstLengths.push(bytes);
    const typical = [...firstLengths].sort((a, b) => a - b)[firstLengths.length >> 1];
    wideAt = firstLengths.length < TYPICAL_SAMPLE ? 0 : Math.max(header + MAX_EXTRA_FIELDS, 2 * typical);
  };
  /** `pos`: file offset of buf[0]; a line inside the chunk is counted there, one spanning chunks is read again. */
  const check = (line: number, start: number, end: number, pos: number) => {
    const bytes = end - start;
    if (bytes > limit) {
      out.push({ line, start, bytes, reason: `line longer than ${limit} bytes (${bytes} bytes)` });
      return;
    }
    if (!fields || (wide() > 0 && bytes <= wide())) return;
    let n: number;
    if (start >= pos) n = fieldsOf(view, start - pos, end - pos, fields);
    else {
      if (lineBuf.length < bytes) lineBuf = Buffer.allocUnsafe(bytes);
      fs.readSync(fd, lineBuf, 0, bytes, start);
      n = fieldsOf(new Uint8Array(lineBuf.buffer, lineBuf.byteOffset, bytes), 0, bytes, fields);
    }
    if (header < 0) header = n;
    else if (n > header + MAX_EXTRA_FIELDS) out.push({ line, start, bytes, reason: `line has ${n} fields, more than the ${header} of the first line + ${MAX_EXTRA_FIELDS}` });
    // Only lines that pass set the typical length, so a file of wide lines keeps being counted.
    else learn(bytes);
  };
  try {
    let pos = 0;
    let line = 1;
    let start = 0;
    while (pos < size) {
      const n = fs.readSync(fd, buf, 0, CHUNK, pos);
      if (n <= 0) break;
      for (let i = buf.indexOf(NL); i !== -1 && i < n; i = buf.indexOf(NL, i + 1)) {
        const end = pos + i;
        check(line, start, end, pos);
        line++;
        start = end + 1;
      }
      pos += n;
    }
    if (pos > start) check(line, start, pos, pos);
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

/** Copies `file` to `copy` without its lines longer than `limit`; null (and no copy) when there are none. */
export function dropLongLines(file: string, copy: string, limit: number, fields?: FieldBound): LongLines | null {
  const long = findLongLines(file, limit, fields);
  if (!long.length) return null;
  const size = fs.statSync(file).size;
  const src = fs.openSync(file, "r");
  const dst = fs.openSync(copy, "w");
  const buf = Buffer.allocUnsafe(CHUNK);
  const copyRange = (from: number, to: number) => {
    for (let at = from; at < to; ) {
      const n = fs.readSync(src, buf, 0, Math.min(CHUNK, to - at), at);
      if (n <= 0) break;
      fs.writeSync(dst, buf, 0, n);
      at += n;
    }
  };
  const lines: LongLines["lines"] = [];
  try {
    let at = 0;
    for (const l of long) {
      copyRange(at, l.start);
      const head = Buffer.allocUnsafe(Math.min(10_000, l.bytes));
      fs.readSync(src, head, 0, head.length, l.start);
      lines.push({ line: l.line, reason: l.reason, raw: head.toString("utf8") });
      at = Math.min(l.start + l.bytes + 1, size); // past the line and its newline
    }
    copyRange(at, size);
  } finally {
    fs.closeSync(src);
    fs.closeSync(dst);
  }
  // Line numbers of the copy map back around the removed lines.
  const total = countLines(copy);
  const originalLine = new Int32Array(total);
  const removed = new Set(long.map((l) => l.line));
  for (let i = 0, src = 1; i < total; i++, src++) {
    while (removed.has(src)) src++;
    originalLine[i] = src;
  }
  return { file: copy, originalLine, lines };
}

function countLines(file: string): number {
  const fd = fs.openSync(file, "r");
  const buf = Buffer.allocUnsafe(CHUNK);
  let lines = 0;
  let last = NL;
  try {
    for (let pos = 0; ; ) {
      const n = fs.readSync(fd, buf, 0, CHUNK, pos);
      if (n <= 0) break;
      for (let i = buf.indexOf(NL); i !== -1 && i < n; i = buf.indexOf(NL, i + 1)) lines++;
      last = buf[n - 1];
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return lines + (last === NL ? 0 : 1);
}
