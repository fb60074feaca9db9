// Decodes the Parquet files parquet-write.ts makes (uncompressed, PLAIN or dictionary pages) into typed columns.
import { open } from "node:fs/promises";
import { ValidationError } from "../errors.js";
import type { LeafType } from "./parquet-write.js";
import { ThriftReader, type TStruct, type TValue } from "./thrift.js";

export interface LeafInfo {
  path: string[];
  type: LeafType;
  /** Byte offset of the chunk's first page and its ColumnMetaData fields. */
  chunk: { start: number; end: number } | null;
}

export interface ParquetFile {
  rows: number;
  meta: Map<string, string>;
  /** Leaves by leafKey(path). */
  leaves: Map<string, LeafInfo>;
  /** The bytes loaded: the file from offset `base` on (the whole file, or just the chunks asked for). */
  bytes: Uint8Array;
  base: number;
  source: string;
}

/** A decoded leaf: dictionary codes (-1 = null) and the dictionary, or plain values by row. */
export interface DecodedLeaf {
  type: LeafType;
  rows: number;
  codes: Int32Array | null;
  dict: Float64Array | string[] | null;
  /** Plain numbers (NaN = null) for double / timestamp_ms leaves without a dictionary. */
  numbers: Float64Array | null;
  /** Plain text (null = null) for string / json leaves without a dictionary. */
  strings: (string | null)[] | null;
  /** Booleans: 1, 0, -1 = null. */
  bools: Int8Array | null;
}

/** A leaf's key: its path joined with NUL, which no sensible column name contains (a dot may). */
export const leafKey = (path: readonly string[]): string => path.join("\u0000");

const bad = (source: string, why: string) =>
  new ValidationError(`${source} is not a prediction-log part Millrace can read: ${why}`, {
    path: source,
    hint: "parts are written by Millrace's log compaction; move foreign or damaged .parquet files out of the prediction log folder",
  });

const get = (s: TStruct, id: number): TValue | undefined => s.get(id);
const num = (s: TStruct, id: number): number => (typeof s.get(id) === "number" ? (s.get(id) as number) : NaN);

const utf8 = new TextDecoder();

/** A whole file in memory. */
export function openParquet(bytes: Uint8Array, source: string): ParquetFile {
  if (bytes.length < 12 || utf8.decode(bytes.subarray(0, 4)) !== "PAR1") throw bad(source, "no PAR1 magic");
  return parseFooter(bytes, bytes.length, source);
}

/** The footer's length, from the file's last 8 bytes. */
function footerLength(tail: Uint8Array, size: number, source: string): number {
  if (size < 12 || tail.length < 8 || utf8.decode(tail.subarray(tail.length - 4)) !== "PAR1") throw bad(source, "no PAR1 magic");
  const len = new DataView(tail.buffer, tail.byteOffset + tail.length - 8, 4).getUint32(0, true);
  if (len > size - 12) throw bad(source, "footer length past the start");
  return len;
}

/**
 * Reads a file's footer and only the column chunks `want` accepts (an unwanted column is never read from disk: the
 * ids, say, when only the inputs are needed).
 */
export async function readParquetFile(path: string, source: string, want: (leaf: LeafInfo) => boolean = () => true): Promise<ParquetFile> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    const readAt = async (start: number, end: number) => {
      const buf = Buffer.allocUnsafe(end - start);
      const { bytesRead } = await fh.read(buf, 0, buf.length, start);
      if (bytesRead !== buf.length) throw bad(source, "file shorter than its footer says");
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
    };
    let tail = await readAt(Math.max(0, size - 65536), size);
    const len = footerLength(tail, size, source);
    if (len + 8 > tail.length) tail = await readAt(size - 8 - len, size);
    const f = parseFooter(tail, size, source);
    let lo = Infinity;
    let hi = -Infinity;
    for (const l of f.leaves.values()) if (l.chunk && want(l)) (lo = Math.min(lo, l.chunk.start)), (hi = Math.max(hi, l.chunk.end));
    if (lo < hi) {
      if (lo < 4 || hi > size - 8 - len) throw bad(source, "column chunk outside the data");
      f.bytes = await readAt(lo, hi);
      f.base = lo;
    }
    return f;
  } finally {
    await fh.close();
  }
}

