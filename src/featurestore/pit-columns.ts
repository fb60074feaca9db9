// Typed columns between DuckDB and the point-in-time merge: a query's chunks read into growing typed arrays (ids,
// times, fixed-width feature values as raw bytes with a validity byte per row), and columns of bytes appended to a
// table chunk by chunk. Values are copied as bytes, so a feature keeps its exact type and bits (BIGINT, DECIMAL,
// TIMESTAMP…) without being converted to a JS value.
import { DuckDBDataChunk, DuckDBTypeId, type DuckDBConnection, type DuckDBType, type DuckDBVector } from "@duckdb/node-api";

const WIDTHS = new Map<number, number>([
  [DuckDBTypeId.BOOLEAN, 1], [DuckDBTypeId.TINYINT, 1], [DuckDBTypeId.UTINYINT, 1],
  [DuckDBTypeId.SMALLINT, 2], [DuckDBTypeId.USMALLINT, 2],
  [DuckDBTypeId.INTEGER, 4], [DuckDBTypeId.UINTEGER, 4], [DuckDBTypeId.FLOAT, 4], [DuckDBTypeId.DATE, 4],
  [DuckDBTypeId.BIGINT, 8], [DuckDBTypeId.UBIGINT, 8], [DuckDBTypeId.DOUBLE, 8], [DuckDBTypeId.TIME, 8],
  [DuckDBTypeId.TIMESTAMP, 8], [DuckDBTypeId.TIMESTAMP_S, 8], [DuckDBTypeId.TIMESTAMP_MS, 8], [DuckDBTypeId.TIMESTAMP_NS, 8],
  [DuckDBTypeId.TIMESTAMP_TZ, 8], [DuckDBTypeId.HUGEINT, 16], [DuckDBTypeId.UHUGEINT, 16],
]);

/** Bytes per value of a type whose values sit in one fixed-width buffer, or 0 (strings, lists, …: gathered in SQL). */
export function fixedWidth(type: DuckDBType): number {
  if (type.typeId === DuckDBTypeId.DECIMAL) {
    const width = (type as unknown as { width: number }).width;
    return width <= 4 ? 2 : width <= 9 ? 4 : width <= 18 ? 8 : 16;
  }
  return WIDTHS.get(type.typeId) ?? 0;
}

/** The bytes of a vector's values, from the field where @duckdb/node-api keeps them (`items` or `dataView`). */
function vectorBytes(v: DuckDBVector, bytes: number): Uint8Array {
  const held = (v as unknown as { items?: ArrayBufferView; dataView?: DataView }).items ?? (v as unknown as { dataView?: DataView }).dataView;
  if (!held || !ArrayBuffer.isView(held)) throw new Error(`@duckdb/node-api no longer keeps ${v.type.toString()} values in items/dataView: the point-in-time merge cannot read them`);
  return new Uint8Array(held.buffer, held.byteOffset, bytes);
}

/** Validity words of a vector (bit set = present), or null when every value is present. */
function vectorValidity(v: DuckDBVector): Uint32Array | null {
  const data = (v as unknown as { validity?: { data?: BigUint64Array | null } }).validity?.data;
  return data ? new Uint32Array(data.buffer, data.byteOffset, data.length * 2) : null;
}

/** One fixed-width column: `width` bytes per row, and 1/0 per row for present/NULL. */
export interface ByteColumn {
  width: number;
  data: Uint8Array;
  valid: Uint8Array;
}

/** What each result column is read as: a non-NULL id, a number (NULL → NaN), a number whose NULL reads as -Infinity, or raw bytes. */
export type ColumnRead = "int32" | "float64" | "float64-null-low" | "bytes";

export interface ReadResult {
  n: number;
  int32: Int32Array[];
  float64: Float64Array[];
  bytes: ByteColumn[];
  types: DuckDBType[];
}

/**
 * Streams `sql` and keeps its columns as typed arrays (in `how` order within each kind). `capacity` is a first guess
 * of the row count; arrays grow by doubling past it.
 */
