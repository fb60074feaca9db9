// Encodes columns as one uncompressed Parquet row group (PLAIN or dictionary pages): the compacted prediction log's format.
import { ThriftWriter, type TField } from "./thrift.js";

/** What a leaf holds: numbers (NaN = null), timestamps in ms (NaN = null), text, JSON text, booleans (-1 = null). */
export type LeafType = "double" | "timestamp_ms" | "string" | "json" | "boolean";

export type LeafValues = Float64Array | ReadonlyArray<string | null> | Int8Array;

export interface LeafColumn {
  /** Path from the root, e.g. ["inputs", "tenure"]; groups are made from the path's prefixes. */
  path: string[];
  type: LeafType;
  values: LeafValues;
}

// Parquet enums (parquet.thrift).
const PHYSICAL = { boolean: 0, int64: 2, double: 5, byteArray: 6 } as const;
const ENC = { PLAIN: 0, RLE: 3, RLE_DICTIONARY: 8 } as const;
const CONVERTED = { UTF8: 0, TIMESTAMP_MILLIS: 9, JSON: 19 } as const;
const OPTIONAL = 1;
const REQUIRED = 0;

/** A dictionary pays when values repeat; past this many distinct values a chunk is written PLAIN. */
const MAX_DICTIONARY = 1 << 16;

const physicalOf = (t: LeafType): number =>
  t === "double" ? PHYSICAL.double : t === "timestamp_ms" ? PHYSICAL.int64 : t === "boolean" ? PHYSICAL.boolean : PHYSICAL.byteArray;

/** Appends bytes into chunks without copying big arrays twice. */
class Out {
  readonly parts: Uint8Array[] = [];
  size = 0;
  push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }
}