/** Parses the footer at the end of `tail` (the last bytes of a file of `size` bytes); no chunk bytes loaded. */
function parseFooter(tail: Uint8Array, size: number, source: string): ParquetFile {
  const n = tail.length;
  const len = footerLength(tail, size, source);
  let meta: TStruct;
  try {
    meta = new ThriftReader(tail, n - 8 - len).struct();
  } catch (e) {
    throw bad(source, `footer unreadable (${(e as Error).message})`);
  }
  const schema = (get(meta, 2) as TStruct[] | undefined) ?? [];
  const groups = (get(meta, 4) as TStruct[] | undefined) ?? [];
  if (groups.length > 1) throw bad(source, `${groups.length} row groups (Millrace writes one)`);
  const kv = new Map<string, string>();
  for (const e of (get(meta, 5) as TStruct[] | undefined) ?? []) kv.set(String(get(e, 1)), String(get(e, 2) ?? ""));
  // Leaves in schema order, with their paths.
  const leaves = new Map<string, LeafInfo>();
  let i = 1;
  const walk = (prefix: string[], children: number) => {
    for (let c = 0; c < children; c++) {
      const el = schema[i++];
      if (!el) throw bad(source, "schema ends early");
      const name = String(get(el, 4));
      const kids = num(el, 5);
      if (kids > 0) walk([...prefix, name], kids);
      else {
        const physical = num(el, 1);
        const converted = num(el, 6);
        const type: LeafType | null =
          physical === 5 ? "double" : physical === 2 && converted === 9 ? "timestamp_ms" : physical === 0 ? "boolean" : physical === 6 ? (converted === 19 ? "json" : "string") : null;
        if (!type) throw bad(source, `column ${[...prefix, name].join(".")} has physical type ${physical}`);
        const path = [...prefix, name];
        leaves.set(leafKey(path), { path, type, chunk: null });
      }
    }
  };
  walk([], schema[0] ? num(schema[0], 5) : 0);
  const rows = num(meta, 3);
  if (groups.length === 1) {
    for (const cc of (get(groups[0], 1) as TStruct[] | undefined) ?? []) {
      const cm = get(cc, 3) as TStruct | undefined;
      if (!cm) throw bad(source, "column chunk without metadata");
      const path = leafKey((get(cm, 3) as string[] | undefined) ?? []);
      const leaf = leaves.get(path);
      if (!leaf) throw bad(source, `column chunk for unknown column ${path}`);
      if (num(cm, 4) !== 0) throw bad(source, `column ${path} is compressed`);
      const dictOffset = get(cm, 11) as number | undefined;
      const start = dictOffset !== undefined && dictOffset > 0 ? dictOffset : num(cm, 9);
      leaf.chunk = { start, end: start + num(cm, 7) };
    }
  }
  // A whole file read in (openParquet) keeps its bytes at base 0; readParquetFile loads the chunks it needs.
  return { rows, meta: kv, leaves, bytes: n === size ? tail : new Uint8Array(0), base: 0, source };
}