export async function readColumns(con: DuckDBConnection, sql: string, how: ColumnRead[], capacity: number): Promise<ReadResult> {
  const result = await con.stream(sql);
  const types = how.map((_, c) => result.columnType(c));
  let cap = Math.max(1024, capacity);
  const int32 = how.filter((h) => h === "int32").map(() => new Int32Array(cap));
  const float64 = how.filter((h) => h.startsWith("float64")).map(() => new Float64Array(cap));
  const bytes: ByteColumn[] = [];
  how.forEach((h, c) => {
    if (h !== "bytes") return;
    const width = fixedWidth(types[c]);
    if (!width) throw new Error(`column ${c} of the point-in-time read is ${types[c].toString()}, not a fixed-width type`);
    bytes.push({ width, data: new Uint8Array(cap * width), valid: new Uint8Array(cap) });
  });
  const grow = (need: number) => {
    if (need <= cap) return;
    while (cap < need) cap *= 2;
    for (let i = 0; i < int32.length; i++) int32[i] = copyInto(new Int32Array(cap), int32[i]);
    for (let i = 0; i < float64.length; i++) float64[i] = copyInto(new Float64Array(cap), float64[i]);
    for (const b of bytes) {
      b.data = copyInto(new Uint8Array(cap * b.width), b.data);
      b.valid = copyInto(new Uint8Array(cap), b.valid);
    }
  };
  let n = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const size = chunk.rowCount;
    grow(n + size);
    let ii = 0, fi = 0, bi = 0;
    for (let c = 0; c < how.length; c++) {
      const v = chunk.getColumnVector(c);
      const h = how[c];
      if (h === "int32") {
        int32[ii++].set(typed(Int32Array, vectorBytes(v, size * 4), size), n);
      } else if (h === "bytes") {
        const b = bytes[bi++];
        b.data.set(vectorBytes(v, size * b.width), n * b.width);
        copyValidity(vectorValidity(v), b.valid, n, size);
      } else {
        const out = float64[fi++];
        out.set(typed(Float64Array, vectorBytes(v, size * 8), size), n);
        const valid = vectorValidity(v);
        if (valid) {
          const nullAs = h === "float64-null-low" ? -Infinity : NaN;
          for (let r = 0; r < size; r++) if (((valid[r >>> 5] >>> (r & 31)) & 1) === 0) out[n + r] = nullAs;
        }
      }
    }
    n += size;
  }
  return { n, int32, float64, bytes, types };
}

/** `bytes` as `size` values of a typed array: a view when aligned, else a copy. */
function typed<T extends Int32Array | Float64Array>(Ctor: { new (b: ArrayBufferLike, o: number, n: number): T; BYTES_PER_ELEMENT: number }, bytes: Uint8Array, size: number): T {
  return bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0 ? new Ctor(bytes.buffer, bytes.byteOffset, size) : new Ctor(bytes.slice().buffer, 0, size);
}

function copyInto<T extends Int32Array | Float64Array | Uint8Array>(to: T, from: T): T {
  to.set(from as never);
  return to;
}

function copyValidity(bits: Uint32Array | null, out: Uint8Array, at: number, size: number): void {
  if (!bits) {
    out.fill(1, at, at + size);
    return;
  }
  for (let r = 0; r < size; r++) out[at + r] = (bits[r >>> 5] >>> (r & 31)) & 1;
}

/** Appends `n` rows of byte columns to `table` (whose columns have `types`, in order), one chunk of ≤ 2,048 rows at a time. */
export async function appendColumns(con: DuckDBConnection, table: string, types: DuckDBType[], columns: ByteColumn[], n: number): Promise<void> {
  const appender = await con.createAppender(table);
  try {
    const step = 2048;
    for (let at = 0; at < n; at += step) {
      const size = Math.min(step, n - at);
      const chunk = DuckDBDataChunk.create(types, size);
      for (let c = 0; c < columns.length; c++) {
        const col = columns[c];
        const v = chunk.getColumnVector(c);
        vectorBytes(v, size * col.width).set(col.data.subarray(at * col.width, (at + size) * col.width));
        const firstNull = col.valid.subarray(at, at + size).indexOf(0);
        if (firstNull >= 0) {
          v.setItem(firstNull, null); // makes the vector's validity words, all present but this one
          const words = vectorValidity(v)!;
          for (let r = firstNull + 1; r < size; r++) if (col.valid[at + r] === 0) words[r >>> 5] &= ~(1 << (r & 31));
        }
        v.flush();
      }
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