function varintBytes(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** Values packed LSB first at `width` bits each, as one bit-packed run of the RLE/bit-packing hybrid. */
function bitPackedRun(values: ArrayLike<number>, count: number, width: number): Uint8Array {
  const groups = Math.ceil(count / 8);
  const head = varintBytes(groups * 2 + 1);
  const out = new Uint8Array(head.length + groups * width);
  out.set(head);
  let o = head.length;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < groups * 8; i++) {
    acc |= (i < count ? values[i] : 0) << bits;
    bits += width;
    while (bits >= 8) {
      out[o++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  return out;
}

/** Definition levels (1 = present) with their 4-byte length prefix: one RLE run when nothing is missing. */
function definitionLevels(present: Uint8Array, rows: number, nulls: number): Uint8Array {
  const body = nulls === 0 ? Uint8Array.from([...varintBytes(rows * 2), 1]) : bitPackedRun(present, rows, 1);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, true);
  out.set(body, 4);
  return out;
}

const utf8 = new TextEncoder();

/** PLAIN bytes of non-null values in order. */
function plain(type: LeafType, values: ArrayLike<unknown>, keep: (i: number) => boolean, count: number): Uint8Array {
  if (type === "double" || type === "timestamp_ms") {
    const out = new Uint8Array(count * 8);
    const dv = new DataView(out.buffer);
    let o = 0;
    for (let i = 0; i < values.length; i++) {
      if (!keep(i)) continue;
      const v = values[i] as number;
      if (type === "double") dv.setFloat64(o, v, true);
      else if (v >= 0 && v < 2 ** 52) {
        // Two 32-bit halves: a BigInt per value would cost more than the rest of the page.
        dv.setUint32(o, v % 2 ** 32, true);
        dv.setUint32(o + 4, Math.floor(v / 2 ** 32), true);
      } else dv.setBigInt64(o, BigInt(Math.round(v)), true);
      o += 8;
    }
    return out;
  }
  if (type === "boolean") {
    const bits: number[] = [];
    for (let i = 0; i < values.length; i++) if (keep(i)) bits.push(values[i] as number);
    const out = new Uint8Array(Math.ceil(bits.length / 8));
    bits.forEach((b, i) => (out[i >> 3] |= b << (i & 7)));
    return out;
  }
  // Room for the worst case (3 bytes per UTF-16 unit), written in place: no array per value.
  let room = 0;
  for (let i = 0; i < values.length; i++) if (keep(i)) room += 4 + 3 * (values[i] as string).length;
  const out = Buffer.allocUnsafe(room);
  let o = 0;
  for (let i = 0; i < values.length; i++) {
    if (!keep(i)) continue;
    const n = out.write(values[i] as string, o + 4, "utf8");
    out.writeUInt32LE(n, o);
    o += 4 + n;
  }
  return out.subarray(0, o);
}

function pageHeader(type: 0 | 2, size: number, rows: number, encoding: number, dictionary: boolean): Uint8Array {
  const w = new ThriftWriter();
  const fields: TField[] = [
    { id: 1, type: "i32", value: type },
    { id: 2, type: "i32", value: size },
    { id: 3, type: "i32", value: size },
  ];
  if (dictionary) fields.push({ id: 7, type: "struct", value: [{ id: 1, type: "i32", value: rows }, { id: 2, type: "i32", value: ENC.PLAIN }] });
  else
    fields.push({
      id: 5,
      type: "struct",
      value: [
        { id: 1, type: "i32", value: rows },
        { id: 2, type: "i32", value: encoding },
        { id: 3, type: "i32", value: ENC.RLE },
        { id: 4, type: "i32", value: ENC.RLE },
      ],
    });
  return w.struct(fields).finish().slice();
}

/** One column chunk (dictionary page when it pays, one data page); returns its ColumnMetaData fields. */
function writeChunk(out: Out, col: LeafColumn, rows: number): TField[] {
  const { type, values } = col;
  const isNum = type === "double" || type === "timestamp_ms";
  const present = new Uint8Array(rows);
  let nulls = 0;
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    const ok = isNum ? !Number.isNaN(v as number) : type === "boolean" ? (v as number) >= 0 : v !== null && v !== undefined;
    present[i] = ok ? 1 : 0;
    if (!ok) nulls++;
  }
  const count = rows - nulls;
  // Dictionary: codes by first appearance; given up when the values hardly repeat.
  let dict: Map<unknown, number> | null = type === "boolean" ? null : new Map();
  const codes = new Int32Array(count);
  if (dict) {
    let k = 0;
    for (let i = 0; i < rows && dict; i++) {
      if (!present[i]) continue;
      const v = values[i];
      let c = dict.get(v);
      if (c === undefined) {
        // Past 65,536 distinct values (ids, timestamps, fine-grained prices) PLAIN is as small and needs no lookups.
        // Below it a dictionary pays even with thousands of values: readers then count codes instead of sorting rows.
        if (dict.size >= MAX_DICTIONARY) {
          dict = null;
          break;
        }
        dict.set(v, (c = dict.size));
      }
      codes[k++] = c;
    }
  }
  if (dict?.size === 0) dict = null;
  const start = out.size;
  const levels = definitionLevels(present, rows, nulls);
  let dictOffset: number | undefined;
  let encoding: number = ENC.PLAIN;
  let body: Uint8Array;
  if (dict) {
    const keys = [...dict.keys()];
    const dictBytes = plain(type, keys, () => true, keys.length);
    dictOffset = out.size;
    out.push(pageHeader(2, dictBytes.length, keys.length, ENC.PLAIN, true));
    out.push(dictBytes);
    const width = Math.max(1, Math.ceil(Math.log2(keys.length)));
    body = concat([Uint8Array.of(width), bitPackedRun(codes, count, width)]);
    encoding = ENC.RLE_DICTIONARY;
  } else {
    body = plain(type, values as ArrayLike<unknown>, (i) => present[i] === 1, count);
  }
  const dataOffset = out.size;
  out.push(pageHeader(0, levels.length + body.length, rows, encoding, false));
  out.push(levels);
  out.push(body);
  const size = out.size - start;
  return [
    { id: 1, type: "i32", value: physicalOf(type) },
    { id: 2, type: "list<i32>", value: dict ? [ENC.PLAIN, ENC.RLE, ENC.RLE_DICTIONARY] : [ENC.PLAIN, ENC.RLE] },
    { id: 3, type: "list<string>", value: col.path },
    { id: 4, type: "i32", value: 0 },
    { id: 5, type: "i64", value: rows },
    { id: 6, type: "i64", value: size },
    { id: 7, type: "i64", value: size },
    { id: 9, type: "i64", value: dataOffset },
    { id: 11, type: "i64", value: dictOffset },
  ];
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/** SchemaElements in depth-first order: required groups from the path prefixes, optional leaves. */
function schemaOf(columns: LeafColumn[]): TField[][] {
  interface Node {
    name: string;
    children: Map<string, Node>;
    leaf?: LeafColumn;
  }
  const root: Node = { name: "prediction", children: new Map() };
  for (const c of columns) {
    let node = root;
    for (const name of c.path) {
      let next = node.children.get(name);
      if (!next) node.children.set(name, (next = { name, children: new Map() }));
      node = next;
    }
    node.leaf = c;
  }
  const out: TField[][] = [];
  const walk = (n: Node, isRoot: boolean) => {
    if (n.leaf) {
      const t = n.leaf.type;
      const converted = t === "string" ? CONVERTED.UTF8 : t === "json" ? CONVERTED.JSON : t === "timestamp_ms" ? CONVERTED.TIMESTAMP_MILLIS : undefined;
      out.push([
        { id: 1, type: "i32", value: physicalOf(t) },
        { id: 3, type: "i32", value: OPTIONAL },
        { id: 4, type: "string", value: n.name },
        { id: 6, type: "i32", value: converted },
      ]);
      return;
    }
    out.push([
      { id: 3, type: "i32", value: isRoot ? undefined : REQUIRED },
      { id: 4, type: "string", value: n.name },
      { id: 5, type: "i32", value: n.children.size },
    ]);
    for (const c of n.children.values()) walk(c, false);
  };
  walk(root, true);
  return out;
}

/**
 * The bytes of a Parquet file holding `rows` rows of `columns` (one row group; none when rows = 0) and key/value
 * metadata, as parts to write in order.
 */
export function encodeParquet(rows: number, columns: LeafColumn[], meta: Record<string, string> = {}): Uint8Array[] {
  const seen = new Set<string>();
  for (const c of columns) {
    const key = c.path.join("\u0000");
    if (seen.has(key) || c.path.length === 0) throw new Error(`parquet: column path ${JSON.stringify(c.path)} is empty or repeated`);
    seen.add(key);
    if (c.values.length < rows) throw new Error(`parquet: column ${c.path.join(".")} has ${c.values.length} values for ${rows} rows`);
  }
  const out = new Out();
  out.push(utf8.encode("PAR1"));
  const chunks = rows > 0 ? columns.map((c) => ({ offset: out.size, meta: writeChunk(out, c, rows) })) : [];
  const dataSize = out.size - 4;
  const footer = new ThriftWriter()
    .struct([
      { id: 1, type: "i32", value: 1 },
      { id: 2, type: "list<struct>", value: schemaOf(columns) },
      { id: 3, type: "i64", value: rows },
      {
        id: 4,
        type: "list<struct>",
        value: rows > 0 ? [[
          { id: 1, type: "list<struct>", value: chunks.map((c) => [{ id: 2, type: "i64", value: c.offset }, { id: 3, type: "struct", value: c.meta }] as TField[]) },
          { id: 2, type: "i64", value: dataSize },
          { id: 3, type: "i64", value: rows },
        ]] : [],
      },
      { id: 5, type: "list<struct>", value: Object.entries(meta).map(([k, v]) => [{ id: 1, type: "string", value: k }, { id: 2, type: "string", value: v }] as TField[]) },
      { id: 6, type: "string", value: "millrace prediction log" },
    ])
    .finish();
  out.push(footer.slice());
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, footer.length, true);
  tail.set(utf8.encode("PAR1"), 4);
  out.push(tail);
  return out.parts;
}