/** Decodes `count` values of the RLE / bit-packing hybrid at `pos` (ending at `end`) into out. */
function hybrid(b: Uint8Array, pos: number, end: number, width: number, out: Int32Array | Uint8Array, count: number): void {
  let o = 0;
  const bytesPer = (width + 7) >> 3;
  const mask = width >= 32 ? -1 : (1 << width) - 1;
  while (o < count) {
    if (pos >= end) throw new RangeError("hybrid run past the end of the page");
    let h = 0;
    let mul = 1;
    for (;;) {
      const x = b[pos++];
      h += (x & 0x7f) * mul;
      if (x < 0x80) break;
      mul *= 0x80;
    }
    if (h % 2 === 0) {
      const run = h / 2;
      let v = 0;
      for (let k = 0; k < bytesPer; k++) v |= b[pos++] << (8 * k);
      const stop = Math.min(count, o + run);
      while (o < stop) out[o++] = v;
    } else {
      const values = ((h - 1) / 2) * 8;
      const stop = Math.min(count, o + values);
      if (width <= 8) {
        // Eight values fill exactly `width` bytes: two 32-bit words hold a group, each value is a shift and a mask.
        const groups = values / 8;
        for (let g = 0; g < groups; g++) {
          let lo = 0;
          let hi = 0;
          for (let k = 0; k < width; k++) {
            if (k < 4) lo |= b[pos + k] << (8 * k);
            else hi |= b[pos + k] << (8 * (k - 4));
          }
          pos += width;
          if (o + 8 <= stop) {
            for (let j = 0, bit = 0; j < 8; j++, bit += width) {
              out[o++] = (bit >= 32 ? hi >>> (bit - 32) : bit + width <= 32 ? lo >>> bit : (lo >>> bit) | (hi << (32 - bit))) & mask;
            }
          } else {
            for (let j = 0, bit = 0; j < 8 && o < stop; j++, bit += width) {
              out[o++] = (bit >= 32 ? hi >>> (bit - 32) : bit + width <= 32 ? lo >>> bit : (lo >>> bit) | (hi << (32 - bit))) & mask;
            }
          }
        }
        if (pos > end) throw new RangeError("bit-packed run past the end of the page");
      } else if (width <= 24) {
        // Up to 24 bits an int32 accumulator with a byte added holds: integer ops only.
        let acc = 0;
        let bits = 0;
        for (let k = 0; k < values; k++) {
          while (bits < width) {
            acc |= b[pos++] << bits;
            bits += 8;
          }
          if (o < stop) out[o++] = acc & mask;
          acc >>>= width;
          bits -= width;
        }
      } else {
        let acc = 0;
        let bits = 0;
        for (let k = 0; k < values; k++) {
          while (bits < width) {
            acc += b[pos++] * 2 ** bits;
            bits += 8;
          }
          if (o < stop) out[o++] = acc % 2 ** width;
          acc = Math.floor(acc / 2 ** width);
          bits -= width;
        }
      }
    }
  }
}

/** Definition levels as 1/0 per row, or null when they are one run of 1s (nothing missing: the usual case). */
function presentRows(b: Uint8Array, pos: number, size: number, rows: number): Uint8Array | null {
  if (size === varintLength(rows * 2) + 1 && b[pos + size - 1] === 1 && readVarint(b, pos) === rows * 2) return null;
  const out = new Uint8Array(rows);
  hybrid(b, pos, pos + size, 1, out, rows);
  return out;
}

function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) (v = Math.floor(v / 0x80)), n++;
  return n;
}

function readVarint(b: Uint8Array, pos: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const x = b[pos + i];
    v += (x & 0x7f) * mul;
    if (x < 0x80) break;
    mul *= 0x80;
  }
  return v;
}

interface Page {
  type: number;
  size: number;
  values: number;
  encoding: number;
  body: number;
}

/** The page header at `pos`, a position in f.bytes (the file offset minus f.base). */
function pageAt(f: ParquetFile, pos: number): Page {
  const r = new ThriftReader(f.bytes, pos);
  const h = r.struct();
  const type = num(h, 1);
  const size = num(h, 3);
  const sub = (get(h, type === 2 ? 7 : 5) as TStruct | undefined) ?? new Map();
  if (type !== 0 && type !== 2) throw bad(f.source, `page type ${type}`);
  if (r.pos + size > f.bytes.length) throw bad(f.source, "page past the end of the file");
  return { type, size, values: num(sub, 1), encoding: num(sub, 2), body: r.pos };
}

/** PLAIN values of a page section into the typed form of `type`. */
function plainValues(f: ParquetFile, type: LeafType, pos: number, end: number, count: number): Float64Array | string[] | Int8Array {
  const b = f.bytes;
  if (type === "double" || type === "timestamp_ms") {
    if (pos + count * 8 > end) throw bad(f.source, "values past the end of the page");
    const dv = new DataView(b.buffer, b.byteOffset + pos, count * 8);
    const out = new Float64Array(count);
    if (type === "double") for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, true);
    else for (let i = 0; i < count; i++) out[i] = dv.getUint32(i * 8, true) + dv.getInt32(i * 8 + 4, true) * 2 ** 32;
    return out;
  }
  if (type === "boolean") {
    const out = new Int8Array(count);
    for (let i = 0; i < count; i++) out[i] = (b[pos + (i >> 3)] >> (i & 7)) & 1;
    return out;
  }
  const out = new Array<string>(count);
  const dv = new DataView(b.buffer, b.byteOffset);
  for (let i = 0; i < count; i++) {
    if (pos + 4 > end) throw bad(f.source, "text past the end of the page");
    const len = dv.getUint32(pos, true);
    out[i] = utf8.decode(b.subarray(pos + 4, pos + 4 + len));
    pos += 4 + len;
  }
  return out;
}

/** Decodes one leaf (by leafKey) of the row group; a leaf the file does not have comes back all null, typed `as`. */
export function readLeaf(f: ParquetFile, path: string, as: LeafType = "double"): DecodedLeaf {
  const leaf = f.leaves.get(path);
  const rows = f.rows;
  const empty: DecodedLeaf = { type: leaf?.type ?? as, rows, codes: null, dict: null, numbers: null, strings: null, bools: null };
  if (!leaf?.chunk || rows === 0) {
    if (empty.type === "boolean") empty.bools = new Int8Array(rows).fill(-1);
    else if (empty.type === "double" || empty.type === "timestamp_ms") empty.numbers = new Float64Array(rows).fill(NaN);
    else empty.strings = new Array<string | null>(rows).fill(null);
    return empty;
  }
  const start = leaf.chunk.start - f.base;
  if (start < 0 || leaf.chunk.end - f.base > f.bytes.length) throw new Error(`parquet: column ${path.replace(/\u0000/g, ".")} of ${f.source} was not loaded`);
  try {
    let pos = start;
    let page = pageAt(f, pos);
    let dict: Float64Array | string[] | null = null;
    if (page.type === 2) {
      dict = plainValues(f, leaf.type, page.body, page.body + page.size, page.values) as Float64Array | string[];
      pos = page.body + page.size;
      page = pageAt(f, pos);
    }
    if (page.type !== 0 || page.values !== rows) throw bad(f.source, `column ${path.replace(/\u0000/g, ".")}: one data page of ${rows} values expected`);
    const end = page.body + page.size;
    const levelBytes = new DataView(f.bytes.buffer, f.bytes.byteOffset + page.body, 4).getUint32(0, true);
    const present = presentRows(f.bytes, page.body + 4, levelBytes, rows);
    let count = rows;
    if (present) {
      count = 0;
      for (let i = 0; i < rows; i++) count += present[i];
    }
    const at = page.body + 4 + levelBytes;
    if (dict) {
      if (page.encoding !== 8 && page.encoding !== 2) throw bad(f.source, `column ${path.replace(/\u0000/g, ".")}: encoding ${page.encoding}`);
      const packed = new Int32Array(count);
      hybrid(f.bytes, at + 1, end, f.bytes[at], packed, count);
      const size = dict.length;
      for (let i = 0; i < count; i++) if (packed[i] >= size || packed[i] < 0) throw bad(f.source, `column ${path.replace(/\u0000/g, ".")}: code past the dictionary`);
      if (!present) return { ...empty, codes: packed, dict };
      const codes = new Int32Array(rows);
      for (let i = 0, k = 0; i < rows; i++) codes[i] = present[i] ? packed[k++] : -1;
      return { ...empty, codes, dict };
    }
    if (page.encoding !== 0) throw bad(f.source, `column ${path.replace(/\u0000/g, ".")}: encoding ${page.encoding}`);
    const values = plainValues(f, leaf.type, at, end, count);
    if (!present) {
      if (values instanceof Int8Array) return { ...empty, bools: values };
      if (values instanceof Float64Array) return { ...empty, numbers: values };
      return { ...empty, strings: values };
    }
    if (values instanceof Int8Array) {
      const bools = new Int8Array(rows);
      for (let i = 0, k = 0; i < rows; i++) bools[i] = present[i] ? values[k++] : -1;
      return { ...empty, bools };
    }
    if (values instanceof Float64Array) {
      const numbers = new Float64Array(rows);
      for (let i = 0, k = 0; i < rows; i++) numbers[i] = present[i] ? values[k++] : NaN;
      return { ...empty, numbers };
    }
    const strings = new Array<string | null>(rows);
    for (let i = 0, k = 0; i < rows; i++) strings[i] = present[i] ? values[k++] : null;
    return { ...empty, strings };
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    throw bad(f.source, `column ${path.replace(/\u0000/g, ".")}: ${(e as Error).message}`);
  }
}
